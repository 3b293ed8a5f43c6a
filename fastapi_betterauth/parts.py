"""`AuthParts`: what the routers and providers use of a configured `BetterAuth`, as an interface below them.

The composition root (`auth.py`) builds every service and hands itself to the routers; they depend on this protocol,
never on the root module, so arrows point down (docs/design.md, "Rules of the house"). `BetterAuth` satisfies it
structurally; mypy checks that wherever it passes itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from fastapi import Request

if TYPE_CHECKING:
    from .cookies import AuthCookies
    from .crypto.keyring import Keyring
    from .db.models import Session, User
    from .email_password.flows import EmailFlows
    from .email_password.service import EmailPasswordService
    from .oauth.account_cookie import AccountCookie
    from .oauth.accounts import AccountService
    from .oauth.service import OAuthService
    from .plugins.base import Plugin
    from .security.origins import OriginPolicy
    from .security.ratelimit import SignInThrottle
    from .sessions.cookie_writer import SessionCookieWriter
    from .sessions.deps import SessionSource
    from .sessions.issuer import SessionIssuer
    from .sessions.keeping import SessionKeeping
    from .sessions.service import ClientInfo, SessionService
    from .settings import AuthSettings
    from .users.service import UserService

SessionEnricher = Callable[["Session", "User", Request], Awaitable[dict[str, Any]]]
"""`async def enrich(session, user, request) -> dict`: runs once per request that has a session. Its result is the
`/get-session` body (better-auth's `customSession`) and `AuthSession.enrichment` in your routes, for every kind of
session (cookie, bearer, cache hit)."""

PluginT = TypeVar("PluginT", bound="Plugin[Any]")


class AuthParts(Protocol):
    settings: AuthSettings
    keyring: Keyring
    cookies: AuthCookies
    origins: OriginPolicy
    has_database: bool
    sessions: SessionService
    keeping: SessionKeeping
    issuer: SessionIssuer
    session_cookies: SessionCookieWriter
    session_sources: tuple[SessionSource, ...]
    session_enricher: SessionEnricher | None
    sign_in_throttle: SignInThrottle
    users: UserService
    email_password: EmailPasswordService
    email_flows: EmailFlows
    oauth: OAuthService
    accounts: AccountService
    account_cookie: AccountCookie

    def client_info(self, request: Request) -> ClientInfo:
        """Where a request came from (client address behind trusted proxies, user agent)."""
        ...

    def require_database(self) -> None:
        """400 `DATABASE_REQUIRED` when running without a database."""
        ...

    def plugin(self, kind: type[PluginT]) -> PluginT:
        """The running plugin of this type; `LookupError` when it is not enabled."""
        ...
