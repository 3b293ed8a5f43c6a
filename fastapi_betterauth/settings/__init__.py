"""`AuthSettings`: every plain option of the toolkit, from code, the environment or `.env`.

Names follow better-auth's options in snake case. Environment variables use the `BETTER_AUTH_` prefix and `__` for
nesting: `BETTER_AUTH_SESSION__EXPIRES_IN=60` sets `AuthSettings().session.expires_in`. Durations accept seconds
(`60`) or ISO 8601 (`PT1M`). Callables (email senders, hooks) are never settings: they are passed to `BetterAuth`.

The option models live by area (`sessions`, `email`, `social`, `security`, `connections`), the root in `root`, and
the start-up checks of the secrets in `checks`; every name is importable from here.
"""

from __future__ import annotations

from .checks import (
    MIN_SECRET_LENGTH,
    InsecureSecretError,
    InsecureSettingsError,
    resolve_secret,
    resolve_secrets,
)
from .connections import ConnectionSettings
from .durations import Duration
from .email import (
    ChangeEmailSettings,
    DeleteUserSettings,
    EmailAndPasswordSettings,
    EmailSettings,
    EmailVerificationSettings,
    UserSettings,
)
from .root import DEFAULT_DATABASE_URL, AuthSettings, Environment
from .security import (
    AccountThrottleSettings,
    AdvancedSettings,
    IPAddressSettings,
    RateLimitRule,
    RateLimitSettings,
)
from .sessions import BearerSettings, CookieCacheSettings, SessionSettings, StatelessSettings
from .social import (
    GitLabCredentials,
    MicrosoftCredentials,
    OIDCProviderSettings,
    ProviderCredentials,
    SocialSettings,
)

__all__ = [
    "DEFAULT_DATABASE_URL",
    "MIN_SECRET_LENGTH",
    "AccountThrottleSettings",
    "AdvancedSettings",
    "AuthSettings",
    "BearerSettings",
    "ChangeEmailSettings",
    "ConnectionSettings",
    "CookieCacheSettings",
    "DeleteUserSettings",
    "Duration",
    "EmailAndPasswordSettings",
    "EmailSettings",
    "EmailVerificationSettings",
    "Environment",
    "GitLabCredentials",
    "IPAddressSettings",
    "InsecureSecretError",
    "InsecureSettingsError",
    "MicrosoftCredentials",
    "OIDCProviderSettings",
    "ProviderCredentials",
    "RateLimitRule",
    "RateLimitSettings",
    "SessionSettings",
    "SocialSettings",
    "StatelessSettings",
    "UserSettings",
    "resolve_secret",
    "resolve_secrets",
]
