"""`AuthSettings`: every plain option of the toolkit, from code, the environment or `.env`.

Names follow better-auth's options in snake case. Environment variables use the `BETTER_AUTH_` prefix and `__` for
nesting: `BETTER_AUTH_SESSION__EXPIRES_IN=60` sets `AuthSettings().session.expires_in`. Durations accept seconds
(`60`) or ISO 8601 (`PT1M`). Callables (email senders, hooks) are never settings: they are passed to `BetterAuth`.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
from datetime import timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

logger = logging.getLogger("fastapi_betterauth")

Environment = Literal["development", "test", "production"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./better-auth.db"
MIN_SECRET_LENGTH = 32

# Secrets that appear in docs, templates and better-auth's own fallback: never acceptable outside development.
_PLACEHOLDER_SECRETS = frozenset(
    {
        "better-auth-secret-12345678901234567890",
        "secret",
        "changeme",
        "your-secret-here",
        "your-secret-key",
        "super-secret",
        "supersecret",
    }
)
_PLACEHOLDER_MARKERS = (
    "changeme",
    "change-me",
    "change_me",
    "replace-me",
    "replace_me",
    "your-secret",
    "example",
)

_SECONDS = re.compile(r"\s*\d+(?:\.\d+)?\s*")


def _seconds(value: Any) -> Any:
    # Environment values are strings, and pydantic reads a bare "60" as a malformed ISO 8601 duration.
    if isinstance(value, str) and _SECONDS.fullmatch(value):
        return float(value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_seconds)]
"""A duration given as seconds (`60`, also as a string) or ISO 8601 (`PT1M`)."""


class CookieCacheSettings(BaseModel):
    """The `session_data` cookie: a signed or encrypted copy of the session, read instead of the store
    (better-auth `session.cookieCache.*`)."""

    enabled: bool = False
    max_age: Duration = Field(default=timedelta(minutes=5), gt=timedelta(0))
    """How long a cached copy is believed. Without secondary storage, also how long a revoked session may still
    pass on a cache hit."""
    strategy: Literal["compact", "jwt", "jwe"] = "compact"
    """`compact`: HMAC-signed base64url JSON; `jwt`: HS256 JWT; `jwe`: encrypted (dir + A256CBC-HS512)."""
    version: str = "1"
    """Bump to invalidate every cached copy at once (a callable version is passed to `BetterAuth` in code)."""
    exclude_user_fields: list[str] = Field(default_factory=list)
    """User fields (camelCase, e.g. `image`) left out of the cached copy to keep the cookie small."""


class StatelessSettings(BaseModel):
    """Stateless sessions (`session.store = "stateless"`, or no database): the encrypted `session_data` cookie is the
    session, and no session row is ever written or read."""

    max_lifetime: Duration = Field(default=timedelta(days=30), gt=timedelta(0))
    """The longest a session lives after sign-in, however often its cookie is re-minted."""
    refresh_share: float = Field(default=0.2, gt=0, lt=1)
    """Re-mint the cookie (expiry moved `expires_in` ahead, the user re-read from the database) once less than this
    share of `expires_in` remains."""
    revocation: Literal["auto", "off"] = "auto"
    """`auto`: with a database or secondary storage, revocations (sign-out, revoke-*, password change, user
    deletion) are remembered there and checked on every request: one small lookup. `off`: no lookup at all; a
    revoked cookie then stays valid until it expires (only a `cookie_cache.version` bump ends every session)."""


class SessionSettings(BaseModel):
    """Session lifetimes and storage (better-auth `session.*`)."""

    store: Literal["database", "stateless"] = "database"
    """`database`: session rows (in secondary storage when configured). `stateless`: no session rows; the session
    is an encrypted cookie (users and accounts stay in the database). Without a database it is always stateless."""

    expires_in: Duration = Field(default=timedelta(days=7), gt=timedelta(0))
    """Lifetime of a session, and `Max-Age` of the session cookie."""
    update_age: Duration = Field(default=timedelta(days=1), ge=timedelta(0))
    """Sliding refresh: a session is extended once this much of its lifetime has passed (0 = on every read)."""
    fresh_age: Duration = Field(default=timedelta(days=1), ge=timedelta(0))
    """`fresh_session` accepts sessions created less than this long ago (0 disables the check)."""
    remember_me_false_expires_in: Duration = Field(default=timedelta(days=1), gt=timedelta(0))
    """Hard lifetime of a `rememberMe: false` session, never extended (better-auth hard-codes 1 day)."""
    hash_session_tokens: bool = False
    """Store SHA-256(token) instead of the token (breaks sharing the session table with a Node better-auth app)."""
    disable_session_refresh: bool = False
    """Never extend sessions: they end `expires_in` after sign-in."""
    defer_session_refresh: bool = False
    """`GET /get-session` never writes (it answers `needsRefresh`); the client then calls `POST /get-session`."""
    store_session_in_database: bool = False
    """With secondary storage: also keep sessions in the `session` table (by default they live only in storage)."""
    preserve_session_in_database: bool = False
    """With `store_session_in_database`: revoking ends the table row (`expiresAt` = now) instead of deleting it."""
    cookie_cache: CookieCacheSettings = Field(default_factory=CookieCacheSettings)
    stateless: StatelessSettings = Field(default_factory=StatelessSettings)


class ProviderCredentials(BaseModel):
    """A built-in provider's client: `BETTER_AUTH_SOCIAL__GITHUB__CLIENT_ID`, `..._CLIENT_SECRET`."""

    client_id: str
    client_secret: SecretStr | None = None
    override_user_info_on_sign_in: bool = False
    """Copy the provider's name and image (and a verified, unclaimed address) to the user on every sign-in."""


