"""The email-otp plugin's error codes and their messages (better-auth's `EMAIL_OTP_ERROR_CODES`)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from ..errors import AuthError


class EmailOTPErrorCode(StrEnum):
    OTP_EXPIRED = "OTP_EXPIRED"
    INVALID_OTP = "INVALID_OTP"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"


MESSAGES: Mapping[str, str] = {
    EmailOTPErrorCode.OTP_EXPIRED: "OTP expired",
    EmailOTPErrorCode.INVALID_OTP: "Invalid OTP",
    EmailOTPErrorCode.TOO_MANY_ATTEMPTS: "Too many attempts",
}

_STATUS: Mapping[str, int] = {EmailOTPErrorCode.TOO_MANY_ATTEMPTS: 403}


def otp_error(code: EmailOTPErrorCode) -> AuthError:
    """The error of `code` with its message and status (403 for `TOO_MANY_ATTEMPTS`, 400 otherwise)."""
    return AuthError(code, _STATUS.get(code, 400), MESSAGES[code])
