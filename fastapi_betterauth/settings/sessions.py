"""Session options: lifetimes and storage, the cookie cache, stateless sessions, bearer tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field

from ..fields.spec import FieldSpec
from .durations import Duration


class CookieCacheSettings(BaseModel):
    """The `session_data` cookie: a signed or encrypted copy of the session, read instead of the store
    (better-auth `session.cookieCache.*`)."""

    enabled: bool = False
    """Send and believe the `session_data` copy (the docs' "Cookie cache")."""
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
    max_lifetime: Duration | None = Field(default=None, gt=timedelta(0))
    """Absolute lifetime of a stored session: sliding refresh never takes it past `createdAt + max_lifetime`, so an
    active session still ends then (sign in again). None: no limit, as in better-auth. Stateless sessions have their
    own, `stateless.max_lifetime`."""
    max_sessions_per_user: int | None = Field(default=None, ge=1)
    """At most this many live sessions per user: a new sign-in ends the oldest ones beyond it (their delete hooks
    run). None: no limit, as in better-auth. Not for stateless sessions, of which no list exists."""
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
    additional_fields: dict[str, FieldSpec] = Field(default_factory=dict)
    """The app's own session columns (better-auth `session.additionalFields`), set through `/update-session`;
    JSON from the environment, as `user.additional_fields`."""


class BearerSettings(BaseModel):
    """`Authorization: Bearer <signed token>` as an alternative to the cookie (better-auth's bearer plugin)."""

    enabled: bool = False
    """Accept signed bearer tokens and send `set-auth-token` with every new session. Bare tokens never work."""