class MicrosoftCredentials(ProviderCredentials):
    tenant: str = "common"


class GitLabCredentials(ProviderCredentials):
    base_url: str = "https://gitlab.com"


class OIDCProviderSettings(BaseModel):
    """Any OpenID Connect provider; its discovery document is fetched at start-up and its issuer checked."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    discovery_url: str
    client_id: str
    client_secret: SecretStr | None = None
    name: str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])
    override_user_info_on_sign_in: bool = False
    token_endpoint_auth_method: Literal["client_secret_basic", "client_secret_post", "none"] | None = None
    """How the client authenticates at the token endpoint, as registered at the provider (better-auth's
    `tokenEndpointAuth.method`). None: `client_secret_post` with a secret, `none` without (better-auth's default)."""

    @model_validator(mode="after")
    def _auth_method_fits_the_secret(self) -> OIDCProviderSettings:
        method = self.token_endpoint_auth_method
        if method in ("client_secret_basic", "client_secret_post") and self.client_secret is None:
            raise ValueError(f"token_endpoint_auth_method {method} needs a client_secret")
        if method == "none" and self.client_secret is not None:
            raise ValueError("token_endpoint_auth_method none cannot have a client_secret")
        return self


class SocialSettings(BaseModel):
    """Sign-in with OAuth / OpenID Connect providers (better-auth `account.accountLinking.*`, provider options)."""

    disable_sign_up: bool = False
    """Only people who already have an account may sign in with a provider."""
    account_linking: bool = True
    """Link a provider to an existing user with the same address, when both vouch for it (see `trusted_providers`)."""
    trusted_providers: list[str] = Field(default_factory=list)
    """Providers whose address is believed even when they do not mark it verified (e.g. `github`)."""
    allow_different_emails: bool = False
    """`link-social` may link a provider account whose address differs from the user's."""
    allow_unlinking_all: bool = False
    """`unlink-account` may remove the last way to sign in."""
    store_state_strategy: Literal["database", "cookie"] = "database"
    """Where a sign-in's OAuth state waits for the callback: a single-use verification row plus a signed `state`
    cookie, or an encrypted `oauth_state` cookie only (for deployments without a database; see the README)."""
    encrypt_oauth_tokens: bool = False
    """Keep provider access and refresh tokens encrypted at rest (better-auth's `$ba$` envelope, XChaCha20-Poly1305,
    readable by a Node better-auth app with `account.encryptOAuthTokens` and the same secrets)."""
    github: ProviderCredentials | None = None
    google: ProviderCredentials | None = None
    microsoft: MicrosoftCredentials | None = None
    discord: ProviderCredentials | None = None
    apple: ProviderCredentials | None = None
    gitlab: GitLabCredentials | None = None
    oidc: list[OIDCProviderSettings] = Field(default_factory=list)
    """Generic OpenID Connect providers (a JSON list in the environment)."""


class BearerSettings(BaseModel):
    """`Authorization: Bearer <signed token>` as an alternative to the cookie (better-auth's bearer plugin)."""

    enabled: bool = False
    """Accept signed bearer tokens and send `set-auth-token` with every new session. Bare tokens never work."""


class EmailAndPasswordSettings(BaseModel):
    """Email and password sign-up and sign-in (better-auth `emailAndPassword.*`)."""

    enabled: bool = True
    disable_sign_up: bool = False
    min_password_length: int = Field(default=8, ge=1)
    max_password_length: int = Field(default=128, ge=1, le=4096)
    auto_sign_in: bool = True
    """Sign the user in right after sign-up."""
    require_email_verification: bool = False
    password_hasher: Literal["argon2id", "better-auth-scrypt"] | None = None
    """None: `argon2id`, or `better-auth-scrypt` with `shared_with_node`. `better-auth-scrypt` keeps every hash in
    the format a Node better-auth app sharing the database can verify (argon2id and bcrypt hashes are moved to it at
    sign-in); `argon2id` moves every other hash to argon2id at sign-in."""
    password_hash_concurrency: int = Field(default=0, ge=0)
    """How many password hashes may run at once in worker threads (0 = the number of CPUs)."""
    password_hash_nice: int = Field(default=19, ge=0, le=19)
    """How far below the rest of the process the hashing threads run (Linux nice steps; 0 = the same priority).
    With 19, hashing takes only what request handling leaves of a CPU (about 1.5% of a saturated one)."""
    reset_password_token_expires_in: Duration = Field(default=timedelta(hours=1), gt=timedelta(0))
    revoke_sessions_on_password_reset: bool = False
    block_common_passwords: bool = False
    """Refuse passwords from the shipped list of common passwords (NIST 800-63B asks for a blocklist)."""


class EmailVerificationSettings(BaseModel):
    """Email verification links (better-auth `emailVerification.*`)."""

    expires_in: Duration = Field(default=timedelta(hours=1), gt=timedelta(0))
    send_on_sign_up: bool | None = None
    """Send a verification email at sign-up; by default when `require_email_verification` is on."""
    send_on_sign_in: bool = False
    """With `require_email_verification`: a sign-in refused for an unverified email sends a fresh link."""
    auto_sign_in_after_verification: bool = False
    """Following the link signs the user in."""


class ChangeEmailSettings(BaseModel):
    enabled: bool = False
    update_email_without_verification: bool = False
    """An unverified current address may be changed at once (a verification link then goes to the new one)."""


class DeleteUserSettings(BaseModel):
    enabled: bool = False
    delete_token_expires_in: Duration = Field(default=timedelta(days=1), gt=timedelta(0))
    """Lifetime of the emailed confirmation link (when account deletion is confirmed by email)."""
    confirm_by_email: bool = False
    """Mail a confirmation link instead of deleting at once (better-auth: `sendDeleteAccountVerification`)."""


class UserSettings(BaseModel):
    """The user's own account (better-auth `user.*`)."""

    change_email: ChangeEmailSettings = Field(default_factory=ChangeEmailSettings)
    delete_user: DeleteUserSettings = Field(default_factory=DeleteUserSettings)


class EmailSettings(BaseModel):
    """Email delivery. With `outbox`, messages are appended to that file as JSON lines; with `smtp_host`, sent by
    SMTP; otherwise printed to the log (development)."""

    outbox: str | None = None
    from_address: str = "no-reply@localhost"
    app_name: str = "fastapi-betterauth"
    """Shown in subjects and bodies of the default templates."""
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: bool = False
    """Implicit TLS (usually port 465)."""
    smtp_starttls: bool = True
    """Upgrade with STARTTLS when the server offers it (port 587)."""
    smtp_timeout: Duration = Field(default=timedelta(seconds=10), gt=timedelta(0))


class IPAddressSettings(BaseModel):
    """How the client IP is found (better-auth `advanced.ipAddress.*`)."""

    ip_address_headers: list[str] = Field(default_factory=lambda: ["x-forwarded-for"])
    trusted_proxies: list[str] = Field(default_factory=list)
    """IPs or CIDRs of reverse proxies whose forwarding headers are believed. Empty: headers are ignored."""
    disable_ip_tracking: bool = False

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        # A typo here must stop start-up, not fail every request later.
        for entry in value:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(f"trusted_proxies: {entry!r} is not an IP address or CIDR network") from None
        return [entry.strip() for entry in value]


class AdvancedSettings(BaseModel):
    """Cookie and request-checking knobs (better-auth `advanced.*`)."""

    cookie_prefix: str = "better-auth"
    use_secure_cookies: bool | None = None
    """Force `Secure` cookies (and the `__Secure-` prefix) on or off; by default on when the base URL is https."""
    disable_csrf_check: bool = False
    """Skip the Origin/Fetch-Metadata checks on cookie-carrying unsafe requests. Never do this in production."""
    disable_origin_check: bool = False
    """Skip the callback URL checks against trusted origins. Never do this in production."""
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    """Largest request body the auth endpoints read."""
    ip_address: IPAddressSettings = Field(default_factory=IPAddressSettings)


class RateLimitRule(BaseModel):
    """At most `max` requests per `window` seconds (better-auth's `{window, max}`)."""

    model_config = ConfigDict(frozen=True)

    window: int = Field(ge=1)
    """Seconds."""
    max: int = Field(ge=1)


class AccountThrottleSettings(BaseModel):
    """Throttling of failed email/password sign-ins per account (docs/security.md L2, L4; README "Rate limiting")."""

    enabled: bool = True
    max_failures: int = Field(default=10, ge=1)
    """Failed sign-ins for one email from one client network (an IPv4 address, an IPv6 /64) before that network is
    refused for that email until the window ends."""
    max_failures_all_networks: int = Field(default=100, ge=1)
    """Failed sign-ins for one email from all networks together before the email is refused to networks that have
    not signed in to it lately (NIST 800-63B: at most 100)."""
    window: Duration = Field(default=timedelta(minutes=15), ge=timedelta(seconds=1))
    known_network_ttl: Duration = Field(default=timedelta(days=30), ge=timedelta(0))
    """How long a network that signed in successfully stays exempt from `max_failures_all_networks` (0: never)."""


class RateLimitSettings(BaseModel):
    """Request limits per client IP and route (better-auth `rateLimit.*`), and failed sign-ins per account."""

    enabled: bool | None = None
    """None: on unless `environment` is `development`."""
    window: int = Field(default=10, ge=1)
    """Seconds; with `max`, the rule of routes without a special or custom one."""
    max: int = Field(default=100, ge=1)
    storage: Literal["memory", "database", "secondary-storage"] | None = None
    """None: `secondary-storage` when secondary storage is configured, else `memory`."""
    custom_rules: dict[str, RateLimitRule | Literal[False]] = Field(default_factory=dict)
    """Path (relative to `base_path`, `*`/`**` wildcards allowed) to a rule or `false` (not limited). JSON in the
    environment: `{"/sign-in/email": {"window": 60, "max": 5}, "/get-session": false}`."""
    account: AccountThrottleSettings = Field(default_factory=AccountThrottleSettings)


class ConnectionSettings(BaseModel):
    """How the database and secondary-storage connections behave when those services are slow or gone. A request
    that cannot reach them answers 503 `SERVICE_UNAVAILABLE` within these bounds, never hangs, never signs anyone
    out; connections are re-made as soon as the service is back."""

    database_pool_size: int = Field(default=20, ge=1)
    """Connections kept open per process (PostgreSQL)."""
    database_max_overflow: int = Field(default=10, ge=0)
    """Extra connections opened under load beyond the pool, closed when returned."""
    database_pool_timeout: Duration = Field(default=timedelta(seconds=5), gt=timedelta(0))
    """How long a request waits for a free connection before answering 503."""
    database_connect_timeout: Duration = Field(default=timedelta(seconds=3), gt=timedelta(0))
    """How long opening a connection may take (PostgreSQL)."""
    database_command_timeout: Duration = Field(default=timedelta(seconds=10), gt=timedelta(0))
    """How long one statement may take (PostgreSQL)."""
    database_pre_ping: bool = True
    """Test a pooled connection before use, so a database restart costs no request an error."""
    storage_timeout: Duration = Field(default=timedelta(seconds=1), gt=timedelta(0))
    """Connect and command timeout of secondary storage (Redis)."""


class AuthSettings(BaseSettings):
    """All plain options. Read from the environment (`BETTER_AUTH_*`), `.env`, or passed explicitly."""

    model_config = SettingsConfigDict(
        env_prefix="BETTER_AUTH_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        validate_default=True,
        # Explicit values use the field names; the environment only the prefixed (or documented) names. A field
        # name in the aliases would also match an unrelated `SECRET`, `URL` or `DATABASE_URL` env var first.
        validate_by_name=True,
        validate_by_alias=True,
    )

    secret: SecretStr | None = Field(default=None, validation_alias=AliasChoices("BETTER_AUTH_SECRET", "AUTH_SECRET"))
    """Signs cookies and derives encryption keys. At least 32 random characters outside development."""
    url: str = Field(default="http://localhost:8000", validation_alias=AliasChoices("BETTER_AUTH_URL"))
    """Public base URL of the app (scheme, host, port). Decides Secure cookies and the first trusted origin."""
    base_path: str = "/api/auth"
    """Where `auth.router` is mounted; used to build links in emails and redirects."""
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("BETTER_AUTH_DATABASE_URL", "DATABASE_URL"),
    )
    """SQLAlchemy async URL: `sqlite+aiosqlite:///./file.db` or `postgresql+asyncpg://user@host/db`."""
    environment: Environment = "production"
    """`development` tolerates a missing secret (a random one is generated per process, with a warning)."""
    trusted_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Extra origins (beyond the base URL's) allowed to send cookie-carrying requests and to be redirected to.
    From the environment as a comma-separated list: `BETTER_AUTH_TRUSTED_ORIGINS=https://a.example,https://b.example`.
    Patterns with `*` and custom schemes (`myapp://`) are accepted."""

    secrets: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Versioned secrets for rotation, newest first: `BETTER_AUTH_SECRETS=2:new-secret,1:old-secret`. The first signs
    and encrypts; all of them (and `secret`) verify and decrypt, so rotating signs nobody out."""
    shared_with_node: bool = False
    """A Node better-auth app uses the same database: keep everything in the formats it reads. Implies the
    `better-auth-scrypt` password hasher (so nobody is moved off better-auth's scrypt), and start-up refuses settings
    that would break the Node app (`session.hash_session_tokens`, an explicit `argon2id` hasher). See the README,
    "Sharing a database with a Node better-auth app"."""
    secondary_storage_url: str | None = None
    """`redis://host:6379/0` (or `memory://` for one process): sessions and the per-user session index live there."""

    session: SessionSettings = Field(default_factory=SessionSettings)
    email_and_password: EmailAndPasswordSettings = Field(default_factory=EmailAndPasswordSettings)
    email_verification: EmailVerificationSettings = Field(default_factory=EmailVerificationSettings)
    user: UserSettings = Field(default_factory=UserSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    social: SocialSettings = Field(default_factory=SocialSettings)
    bearer: BearerSettings = Field(default_factory=BearerSettings)
    advanced: AdvancedSettings = Field(default_factory=AdvancedSettings)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    connections: ConnectionSettings = Field(default_factory=ConnectionSettings)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Each plugin's options by plugin id; a built-in plugin with `enabled: true` here runs without code
    (`BETTER_AUTH_PLUGINS__API_KEY__ENABLED=true`). JSON values are accepted for list and object options."""

    api_key: dict[str, Any] | None = Field(default=None, exclude=True)
    """No longer read: API keys are a plugin, configured under `plugins.api_key`. Kept so that old settings stop
    start-up with that news instead of being ignored."""

    @field_validator("api_key", mode="after")
    @classmethod
    def _moved_to_plugins(cls, value: Any) -> Any:
        if value is not None:
            raise ValueError(
                "API key options moved to plugins.api_key (BETTER_AUTH_PLUGINS__API_KEY__..., e.g. "
                "BETTER_AUTH_PLUGINS__API_KEY__ENABLED=true); rate_limit.invalid_api_keys is now "
                "plugins.api_key.invalid_keys"
            )
        return value

    @field_validator("trusted_origins", "secrets", mode="before")
    @classmethod
    def _split_comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"BETTER_AUTH_URL must be an absolute http(s) URL, got {value!r}")
        return value.rstrip("/")

    @field_validator("base_path")
    @classmethod
    def _check_base_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("base_path must start with '/'")
        return value.rstrip("/") or "/"

    @property
    def origin(self) -> str:
        """The origin (`scheme://host[:port]`) of the base URL."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    @property
    def secure_cookies(self) -> bool:
        if self.advanced.use_secure_cookies is not None:
            return self.advanced.use_secure_cookies
        return self.url.startswith("https://")


class InsecureSecretError(RuntimeError):
    """Raised at start-up when the secret is missing, too short or a known placeholder outside development."""


class InsecureSettingsError(RuntimeError):
    """Raised at start-up when settings turn on something unsafe in production without saying so explicitly."""


def resolve_secrets(settings: AuthSettings) -> list[tuple[int | None, str]]:
    """The secrets to use, newest first, as (version, value): `BETTER_AUTH_SECRETS` entries, then `secret` (kept to
    verify what it signed before rotation). Weak ones are refused outside development, as for a single secret."""
    if not settings.secrets:
        return [(None, resolve_secret(settings))]
    versioned: list[tuple[int | None, str]] = []
    for entry in settings.secrets:
        version_text, sep, value = entry.partition(":")
        if not sep or not version_text.strip().isdigit() or not value:
            raise InsecureSecretError(f"BETTER_AUTH_SECRETS entries look like '2:secret-value', got {entry[:12]!r}...")
        version = int(version_text)
        if any(version == known for known, _ in versioned):
            raise InsecureSecretError(f"BETTER_AUTH_SECRETS has version {version} twice")
        problem = _secret_problem(value)
        if problem is not None and settings.environment != "development":
            raise InsecureSecretError(f"BETTER_AUTH_SECRETS version {version} {problem}.")
        versioned.append((version, value))
    legacy = settings.secret.get_secret_value() if settings.secret is not None else ""
    if legacy and all(legacy != value for _, value in versioned):
        versioned.append((None, legacy))
    return versioned


def resolve_secret(settings: AuthSettings) -> str:
    """Return the secret to use, refusing weak ones outside development (there it warns and generates one)."""
    value = settings.secret.get_secret_value() if settings.secret is not None else ""
    problem = _secret_problem(value)
    if problem is None:
        return value
    hint = "Generate one with `python -m fastapi_betterauth secret` and set BETTER_AUTH_SECRET."
    if settings.environment != "development":
        raise InsecureSecretError(
            f"BETTER_AUTH_SECRET {problem} (environment={settings.environment!r}). {hint} "
            "For local experiments only, set BETTER_AUTH_ENVIRONMENT=development."
        )
    if value:
        logger.warning("BETTER_AUTH_SECRET %s; acceptable only in development. %s", problem, hint)
        return value
    logger.warning(
        "BETTER_AUTH_SECRET is not set: using a random secret for this process, so sessions end at restart. %s",
        hint,
    )
    return secrets.token_urlsafe(48)


def _secret_problem(value: str) -> str | None:
    if not value:
        return "is not set"
    lowered = value.lower()
    if lowered in _PLACEHOLDER_SECRETS or any(marker in lowered for marker in _PLACEHOLDER_MARKERS):
        return "is a placeholder value"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(value)) < 10:
        return "has too little variety to be random"
    return None
