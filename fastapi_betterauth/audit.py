"""Authentication events, logged without secrets (docs/security.md L7; ASVS 16.3.1).

Every event goes to the `fastapi_betterauth.audit` logger at INFO as `auth.<event>` with key=value fields, and the
same fields on the record (`record.auth_event`, `record.auth_fields`) for structured handlers. Emails are logged
only as a short SHA-256 digest; passwords, tokens and keys never are.
"""

from __future__ import annotations

import hashlib
import logging

logger = logging.getLogger("fastapi_betterauth.audit")


def email_digest(email: str) -> str:
    """A stable, non-reversible handle for an address in logs."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def audit(event: str, **fields: str | None) -> None:
    """Log one authentication event (`sign_in.failed`, `password.reset`, ...) with non-secret fields."""
    shown = {key: value for key, value in fields.items() if value is not None}
    text = " ".join(f"{key}={value}" for key, value in shown.items())
    logger.info("auth.%s %s", event, text, extra={"auth_event": event, "auth_fields": shown})
