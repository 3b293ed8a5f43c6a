"""fastapi-betterauth: authentication for FastAPI, wire-compatible with better-auth. Installed from PyPI as
`fastapi-betterauth-kit` (README "Use it in your app")."""

from ._version import __version__
from .api import AuthAPI
from .api_keys.models import ApiKey
from .api_keys.options import ApiKeyOptions
from .api_keys.plugin import ApiKeys
from .auth import BetterAuth
from .clock import Clock, ManualClock, SystemClock
from .db.models import Account, Session, User, Verification
from .db.schema_check import SchemaConflictError
from .deps import (
    ApiKeyAuth,
    AuthNotConfiguredError,
    CurrentSession,
    CurrentUser,
    FreshSession,
    OptionalSession,
    OptionalUser,
    VerifiedApiKey,
    VerifiedUser,
    api_key,
    current_session,
    current_user,
    fresh_session,
    get_auth,
    optional_session,
    optional_user,
    request_api_key,
    verified_user,
)
from .errors import AuthError, AuthHTTPException, ErrorCode
from .fields import FieldSpec
from .fields.typed import UserView, user_view
from .hooks import DatabaseHooks, HookVetoError, ModelHooks
from .plugins import AuthContext, Plugin, PluginOptions
from .sessions.service import AuthSession
from .settings import (
    AdvancedSettings,
    AuthSettings,
    EmailAndPasswordSettings,
    InsecureSecretError,
    IPAddressSettings,
    RateLimitRule,
    RateLimitSettings,
    SessionSettings,
)

__all__ = [
    "Account",
    "AdvancedSettings",
    "ApiKey",
    "ApiKeyAuth",
    "ApiKeyOptions",
    "ApiKeys",
    "AuthAPI",
    "AuthContext",
    "AuthError",
    "AuthHTTPException",
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
    "FieldSpec",
    "FreshSession",
    "HookVetoError",
    "IPAddressSettings",
    "InsecureSecretError",
    "ManualClock",
    "ModelHooks",
    "OptionalSession",
    "OptionalUser",
    "Plugin",
    "PluginOptions",
    "RateLimitRule",
    "RateLimitSettings",
    "SchemaConflictError",
    "Session",
    "SessionSettings",
    "SystemClock",
    "User",
    "UserView",
    "Verification",
    "VerifiedApiKey",
    "VerifiedUser",
    "__version__",
    "api_key",
    "current_session",
    "current_user",
    "fresh_session",
    "get_auth",
    "optional_session",
    "optional_user",
    "request_api_key",
    "user_view",
    "verified_user",
]
