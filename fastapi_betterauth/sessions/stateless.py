"""Stateless sessions: the encrypted `session_data` cookie *is* the session (docs/better-auth.md#stateless-sessions;
docs/security.md T1-T7).

The cookie is better-auth's `jwe` cookie cache, byte for byte (`dir` + `A256CBC-HS512`, key HKDF(secret,
"better-auth-session"), `kid` = key thumbprint), so a better-auth app in stateless mode and this one read each other's
cookies given the same secret. It is believed when it decrypts under a keyring secret (any rotation version, picked
by `kid`), is unexpired, names the signed `session_token` presented with it, carries the configured version, and its
session has not ended. Everything that is not that is one indistinguishable "no session".

Lifetime: a session ends `session.expires_in` after its cookie was last minted and never later than
`session.stateless.max_lifetime` after sign-in. A cookie is re-minted (and the user re-read from the database, when
there is one) once less than `refresh_share` of `expires_in` remains. rememberMe=false sessions are never extended.

Revocation (T6) needs somewhere to remember it: with a database or secondary storage, each request asks the
`SessionRevocations` once; without either, nothing but expiry and a version bump ends a session.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.responses import Response

from ..clock import Clock
from ..cookies import AuthCookies
from ..db.models import Session, User
from ..errors import AuthError, ErrorCode
from ..fields.schema import AuthSchema
from ..schemas import session_out_json
from ..settings import SessionSettings
from .cache import CacheVersion, cache_version, cached_user_json, memoised_copy
from .cookie_cache import MAX_VALUE_LENGTH, CookieCacheCodec
from .copy_memo import CopyMemo, MemoEntry
from .revocation import SessionRevocations
from .service import AuthSession, SessionLookup

logger = logging.getLogger("fastapi_betterauth")

UserLoader = Callable[[str], Awaitable[User | None]]
"""Re-reads a user by id when a cookie is re-minted (None: the user is gone, and so is the session)."""

_MIN_COOKIE_LIFE = timedelta(seconds=1)


class StatelessSessions:
    """Reads, re-mints and writes stateless session cookies: the `SessionKeeping` of stateless mode."""

    lists_sessions = False

    def __init__(
        self,
        settings: SessionSettings,
        codec: CookieCacheCodec,
        cookies: AuthCookies,
        clock: Clock,
        *,
        revocations: SessionRevocations | None = None,
        version: CacheVersion | None = None,
        load_user: UserLoader | None = None,
        schema: AuthSchema | None = None,
    ) -> None:
        if codec.strategy != "jwe":
            raise ValueError("stateless sessions are encrypted: the codec must use the jwe strategy")
        if settings.stateless.max_lifetime < settings.expires_in:
            raise ValueError("session.stateless.max_lifetime must be at least session.expires_in")
        self.settings = settings
        self.revocations = revocations
        self._codec = codec
        self._cookies = cookies
        self._clock = clock
        self._version = version
        self._load_user = load_user
        self._schema = schema if schema else None
        self.memo = CopyMemo()
        """Cookies already found authentic, by exact value (`sessions/copy_memo.py`, docs/security.md S10)."""

    @property
    def revokes_sessions(self) -> bool:
        """Sessions can be ended early only where revocations are remembered."""
        return self.revocations is not None

    async def lookup(
        self,
        cookies: Mapping[str, str],
        token: str | None,
        *,
        remember_me: bool = True,
        refresh: bool = True,
        deferred: bool = False,
        use_copy: bool = True,
    ) -> SessionLookup:
        """The session the request's cookies carry for the verified `token`, re-minted when due (a deferred
        refresh changes nothing here: re-minting writes no storage).

        `use_copy=False`: read the user from the database (when there is one) instead of believing the cookie's
        copy, as sensitive operations do; the cookie is re-issued when the copy was out of date.
        """
        current_user = not use_copy
        if token is None:
            return SessionLookup(None)
        now = self._clock.now()
        decoded = self._decode(cookies, token, now)
        if decoded is None:
            return SessionLookup(None, stale_cookie=True)
        found, entry = decoded
        if entry.version != await self.version_for(found.session, found.user):
            return SessionLookup(None, stale_cookie=True)
        if self.revocations is not None and await self.revocations.is_revoked(
            found.user.id, token, entry.updated_at_ms, now
        ):
            return SessionLookup(None, stale_cookie=True)
        due = refresh and remember_me and not self.settings.disable_session_refresh and self._due(found, now)
        if not (due or (current_user and self._load_user is not None)):
            return SessionLookup(found, from_cache=True)
        user = found.user
        if self._load_user is not None:
            reloaded = await self._load_user(user.id)
            if reloaded is None:
                return SessionLookup(None, stale_cookie=True)  # the user was deleted
            user = reloaded
        if not due:
            excluded = self.settings.cookie_cache.exclude_user_fields
            if cached_user_json(user, excluded) == cached_user_json(found.user, excluded):
                return SessionLookup(replace(found, user=user), from_cache=True)
            return SessionLookup(replace(found, user=user), refreshed=True)
        session = found.session.model_copy(update={"expires_at": self._extended_expiry(found.session, now)})
        session.updated_at = now
        return SessionLookup(replace(found, session=session, user=user), refreshed=True)

    async def end(self, cookies: Mapping[str, str], token: str) -> None:
        """Sign-out: remember that the session these cookies carry is over (when revocations are remembered), so a
        copy of the cookies kept elsewhere stops working too."""
        decoded = self._decode(cookies, token, self._clock.now())
        if decoded is not None and self.revocations is not None:
            await self.revocations.revoke_session(decoded[0].user.id, token, self._clock.now())

    def encode(self, found: AuthSession, *, version: str) -> str:
        """The cookie value for `found`, minted now (see `write`)."""
        now = self._clock.now()
        return self._codec.encode(
            session_out_json(found.session),
            cached_user_json(found.user, self.settings.cookie_cache.exclude_user_fields),
            version=version,
            now=now,
            max_age=max(found.session.expires_at - now, _MIN_COOKIE_LIFE),
        )

    def _decode(self, cookies: Mapping[str, str], token: str, now: datetime) -> tuple[AuthSession, MemoEntry] | None:
        value = self._cookies.read_chunked(cookies, self._cookies.session_data)
        if not value:
            return None
        entry = memoised_copy(self.memo, self._codec, self._schema, value, now)
        if entry is None or entry.token != token:
            return None
        return entry.found(), entry

    def _due(self, found: AuthSession, now: datetime) -> bool:
        remaining = found.session.expires_at - now
        return remaining < self.settings.expires_in * self.settings.stateless.refresh_share and (
            found.session.expires_at < self._absolute_end(found.session)
        )

    def _absolute_end(self, session: Session) -> datetime:
        return session.created_at + self.settings.stateless.max_lifetime

    def _extended_expiry(self, session: Session, now: datetime) -> datetime:
        return min(now + self.settings.expires_in, self._absolute_end(session))

    async def version_for(self, session: Session, user: User) -> str:
        return await cache_version(self._version, self.settings.cookie_cache.version, session, user)

    async def write_copy(
        self, response: Response, found: AuthSession, present: Mapping[str, str], *, remember_me: bool = True
    ) -> None:
        """Mint the cookie for `found` (its chunks replace whatever the request carried).

        `AuthError` `SESSION_TOO_LARGE` when the session cannot be carried in cookies at all: it is never silently
        dropped, which would sign the user out on the next request.
        """
        if found.source != "session":
            return
        value = self.encode(found, version=await self.version_for(found.session, found.user))
        if len(value) > MAX_VALUE_LENGTH:
            raise AuthError(ErrorCode.SESSION_TOO_LARGE)
        max_age = self.cookie_max_age(found, remember_me)
        if not self._cookies.set_chunked(response, self._cookies.session_data, value, max_age, present):
            raise AuthError(ErrorCode.SESSION_TOO_LARGE)

    def copy_cookie(self, found: AuthSession) -> str | None:
        """The stateless session cookie itself, minted with `session.cookie_cache.version`."""
        return f"{self._cookies.session_data}={self.encode(found, version=self.settings.cookie_cache.version)}"

    def check_capacity(self) -> None:
        """Refuse, at start-up, settings under which a session with the longest fields the toolkit accepts (and a
        long User-Agent) would not fit in its cookie: better now than `SESSION_TOO_LARGE` at someone's sign-in."""
        now = self._clock.now()
        widest = "\U0001f600" * 256  # 4 UTF-8 bytes each: the most a 256-character name can take
        user = User(id="u" * 32, name=widest, email=f"{'e' * 64}@{'d' * 185}.com", image="i" * 2048)
        user.created_at = user.updated_at = now
        session = Session(
            id="s" * 32,
            token="t" * 32,
            user_id=user.id,
            expires_at=now + self.settings.expires_in,
            created_at=now,
            updated_at=now,
            ip_address="f" * 45,
            user_agent="a" * 1024,
        )
        value = self._codec.encode(
            session_out_json(session),
            cached_user_json(user, self.settings.cookie_cache.exclude_user_fields),
            version=self.settings.cookie_cache.version,
            now=now,
            max_age=self.settings.expires_in,
        )
        if len(value) > MAX_VALUE_LENGTH:
            raise ValueError(
                f"a stateless session may need {len(value)} bytes of cookie, over the {MAX_VALUE_LENGTH} accepted: "
                "leave user fields out with session.cookie_cache.exclude_user_fields"
            )

    def cookie_max_age(self, found: AuthSession, remember_me: bool) -> timedelta | None:
        """`Max-Age` of the `session_token` cookie: in step with the session cookie."""
        if not remember_me:
            return None
        return max(found.session.expires_at - self._clock.now(), _MIN_COOKIE_LIFE)


