"""`AuthSettings`, the root of every plain option."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .connections import ConnectionSettings
from .email import EmailAndPasswordSettings, EmailSettings, EmailVerificationSettings, UserSettings
from .security import AdvancedSettings, RateLimitSettings
from .sessions import BearerSettings, SessionSettings
from .social import SocialSettings

Environment = Literal["development", "test", "production"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./better-auth.db"


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
    """`postgresql://user:password@host/db` (or `postgres://`, with `?sslmode=require` if needed),
    `mysql://user:password@host/db` (or `mariadb://`) or `sqlite:///./file.db`; mapped to the async drivers (asyncpg,
    aiomysql, aiosqlite), docs/concepts/database.md#database-urls."""
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
        if self.advanced.host_prefix_cookies:
            return True
        if self.advanced.use_secure_cookies is not None:
            return self.advanced.use_secure_cookies
        return self.url.startswith("https://")
