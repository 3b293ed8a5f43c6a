"""The username plugin's error codes and their messages (better-auth's `USERNAME_ERROR_CODES`)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from ..errors import AuthError


class UsernameErrorCode(StrEnum):
    INVALID_USERNAME_OR_PASSWORD = "INVALID_USERNAME_OR_PASSWORD"
    USERNAME_IS_ALREADY_TAKEN = "USERNAME_IS_ALREADY_TAKEN"
    USERNAME_TOO_SHORT = "USERNAME_TOO_SHORT"
    USERNAME_TOO_LONG = "USERNAME_TOO_LONG"
    INVALID_USERNAME = "INVALID_USERNAME"
    INVALID_DISPLAY_USERNAME = "INVALID_DISPLAY_USERNAME"
    USERNAME_IS_IMMUTABLE = "USERNAME_IS_IMMUTABLE"


MESSAGES: Mapping[str, str] = {
    UsernameErrorCode.INVALID_USERNAME_OR_PASSWORD: "Invalid username or password",
    UsernameErrorCode.USERNAME_IS_ALREADY_TAKEN: "Username is already taken. Please try another.",
    UsernameErrorCode.USERNAME_TOO_SHORT: "Username is too short",
    UsernameErrorCode.USERNAME_TOO_LONG: "Username is too long",
    UsernameErrorCode.INVALID_USERNAME: "Username is invalid",
    UsernameErrorCode.INVALID_DISPLAY_USERNAME: "Display username is invalid",
    UsernameErrorCode.USERNAME_IS_IMMUTABLE: "Username cannot be updated",
}


def username_error(code: UsernameErrorCode, status: int) -> AuthError:
    """The error of `code` with its message, answered with `status`."""
    return AuthError(code, status, MESSAGES[code])
