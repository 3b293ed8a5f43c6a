"""Email-verification tokens in better-auth's format, used once here.

better-auth mails verification links (and the links of an email change) as HS256 JWTs signed with the secret:
`{"email", "updateTo"?, "requestType"?, "userId", "iat", "exp"}`, with `exp` = `iat` + the link's lifetime. We mint
and accept exactly that, so a link mailed by a Node better-auth app sharing the database works here and ours work
there. On top, a token is single-use here: its first use is remembered (only a hash of it) until it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import floor
from typing import Any

from ..clock import Clock
from ..crypto import jose
from ..crypto.keyring import Keyring
from ..errors import AuthError, ErrorCode
from ..js_json import json_stringify
from .service import VerificationService

CHANGE_EMAIL_CONFIRMATION = "change-email-confirmation"
"""A link to the old address that, once followed, sends the verification link to the new one."""
CHANGE_EMAIL_VERIFICATION = "change-email-verification"
"""A link to the new address that, once followed, makes the change."""

_PURPOSE = "email-verification"


@dataclass(frozen=True, slots=True)
class EmailToken:
    """What a verified token says."""

    email: str
    """The address the link was made for (lower-cased); for an email change, the address being changed."""
    user_id: str | None
    update_to: str | None
    """The new address of an email change."""
    request_type: str | None
    expires_at: datetime


class EmailTokens:
    """Mint and redeem verification JWTs. The current secret signs; every secret of the keyring verifies."""

    def __init__(self, keyring: Keyring, clock: Clock, used: VerificationService) -> None:
        self._keyring = keyring
        self._clock = clock
        self._used = used

    def mint(
        self,
        *,
        email: str,
        user_id: str,
        ttl: timedelta,
        update_to: str | None = None,
        request_type: str | None = None,
    ) -> str:
        claims: dict[str, Any] = {"email": email.lower()}
        if update_to is not None:
            claims["updateTo"] = update_to.lower()
        if request_type is not None:
            claims["requestType"] = request_type
        claims["userId"] = user_id
        issued_at = floor(self._clock.now().timestamp())
        claims["iat"] = issued_at
        claims["exp"] = issued_at + floor(ttl.total_seconds())
        return jose.encode_jws(json_stringify(claims).encode(), self._keyring.current)

    def read(self, token: str) -> EmailToken:
        """The token's claims, if it is authentic and unexpired: 401 `TOKEN_EXPIRED` or `INVALID_TOKEN` otherwise.
        (Whether it was used already is `spend`'s question.)"""
        verified = jose.verify_jws(token, self._keyring.secrets, now=self._clock.now(), tolerance=timedelta(0))
        if verified.expired:
            raise AuthError(ErrorCode.TOKEN_EXPIRED)
        claims = verified.claims
        if claims is None:
            raise AuthError(ErrorCode.INVALID_TOKEN)
        email = claims.get("email")
        optional = [claims.get(name) for name in ("userId", "updateTo", "requestType")]
        if not isinstance(email, str) or "@" not in email or not all(v is None or isinstance(v, str) for v in optional):
            raise AuthError(ErrorCode.INVALID_TOKEN)
        user_id, update_to, request_type = optional
        expires_at = datetime.fromtimestamp(claims["exp"], UTC)
        return EmailToken(email.lower(), user_id, update_to, request_type, expires_at)

    async def spend(self, token: str, read: EmailToken) -> None:
        """Use the token up: 401 `INVALID_TOKEN` if it was used before (a concurrent use counts)."""
        if not await self._used.use_once(_PURPOSE, token, read.expires_at):
            raise AuthError(ErrorCode.INVALID_TOKEN)