class StatelessSessionStore:
    """The `SessionStore` of stateless sessions: nothing is kept, and ending sessions becomes a revocation (when
    `revocations` can remember one; otherwise ending is only what clearing the caller's cookies does)."""

    def __init__(self, revocations: SessionRevocations | None, clock: Clock) -> None:
        self._revocations = revocations
        self._clock = clock

    async def create(self, session: Session, user: User, db: AsyncSession | None = None) -> None:
        """Nothing to store: the cookie is the session."""

    async def load(self, token: str) -> tuple[Session, User] | None:
        return None

    async def extend(self, token: str, expires_at: datetime, updated_at: datetime) -> bool:
        return False

    async def delete(self, token: str) -> None:
        """A token alone names no user: stateless sign-out goes through `StatelessSessions.revoke`."""

    async def list_for_user(self, user_id: str) -> list[Session]:
        return []  # no list is kept; `/list-sessions` says so instead of answering an empty list

    async def delete_owned(self, user_id: str, token_or_handle: str) -> bool:
        if self._revocations is None:
            return False
        await self._revocations.revoke_session(user_id, token_or_handle, self._clock.now())
        return True

    async def delete_for_user(self, user_id: str, *, keep_token: str | None = None) -> None:
        if self._revocations is not None:
            await self._revocations.revoke_user(user_id, self._clock.now(), keep_token=keep_token)

    async def update_fields(self, session: Session, values: Mapping[str, Any], updated_at: datetime) -> bool:
        return True  # the session lives in its cookie, which the caller re-mints

    def matches(self, session: Session, token_or_handle: str) -> bool:
        return session.token == token_or_handle

    async def update_user(self, user: User) -> None:
        """Nothing stored: the caller re-mints the cookie, and other devices catch up when theirs are re-minted."""
