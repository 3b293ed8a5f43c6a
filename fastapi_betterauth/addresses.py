"""Email addresses: the one rule for every address the toolkit accepts or mails to (docs/security.md L9).

An address is validated whole. A pattern ending in `$` also matches before a final newline, which let
`ann@example.com\n` register as a second account and then break the headers of the mail sent to it; so the pattern
is matched with `fullmatch`, and an address carrying any control character (C0, DEL, C1, or a Unicode line or
paragraph separator) is refused wherever one is accepted: request bodies, provider profiles and the mailer.
"""

from __future__ import annotations

import re

MAX_EMAIL_LENGTH = 254

# zod's email rule, which better-auth validates addresses with; always matched whole (`fullmatch`).
_EMAIL = re.compile(r"(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class InvalidRecipientError(ValueError):
    """Raised by the mailer for an address it will not send to (empty, or with control characters)."""


def has_control_characters(value: str) -> bool:
    """Whether `value` holds a character that could end or split a mail header line."""
    return _CONTROL.search(value) is not None


def is_valid_email(value: str) -> bool:
    """Whether `value`, as a whole, is an address better-auth's (zod's) rule accepts, within 254 characters."""
    return len(value) <= MAX_EMAIL_LENGTH and not has_control_characters(value) and _EMAIL.fullmatch(value) is not None


def check_recipient(address: str, what: str) -> None:
    """Refuse to mail `what` (an email type) to `address` when it is empty or carries control characters. The
    error never repeats the address (docs/security.md L7)."""
    if not address or has_control_characters(address):
        raise InvalidRecipientError(
            f"refusing to send the {what} email: the recipient address is empty or contains control characters"
        )
