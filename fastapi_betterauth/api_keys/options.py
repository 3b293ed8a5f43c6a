"""The API-key plugin's options (better-auth's `apiKey({...})`), under `AuthSettings.plugins.api_key`."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from ..plugins.base import PluginOptions
from ..settings import Duration, RateLimitRule

_INT32_MILLISECONDS = timedelta(milliseconds=2_147_483_647)  # the `apikey` columns hold 32-bit milliseconds


class ApiKeyExpirationSettings(BaseModel):
    """When API keys expire (better-auth `apiKey.keyExpiration.*`; its bounds are days, here durations)."""

    default_expires_in: Duration | None = Field(default=None, gt=timedelta(0))
    """Lifetime of keys created without `expiresIn` (None: they never expire)."""
    disable_custom_expires_time: bool = False
    """Refuse `expiresIn` from callers (400 `KEY_DISABLED_EXPIRATION`)."""
    min_expires_in: Duration = Field(default=timedelta(days=1), ge=timedelta(0))
    """Shortest `expiresIn` accepted (400 `EXPIRES_IN_IS_TOO_SMALL`)."""
    max_expires_in: Duration = Field(default=timedelta(days=365), gt=timedelta(0))
    """Longest `expiresIn` accepted (400 `EXPIRES_IN_IS_TOO_LARGE`)."""


class ApiKeyRateLimitSettings(BaseModel):
    """Per-key rate limit of new keys (better-auth `apiKey.rateLimit.*`): at most `max_requests` verifications per
    `time_window`, the window running from the last allowed request."""

    enabled: bool = True
    """Off: no key is rate limited, whatever its own settings."""
    time_window: Duration = Field(default=timedelta(days=1), gt=timedelta(0), le=_INT32_MILLISECONDS)
    """The window of a key's rate limit."""
    max_requests: int = Field(default=10, ge=0, le=2_147_483_647)
    """Verifications a key allows per window."""


class ApiKeyOptions(PluginOptions):
    """API keys (better-auth's api-key plugin, `apiKey({...})`)."""

    enabled: bool = False
    """Switch the plugin on from settings alone (`BETTER_AUTH_PLUGINS__API_KEY__ENABLED=true`): the `/api-key/*`
    routes, `auth.plugin(ApiKeys)` server calls, the `api_key()` provider and (if asked) mock sessions."""
    headers: list[str] = Field(default_factory=lambda: ["x-api-key"], min_length=1)
    """Request headers a key is read from, first non-empty wins (JSON list in the environment). Never the query."""
    default_prefix: str | None = Field(default=None, pattern=r"^[a-zA-Z0-9_-]+$", max_length=32)
    """Prefix of keys created without one, e.g. `myapp_` (makes leaked keys easy to recognise and scan for)."""
    default_key_length: int = Field(default=64, ge=24, le=256)
    """Random letters per key, prefix excluded (24 letters are 136 bits). Mock sessions refuse shorter keys."""
    starting_characters_length: int = Field(default=6, ge=0, le=16)
    """How many leading characters (prefix included) are kept in `start` to recognise a key (0: none)."""
    minimum_prefix_length: int = Field(default=1, ge=1)
    """Shortest `prefix` accepted on a new key."""
    maximum_prefix_length: int = Field(default=32, ge=1)
    """Longest `prefix` accepted on a new key."""
    minimum_name_length: int = Field(default=1, ge=0)
    """Shortest `name` accepted on a key."""
    maximum_name_length: int = Field(default=32, ge=1)
    """Longest `name` accepted on a key."""
    require_name: bool = False
    """Refuse keys created without a `name`."""
    enable_metadata: bool = False
    """Accept `metadata` (any JSON object) on keys."""
    enable_session_for_api_keys: bool = False
    """Mock sessions: a request with a valid key and no session is signed in as the key's owner for `current_user`,
    `current_session` and `/get-session`. A leaked key then impersonates its owner: see the README."""
    allow_sessions_in_production: bool = False
    """Start-up refuses `enable_session_for_api_keys` with `environment="production"` unless this says you mean it."""
    disable_with_sessions: bool = True
    """When the user secures their account (revokes all or all other sessions, changes the password with
    `revokeOtherSessions`, resets it), their keys are disabled too: a key a stolen session minted would outlive it
    (docs/security.md K6). Re-enabling one then needs a fresh sign-in."""
    key_expiration: ApiKeyExpirationSettings = Field(default_factory=ApiKeyExpirationSettings)
    rate_limit: ApiKeyRateLimitSettings = Field(default_factory=ApiKeyRateLimitSettings)
    invalid_keys: RateLimitRule = Field(default_factory=lambda: RateLimitRule(window=60, max=20))
    """Unknown keys per client network, in every route that reads keys (`api_key(...)`, mock sessions): past `max`
    per `window`, further attempts get 429 before any lookup (docs/api-keys.md)."""
