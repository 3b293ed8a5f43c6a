"""The cookie cache in use (docs/better-auth.md#cookie-cache, #session-lookup): believe a valid `session_data` cookie
instead of the store, and re-issue it whenever the store was read.

A cached copy is used only if it decodes under one of our secrets, is unexpired, names the very token presented
with it (a copy grafted next to another session's token is refused), carries the configured version, and its
session has not expired. With secondary storage, a hit also costs one storage read that confirms the session still
exists, so revoking sessions takes effect at once (better-auth #6893); without it, a revoked session may pass on
cache hits until the copy expires (`cookie_cache.max_age`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from starlette.responses import Response

from ..clock import Clock
from ..cookies import AuthCookies
from ..db.models import Session, User
from ..fields.schema import AuthSchema
from ..schemas import session_from_json, session_out_json, user_from_json, user_json
from ..settings import CookieCacheSettings
from .cookie_cache import MAX_VALUE_LENGTH, CachedSession, CookieCacheCodec
from .copy_memo import MEMO_SIZE, CopyMemo, MemoEntry
from .service import AuthSession

logger = logging.getLogger("fastapi_betterauth")

CacheVersion = Callable[[Session, User], Awaitable[str]]
"""`async def version(session, user) -> str`: a per-session cache version (better-auth's callable `version`)."""
StillValid = Callable[[str], Awaitable[bool]]


class SessionCookieCache:
    def __init__(
        self,
        settings: CookieCacheSettings,
        codec: CookieCacheCodec,
        cookies: AuthCookies,
        clock: Clock,
        *,
        version: CacheVersion | None = None,
        still_valid: StillValid | None = None,
        schema: AuthSchema | None = None,
        memo_size: int = MEMO_SIZE,
    ) -> None:
        self.settings = settings
        self._schema = schema if schema else None
        self._codec = codec
        self._cookies = cookies
        self._clock = clock
        self._version = version
        self._still_valid = still_valid
        self.memo = CopyMemo(memo_size)
        """Copies already found authentic, by exact value (`sessions/copy_memo.py`)."""

    async def read(self, cookies: Mapping[str, str], token: str) -> AuthSession | None:
        """The session from a trustworthy cached copy, or None (then the store decides)."""
        value = self._cookies.read_chunked(cookies, self._cookies.session_data)
        if not value:
            return None
        now = self._clock.now()
        entry = memoised_copy(self.memo, self._codec, self._schema, value, now)
        if entry is None or entry.token != token:
            return None
        found = entry.found()
        if self._version is None:  # the configured version: no call to await
            if entry.version != self.settings.version:
                return None
        elif entry.version != await self._version(found.session, found.user):
            return None
        if self._still_valid is not None and not await self._still_valid(token):
            return None
        return found

    async def write(
        self, response: Response, found: AuthSession, present: Mapping[str, str], *, remember_me: bool = True
    ) -> None:
        """Issue a fresh copy of `found` (its chunks replace whatever the request carried). Never for a mock
        session from an API key."""
        if found.source != "session":
            return
        value = self._codec.encode(
            session_out_json(found.session),
            cached_user_json(found.user, self.settings.exclude_user_fields),
            version=await self._version_for(found.session, found.user),
            now=self._clock.now(),
            max_age=self.settings.max_age,
        )
        if len(value) > MAX_VALUE_LENGTH:
            logger.warning("the session is too large for the cookie cache; exclude user fields to shrink it")
            self.clear(response, present)
            return
        max_age = self.settings.max_age if remember_me else None
        if not self._cookies.set_chunked(response, self._cookies.session_data, value, max_age, present):
            logger.warning("the session is too large for the cookie cache (over 100 cookies); not cached")

    def clear(self, response: Response, present: Mapping[str, str]) -> None:
        self._cookies.clear_chunked(response, self._cookies.session_data, present)

    async def _version_for(self, session: Session, user: User) -> str:
        return await cache_version(self._version, self.settings.version, session, user)


async def cache_version(version: CacheVersion | None, configured: str, session: Session, user: User) -> str:
    """The version a session's copy must carry: the callable's answer, else the configured string."""
    return await version(session, user) if version is not None else configured


def memoised_copy(
    memo: CopyMemo, codec: CookieCacheCodec, schema: AuthSchema | None, value: str, now: datetime
) -> MemoEntry | None:
    """What the copy `value` holds, if it is authentic, unexpired and well formed: from `memo` when this very value
    was decoded before and may still be believed, else decoded and checked in full (and then memoised)."""
    entry = memo.get(value, now)
    if entry is not None:
        return entry
    cached = codec.decode(value, now=now)
    if cached is None:
        return None
    found = session_from_cached(cached, schema)
    if found is None or found.session.expires_at <= now:
        return None
    entry = MemoEntry.of(
        found, version=cached.version, copy_expires_at=cached.expires_at, updated_at_ms=cached.updated_at_ms
    )
    memo.put(value, entry)
    return entry


def cached_user_json(user: User, exclude: list[str]) -> dict[str, Any]:
    """The user as a cached copy carries it: better-auth's JSON, less the excluded fields."""
    data = user_json(user)
    for field in exclude:
        data.pop(field, None)
    return data


def session_from_cached(cached: CachedSession, schema: AuthSchema | None = None) -> AuthSession | None:
    """The session and user a decoded copy carries (with the additional values of `schema`'s fields found there),
    or None when they do not make a valid session."""
    user: dict[str, Any] = {"image": None, **cached.user}  # excluded optional fields read as absent
    try:
        if schema is None:
            return AuthSession(session_from_json(cached.session), user_from_json(user))
        return AuthSession(session_from_json(cached.session, schema.session), user_from_json(user, schema.user))
    except ValueError:
        return None
