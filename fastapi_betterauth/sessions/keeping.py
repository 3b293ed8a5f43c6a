"""`SessionKeeping`: how this instance keeps sessions, as the rest of the system sees it.

Two ways: `StoredSessions` (the session store, with an optional cookie-cache copy in front) and
`StatelessSessions` (the session lives in an encrypted cookie; `sessions/stateless.py`). Lookups, sign-out, the
cookie copy and what can be listed or revoked all go through this seam, so no route or provider asks which mode it
runs in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Protocol

from starlette.responses import Response

from .cache import SessionCookieCache
from .service import AuthSession, SessionLookup, SessionService


class SessionKeeping(Protocol):
    lists_sessions: bool
    """False when the server keeps no sessions of its own to find by token or list (stateless): `/list-sessions`
    answers `SESSION_LIST_UNAVAILABLE`."""

    @property
    def revokes_sessions(self) -> bool:
        """Whether sessions other than the presented one can be ended early."""
        ...

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
        """The live session of a verified `token` (None: no token). `use_copy=False` re-reads what the copy in the
        cookies would answer (the store, or the user from the database), as sensitive operations do."""
        ...

    async def end(self, cookies: Mapping[str, str], token: str) -> None:
        """Sign-out: end the session of `token`."""
        ...

    async def write_copy(
        self, response: Response, found: AuthSession, present: Mapping[str, str], *, remember_me: bool
    ) -> None:
        """Write the session's copy in the cookies (the cookie cache, or the stateless session itself)."""
        ...

    def cookie_max_age(self, found: AuthSession, remember_me: bool) -> timedelta | None:
        """`Max-Age` of the session-token cookie."""
        ...

    def copy_cookie(self, found: AuthSession) -> str | None:
        """The `name=value` of the cookie a client must send besides the session token (stateless: the session
        itself), for `auth.api.session_cookie_header`; None when the token is enough."""
        ...


class StoredSessions:
    """Sessions kept in the session store (database and/or secondary storage), with an optional signed or encrypted
    copy in a cookie that spares the store most reads."""

    lists_sessions = True
    revokes_sessions = True

    def __init__(self, sessions: SessionService, cookie_cache: SessionCookieCache | None) -> None:
        self._sessions = sessions
        self.cookie_cache = cookie_cache

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
        if token is not None and use_copy and self.cookie_cache is not None:
            cached = await self.cookie_cache.read(cookies, token)
            if cached is not None:
                return SessionLookup(cached, from_cache=True)
        lookup = await self._sessions.lookup(token, remember_me=remember_me, refresh=refresh, deferred=deferred)
        if lookup.found is not None and not lookup.refreshed and self.cookie_cache is not None:
            return replace(lookup, recopy=True)
        return lookup

    async def end(self, cookies: Mapping[str, str], token: str) -> None:
        await self._sessions.revoke(token)

    async def write_copy(
        self, response: Response, found: AuthSession, present: Mapping[str, str], *, remember_me: bool
    ) -> None:
        if self.cookie_cache is not None:
            await self.cookie_cache.write(response, found, present, remember_me=remember_me)

    def cookie_max_age(self, found: AuthSession, remember_me: bool) -> timedelta | None:
        return self._sessions.cookie_max_age(remember_me)

    def copy_cookie(self, found: AuthSession) -> str | None:
        return None
