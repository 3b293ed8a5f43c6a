"""Email one-time codes as better-auth keeps them, stored hashed (docs/security.md L5). No HTTP here.

A code is `otp_length` random digits. Its verification row has `identifier = "<type>-otp-<lower-cased email>"` and
`value = "<base64url(SHA-256(code))>:<wrong guesses>"` (better-auth's `storeOTP: "hashed"` format); a new code for
the same address and type replaces the row. A check takes the row out atomically, so two concurrent guesses cannot
both be compared with one count: a wrong guess puts it back with one more wrong guess and the same expiry; the guess
after `allowed_attempts` wrong ones answers `TOO_MANY_ATTEMPTS` and leaves the row gone. Codes a Node app stored in
plain text (`"<code>:<n>"`, better-auth's default) are compared too unless `accept_plain_otps` is off.
"""

from __future__ import annotations

import hmac
import string
from datetime import timedelta
from typing import Literal

from ..clock import Clock
from ..crypto.tokens import generate_id, sha256_base64url
from ..verification.rows import PlainRows
from .errors import EmailOTPErrorCode, otp_error
from .options import EmailOTPOptions

OTPType = Literal["sign-in", "email-verification", "forget-password"]
OTP_TYPES: tuple[OTPType, ...] = ("sign-in", "email-verification", "forget-password")

_HASH_LENGTH = 43  # unpadded base64url of 32 bytes


def identifier(otp_type: str, email: str) -> str:
    """better-auth's identifier of the code of `otp_type` for `email`."""
    return f"{otp_type}-otp-{email.lower()}"


class EmailOTPService:
    """Issue and check email one-time codes."""

    def __init__(self, options: EmailOTPOptions, rows: PlainRows, clock: Clock) -> None:
        self._options = options
        self._rows = rows
        self._clock = clock

    async def issue(self, email: str, otp_type: OTPType) -> str:
        """A new code for `email` and `otp_type`, replacing any earlier one. Only its digest is stored."""
        code = generate_id(self._options.otp_length, string.digits)
        key = identifier(otp_type, email)
        await self._rows.delete(key)
        expires_at = self._clock.now() + timedelta(seconds=self._options.expires_in)
        await self._rows.create(key, f"{sha256_base64url(code)}:0", expires_at)
        return code

    async def verify(self, email: str, otp_type: str, code: str, *, consume: bool = True) -> None:
        """Check `code`: 400 `OTP_EXPIRED` (the row is deleted), 400 `INVALID_OTP`, or 403 `TOO_MANY_ATTEMPTS`.
        A right code is used up, or with `consume=False` put back as it was (a dry run)."""
        key = identifier(otp_type, email)
        found = await self._rows.find(key, include_expired=True)
        if found is not None and found.expires_at <= self._clock.now():
            await self._rows.delete(key)
            raise otp_error(EmailOTPErrorCode.OTP_EXPIRED)
        taken = await self._rows.consume(key)
        if taken is None:
            raise otp_error(EmailOTPErrorCode.INVALID_OTP)
        stored, _, counted = taken.value.rpartition(":")
        if not stored:
            stored, counted = taken.value, "0"
        attempts = int(counted) if counted.isdigit() else 0
        if attempts >= self._options.allowed_attempts:
            raise otp_error(EmailOTPErrorCode.TOO_MANY_ATTEMPTS)
        if not self._matches(stored, code):
            await self._rows.create(key, f"{stored}:{attempts + 1}", taken.expires_at)
            raise otp_error(EmailOTPErrorCode.INVALID_OTP)
        if not consume:
            await self._rows.create(key, taken.value, taken.expires_at)

    def _matches(self, stored: str, code: str) -> bool:
        if len(stored) == _HASH_LENGTH:
            return hmac.compare_digest(sha256_base64url(code).encode(), stored.encode())
        # A plain code written by a Node app; a digest presented as a code never reaches its own row this way.
        return self._options.accept_plain_otps and hmac.compare_digest(code.encode(), stored.encode())
