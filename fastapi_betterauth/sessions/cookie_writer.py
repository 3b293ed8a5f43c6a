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
from .keeping import SessionKeeping
from .service import AuthSession


class SessionCookieWriter:
    def __init__(
        self,
        cookies: AuthCookies,
        keeping: SessionKeeping,
        keyring: Keyring,
        *,
        bearer: bool,
    ) -> None:
        self._cookies = cookies
        self._keeping = keeping
        self._keyring = keyring
        self._bearer = bearer

    async def write(
        self, response: Response, found: AuthSession, *, remember_me: bool, present: Mapping[str, str] | None = None
    ) -> None:
        """Set the session cookie, its copy (the cookie cache, or the stateless session), and with bearer tokens on,
        expose the signed
        token in `set-auth-token`. `present`: the request's cookies (stale cache chunks are expired)."""
        if found.source != "session":
            return  # a session made from another credential (an API key) never gets a cookie
        cookies = self._cookies
        cookies.set_session(response, found.session.token, max_age=self._keeping.cookie_max_age(found, remember_me))
        if remember_me and present and cookies.dont_remember in present:
            cookies.expire(response, cookies.dont_remember)  # a remembered session follows a forgotten one
        await self._keeping.write_copy(response, found, present or {}, remember_me=remember_me)
        for set_cookie in found.set_cookies:
            response.headers.append("set-cookie", set_cookie)
        if self._bearer:
            response.headers["set-auth-token"] = sign_value(self._keyring.current, found.session.token)
            response.headers["access-control-expose-headers"] = "set-auth-token"

    async def show_user_change(
        self, response: Response, found: AuthSession, user: User, present: Mapping[str, str]
    ) -> None:
        """Re-send the session cookies after a change to the signed-in `user`, as better-auth does after every user
        change: the session cookie again (a fresh `Max-Age`), and the cookie cache or stateless session showing the
        change at once."""
        await self.write(
            response, replace(found, user=user), remember_me=self._cookies.remember_me(present), present=present
        )
