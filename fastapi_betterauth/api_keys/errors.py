"""The API-key plugin's error codes and their messages (better-auth's api-key plugin `API_KEY_ERROR_CODES`)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from ..errors import AuthError


class ApiKeyErrorCode(StrEnum):
    """The codes only API keys answer with (the shared ones, `UNAUTHORIZED`, `RATE_LIMITED`..., are `ErrorCode`s)."""

    EXPIRES_IN_IS_TOO_LARGE = "EXPIRES_IN_IS_TOO_LARGE"
    EXPIRES_IN_IS_TOO_SMALL = "EXPIRES_IN_IS_TOO_SMALL"
    INSUFFICIENT_API_KEY_PERMISSIONS = "INSUFFICIENT_API_KEY_PERMISSIONS"
    INVALID_API_KEY = "INVALID_API_KEY"
    INVALID_METADATA_TYPE = "INVALID_METADATA_TYPE"
    INVALID_NAME_LENGTH = "INVALID_NAME_LENGTH"
    INVALID_PREFIX_LENGTH = "INVALID_PREFIX_LENGTH"
    INVALID_REFERENCE_ID_FROM_API_KEY = "INVALID_REFERENCE_ID_FROM_API_KEY"
    KEY_DISABLED = "KEY_DISABLED"
    KEY_DISABLED_EXPIRATION = "KEY_DISABLED_EXPIRATION"
    KEY_EXPIRED = "KEY_EXPIRED"
    KEY_NOT_FOUND = "KEY_NOT_FOUND"
    METADATA_DISABLED = "METADATA_DISABLED"
    NAME_REQUIRED = "NAME_REQUIRED"
    NO_VALUES_TO_UPDATE = "NO_VALUES_TO_UPDATE"
    REFILL_AMOUNT_AND_INTERVAL_REQUIRED = "REFILL_AMOUNT_AND_INTERVAL_REQUIRED"
    REFILL_INTERVAL_AND_AMOUNT_REQUIRED = "REFILL_INTERVAL_AND_AMOUNT_REQUIRED"
    SERVER_ONLY_PROPERTY = "SERVER_ONLY_PROPERTY"
    UNAUTHORIZED_SESSION = "UNAUTHORIZED_SESSION"
    USAGE_EXCEEDED = "USAGE_EXCEEDED"
    API_KEY_SESSION_NOT_ALLOWED = "API_KEY_SESSION_NOT_ALLOWED"


MESSAGES: Mapping[str, str] = {
    ApiKeyErrorCode.EXPIRES_IN_IS_TOO_LARGE: "The expiresIn is larger than the predefined maximum value.",
    ApiKeyErrorCode.EXPIRES_IN_IS_TOO_SMALL: "The expiresIn is smaller than the predefined minimum value.",
    ApiKeyErrorCode.INSUFFICIENT_API_KEY_PERMISSIONS: "The API key lacks the permissions this operation requires.",
    ApiKeyErrorCode.INVALID_API_KEY: "Invalid API key.",
    ApiKeyErrorCode.INVALID_METADATA_TYPE: "metadata must be an object or undefined",
    ApiKeyErrorCode.INVALID_NAME_LENGTH: "The name length is either too large or too small.",
    ApiKeyErrorCode.INVALID_PREFIX_LENGTH: "The prefix length is either too large or too small.",
    ApiKeyErrorCode.INVALID_REFERENCE_ID_FROM_API_KEY: "The reference id from the API key is invalid.",
    ApiKeyErrorCode.KEY_DISABLED: "API Key is disabled",
    ApiKeyErrorCode.KEY_DISABLED_EXPIRATION: "Custom key expiration values are disabled.",
    ApiKeyErrorCode.KEY_EXPIRED: "API Key has expired",
    ApiKeyErrorCode.KEY_NOT_FOUND: "API Key not found",
    ApiKeyErrorCode.METADATA_DISABLED: "Metadata is disabled.",
    ApiKeyErrorCode.NAME_REQUIRED: "API Key name is required.",
    ApiKeyErrorCode.NO_VALUES_TO_UPDATE: "No values to update.",
    ApiKeyErrorCode.REFILL_AMOUNT_AND_INTERVAL_REQUIRED: "refillAmount is required when refillInterval is provided",
    ApiKeyErrorCode.REFILL_INTERVAL_AND_AMOUNT_REQUIRED: "refillInterval is required when refillAmount is provided",
    ApiKeyErrorCode.SERVER_ONLY_PROPERTY: (
        "The property you're trying to set can only be set from the server auth instance only."
    ),
    ApiKeyErrorCode.UNAUTHORIZED_SESSION: "Unauthorized or invalid session",
    ApiKeyErrorCode.USAGE_EXCEEDED: "API Key has reached its usage limit",
    ApiKeyErrorCode.API_KEY_SESSION_NOT_ALLOWED: (
        "A session made from an API key cannot change credentials, sessions, keys or linked accounts: sign in instead."
    ),
}


def api_key_error(
    code: ApiKeyErrorCode,
    status: int = 400,
    *,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> AuthError:
    """The error of `code` with its message, answered with `status`."""
    return AuthError(code, status, MESSAGES[code], headers=headers, extra=extra)
