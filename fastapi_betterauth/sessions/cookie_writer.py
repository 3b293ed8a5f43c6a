"""`SessionCookieWriter`: the one place a session reaches the browser (its cookie, the cookie-cache copy or stateless
session, and the bearer header)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from starlette.responses import Response

from ..cookies import AuthCookies
from ..crypto.keyring import Keyring
from ..crypto.tokens import sign_value
from ..db.models import User
from .cache import SessionCookieCache
from .service import AuthSession, SessionService
from .stateless import StatelessSessions


class SessionCookieWriter:
    def __init__(
        self,
        cookies: AuthCookies,
        sessions: SessionService,
        keyring: Keyring,
        *,
        stateless: StatelessSessions | None,
        cookie_cache: SessionCookieCache | None,
        bearer: bool,
    ) -> None:
        self._cookies = cookies
        self._sessions = sessions
        self._keyring = keyring
        self._stateless = stateless
        self._cookie_cache = cookie_cache
        self._bearer = bearer

    async def write(
        self, response: Response, found: AuthSession, *, remember_me: bool, present: Mapping[str, str] | None = None
    ) -> None:
        """Set the session cookie, its cookie-cache copy when enabled, and with bearer tokens on, expose the signed
        token in `set-auth-token`. `present`: the request's cookies (stale cache chunks are expired)."""
        if found.source != "session":
            return  # a session made from another credential (an API key) never gets a cookie
        cookies = self._cookies
        if self._stateless is not None:
            await self._stateless.write(response, found, present or {}, remember_me=remember_me)
            max_age = self._stateless.cookie_max_age(found, remember_me)
        else:
            max_age = self._sessions.cookie_max_age(remember_me)
        cookies.set_session(response, found.session.token, max_age=max_age)
        if remember_me and present and cookies.dont_remember in present:
            cookies.expire(response, cookies.dont_remember)  # a remembered session follows a forgotten one
        if self._cookie_cache is not None:
            await self._cookie_cache.write(response, found, present or {}, remember_me=remember_me)
        if self._bearer:
            response.headers["set-auth-token"] = sign_value(self._keyring.current, found.session.token)
            response.headers["access-control-expose-headers"] = "set-auth-token"

    async def show_user_change(
        self, response: Response, found: AuthSession, user: User, present: Mapping[str, str]
    ) -> None:
        """Re-send the session cookies after a change to the signed-in `user`, as better-auth does after every user
        change: the session cookie again (a fresh `Max-Age`), and the cookie cache or stateless session showing the
        change at once."""
        remember_me = self._cookies.read_signed(present, self._cookies.dont_remember) is None
        await self.write(response, replace(found, user=user), remember_me=remember_me, present=present)
