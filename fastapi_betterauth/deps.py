"""Every `Depends()` provider of the toolkit, in one import: `from fastapi_betterauth.deps import current_user`.

Each feature keeps its providers in its own `deps.py`; this module gathers them (they are also re-exported from
`fastapi_betterauth`).
"""

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
    "AuthNotConfiguredError",
    "CurrentSession",
    "CurrentUser",
    "FreshSession",
    "OptionalSession",
    "OptionalUser",
    "VerifiedUser",
    "current_session",
    "current_user",
    "fresh_session",
    "get_auth",
    "optional_session",
    "optional_user",
    "verified_user",
]
