"""The passkey plugin's error codes and their messages (better-auth's `PASSKEY_ERROR_CODES`)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from ..errors import AuthError


class PasskeyErrorCode(StrEnum):
    CHALLENGE_NOT_FOUND = "CHALLENGE_NOT_FOUND"
    YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY = "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY"
    FAILED_TO_VERIFY_REGISTRATION = "FAILED_TO_VERIFY_REGISTRATION"
    PASSKEY_NOT_FOUND = "PASSKEY_NOT_FOUND"
    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED"
    UNABLE_TO_CREATE_SESSION = "UNABLE_TO_CREATE_SESSION"
    FAILED_TO_UPDATE_PASSKEY = "FAILED_TO_UPDATE_PASSKEY"
    PREVIOUSLY_REGISTERED = "PREVIOUSLY_REGISTERED"
    REGISTRATION_CANCELLED = "REGISTRATION_CANCELLED"
    AUTH_CANCELLED = "AUTH_CANCELLED"
    UNKNOWN_ERROR = "UNKNOWN_ERROR"
    SESSION_REQUIRED = "SESSION_REQUIRED"
    RESOLVE_USER_REQUIRED = "RESOLVE_USER_REQUIRED"
    RESOLVED_USER_INVALID = "RESOLVED_USER_INVALID"
    FAILED_TO_DELETE_LAST_PASSKEY = "FAILED_TO_DELETE_LAST_PASSKEY"


MESSAGES: Mapping[str, str] = {
    PasskeyErrorCode.CHALLENGE_NOT_FOUND: "Challenge not found",
    PasskeyErrorCode.YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY: "You are not allowed to register this passkey",
    PasskeyErrorCode.FAILED_TO_VERIFY_REGISTRATION: "Failed to verify registration",
    PasskeyErrorCode.PASSKEY_NOT_FOUND: "Passkey not found",
    PasskeyErrorCode.AUTHENTICATION_FAILED: "Authentication failed",
    PasskeyErrorCode.UNABLE_TO_CREATE_SESSION: "Unable to create session",
    PasskeyErrorCode.FAILED_TO_UPDATE_PASSKEY: "Failed to update passkey",
    PasskeyErrorCode.PREVIOUSLY_REGISTERED: "Previously registered",
    PasskeyErrorCode.REGISTRATION_CANCELLED: "Registration cancelled",
    PasskeyErrorCode.AUTH_CANCELLED: "Auth cancelled",
    PasskeyErrorCode.UNKNOWN_ERROR: "Unknown error",
    PasskeyErrorCode.SESSION_REQUIRED: "Passkey registration requires an authenticated session",
    PasskeyErrorCode.RESOLVE_USER_REQUIRED: (
        "Passkey registration requires either an authenticated session or a resolveUser callback when "
        "requireSession is false"
    ),
    PasskeyErrorCode.RESOLVED_USER_INVALID: "Resolved user is invalid",
    # Ours (not better-auth's): deleting the passkey of a user with no other way to sign in.
    PasskeyErrorCode.FAILED_TO_DELETE_LAST_PASSKEY: "You can't delete your last way to sign in",
}


def passkey_error(code: PasskeyErrorCode, status: int) -> AuthError:
    """The error of `code` with its message, answered with `status`."""
    return AuthError(code, status, MESSAGES[code])
