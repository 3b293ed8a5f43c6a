"""The two-factor plugin's error codes and their messages (better-auth's `TWO_FACTOR_ERROR_CODES`)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from ..errors import AuthError


class TwoFactorErrorCode(StrEnum):
    OTP_NOT_ENABLED = "OTP_NOT_ENABLED"
    OTP_NOT_CONFIGURED = "OTP_NOT_CONFIGURED"
    OTP_HAS_EXPIRED = "OTP_HAS_EXPIRED"
    TOTP_NOT_ENABLED = "TOTP_NOT_ENABLED"
    TOTP_ALREADY_ENABLED = "TOTP_ALREADY_ENABLED"
    TOTP_NOT_CONFIGURED = "TOTP_NOT_CONFIGURED"
    TWO_FACTOR_NOT_ENABLED = "TWO_FACTOR_NOT_ENABLED"
    BACKUP_CODES_NOT_ENABLED = "BACKUP_CODES_NOT_ENABLED"
    INVALID_BACKUP_CODE = "INVALID_BACKUP_CODE"
    INVALID_CODE = "INVALID_CODE"
    TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE = "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE"
    ACCOUNT_TEMPORARILY_LOCKED = "ACCOUNT_TEMPORARILY_LOCKED"
    INVALID_TWO_FACTOR_COOKIE = "INVALID_TWO_FACTOR_COOKIE"
    TWO_FACTOR_REQUIRED = "TWO_FACTOR_REQUIRED"


MESSAGES: Mapping[str, str] = {
    TwoFactorErrorCode.OTP_NOT_ENABLED: "OTP not enabled",
    TwoFactorErrorCode.OTP_NOT_CONFIGURED: "OTP is not available",
    TwoFactorErrorCode.OTP_HAS_EXPIRED: "OTP has expired",
    TwoFactorErrorCode.TOTP_NOT_ENABLED: "TOTP not enabled",
    TwoFactorErrorCode.TOTP_ALREADY_ENABLED: "TOTP is already enabled",
    TwoFactorErrorCode.TOTP_NOT_CONFIGURED: "TOTP is not available",
    TwoFactorErrorCode.TWO_FACTOR_NOT_ENABLED: "Two factor isn't enabled",
    TwoFactorErrorCode.BACKUP_CODES_NOT_ENABLED: "Backup codes aren't enabled",
    TwoFactorErrorCode.INVALID_BACKUP_CODE: "Invalid backup code",
    TwoFactorErrorCode.INVALID_CODE: "Invalid code",
    TwoFactorErrorCode.TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE: "Too many attempts. Please request a new code.",
    TwoFactorErrorCode.ACCOUNT_TEMPORARILY_LOCKED: (
        "Too many failed verification attempts. Your account is temporarily locked. Please try again later."
    ),
    TwoFactorErrorCode.INVALID_TWO_FACTOR_COOKIE: "Invalid two factor cookie",
    # Ours (not better-auth's): what `require_two_factor` answers for a user without two-factor authentication.
    TwoFactorErrorCode.TWO_FACTOR_REQUIRED: "Two factor authentication is required",
}


def two_factor_error(code: TwoFactorErrorCode, status: int) -> AuthError:
    """The error of `code` with its message, answered with `status`."""
    return AuthError(code, status, MESSAGES[code])
