"""fastapi-betterauth: authentication for FastAPI, wire-compatible with better-auth."""

from .auth import AuthAPI, BetterAuth
from .clock import Clock, ManualClock, SystemClock
from .db.models import Account, Session, User, Verification
from .deps import (
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
from .errors import AuthError, ErrorCode
from .hooks import DatabaseHooks, HookVetoError, ModelHooks
from .sessions.service import AuthSession
from .settings import (
    AdvancedSettings,
    AuthSettings,
    EmailAndPasswordSettings,
    InsecureSecretError,
    IPAddressSettings,
    SessionSettings,
)

__all__ = [
    "Account",
    "AdvancedSettings",
    "AuthAPI",
    "AuthError",
    "AuthNotConfiguredError",
    "AuthSession",
    "AuthSettings",
    "BetterAuth",
    "Clock",
    "CurrentSession",
    "CurrentUser",
    "DatabaseHooks",
    "EmailAndPasswordSettings",
    "ErrorCode",
    "FreshSession",
    "HookVetoError",
    "IPAddressSettings",
    "InsecureSecretError",
    "ManualClock",
    "ModelHooks",
    "OptionalSession",
    "OptionalUser",
    "Session",
    "SessionSettings",
    "SystemClock",
    "User",
    "Verification",
    "VerifiedUser",
    "current_session",
    "current_user",
    "fresh_session",
    "get_auth",
    "optional_session",
    "optional_user",
    "verified_user",
]
