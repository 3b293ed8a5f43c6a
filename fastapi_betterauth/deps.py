"""Every `Depends()` provider of the toolkit, in one import: `from fastapi_betterauth.deps import current_user`.

Each feature keeps its providers in its own `deps.py`; this module gathers them (they are also re-exported from
`fastapi_betterauth`).
"""

from .api_keys.deps import ApiKeyAuth, api_key
from .api_keys.request import request_api_key
from .api_keys.service import VerifiedApiKey
from .sessions.deps import (
    AuthNotConfiguredError,
    CurrentSession,
    CurrentUser,
    FreshSession,
    OptionalSession,
    OptionalUser,
    VerifiedUser,
    current_session,
    current_user,
    fresh_session,
    get_auth,
    optional_session,
    optional_user,
    verified_user,
)

__all__ = [
    "ApiKeyAuth",
    "AuthNotConfiguredError",
    "CurrentSession",
    "CurrentUser",
    "FreshSession",
    "OptionalSession",
    "OptionalUser",
    "VerifiedApiKey",
    "VerifiedUser",
    "api_key",
    "current_session",
    "current_user",
    "fresh_session",
    "get_auth",
    "optional_session",
    "optional_user",
    "request_api_key",
    "verified_user",
]
