"""The `Depends()` providers, and the glue that reads a request's session cookie and writes cookies back.

Each provider is one object, a security class in the style of FastAPI's `APIKeyCookie` (`security/schemes.py`): its
`__call__` is the whole dependency, so a protected route runs one dependency, and its OpenAPI scheme puts the session
cookie in `/docs`' "Authorize" (the bearer token is added to the app's OpenAPI by `auth.lifespan`). The providers
find the `BetterAuth` instance that `auth.lifespan` put on `app.state`, so they are module-level objects users can
put in any route and replace with `app.dependency_overrides[current_user] = ...`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Final, Protocol

from fastapi import Depends, HTTPException, Request, Response

from ..cookies import percent_decode, request_cookies
from ..db.models import User
from ..errors import AuthError, ErrorCode, answered_as_http, is_outage, unauthorized, unavailable
from ..security.origins import SAFE_METHODS
from ..security.schemes import SessionCookieScheme
from .service import AuthSession, SessionLookup

if TYPE_CHECKING:
    from ..parts import AuthParts

logger = logging.getLogger("fastapi_betterauth")

STATE_KEY: Final = "better_auth"
_RESOLVED: Final = "_better_auth_session"


class SessionSource(Protocol):
    """Another credential that stands for a session in this request only (an API key, with the API-key plugin's
    mock sessions). The lookup asks each source when the request carries no session token; a source lives in its
    plugin and is plugged in by `BetterAuth`, so sessions need not know about it."""

    kind: str
    """`AuthSession.source` of the sessions it makes (e.g. `"api_key"`)."""

    def credential(self, request: Request) -> str | None:
        """The credential this request carries, if any (unverified)."""
        ...

    async def session(self, request: Request, credential: str) -> AuthSession:
        """The session it stands for; `AuthError` when it is no good."""
        ...

    def refusal(self) -> AuthError:
        """The error of a route that needs a real session (managing credentials, sessions, keys) and got one of
        these."""
        ...


class AuthNotConfiguredError(RuntimeError):
    """A provider ran in an app whose lifespan did not attach a `BetterAuth` instance."""


def get_auth(request: Request) -> AuthParts:
    """The `BetterAuth` instance of this app (seen through `AuthParts`, what providers and routes use of it)."""
    auth: AuthParts | None = getattr(request.app.state, STATE_KEY, None)
    if auth is None:
        raise AuthNotConfiguredError(
            "No BetterAuth instance on app.state: create the app with `FastAPI(lifespan=auth.lifespan)`, or enter "
            "`async with auth.lifespan(app):` inside your own lifespan. (Tests: run the lifespan, e.g. use "
            "`with TestClient(app) as client:` or asgi-lifespan's LifespanManager.)"
        )
    return auth


async def apply_lookup_cookies(auth: AuthParts, lookup: SessionLookup, request: Request, response: Response) -> None:
    """Re-send the session cookie after a refresh, re-issue the cookie copy after a store read, and clear the
    cookies of a dead session."""
    found, present = lookup.found, request_cookies(request)
    if found is not None and lookup.refreshed:
        remember_me = auth.cookies.remember_me(present)
        await auth.session_cookies.write(response, found, remember_me=remember_me, present=present)
    elif found is not None and lookup.recopy:
        await auth.keeping.write_copy(response, found, present, remember_me=auth.cookies.remember_me(present))
    elif lookup.stale_cookie:
        auth.cookies.clear_session(response, present)


def read_session_token(auth: AuthParts, request: Request) -> tuple[str | None, bool]:
    """The verified session token of a request and whether it came from the cookie (False: a bearer token).

    With bearer tokens enabled, `Authorization: Bearer <token>.<signature>` wins over the cookie. Either way the
    signature is required: a bare token, or one signed with an unknown secret, is no token.
    """
    if auth.settings.bearer.enabled:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return auth.keyring.unsign(percent_decode(credentials.strip())), False
    return auth.cookies.read_signed(request_cookies(request), auth.cookies.session_token), True


async def resolve_session(
    request: Request,
    response: Response,
    *,
    use_cookie_cache: bool = True,
    allow_sources: bool = True,
) -> AuthSession | None:
    """The session presented by this request, looked up once per request.

    The token must carry a valid signature; a bad one is "no session" without touching storage. Unsafe requests
    authenticated by the cookie must pass the origin check (CSRF). With `defer_session_refresh`, safe requests
    never write. Without `allow_sources`, a session made from a plugin's other credential (an API key's mock
    session) answers that source's refusal (403 `API_KEY_SESSION_NOT_ALLOWED`).
    `use_cookie_cache=False` reads the store afresh (neither the cookie cache nor this request's earlier lookup).
    """
    # Cached in the ASGI scope, which belongs to this request alone (`request.state` may be the lifespan's state,
    # shared by every request, under some servers).
    if use_cookie_cache and _RESOLVED in request.scope:
        cached: AuthSession | None = request.scope[_RESOLVED]
        if cached is not None and cached.source != "session" and not allow_sources:
            raise _refusal(get_auth(request), cached.source)
        return cached
    auth = get_auth(request)
    lookup = await _guarded_lookup(auth, request, True, None, use_cookie_cache, allow_sources)
    if lookup.refreshed or lookup.recopy or lookup.stale_cookie:  # a cookie-cache hit has nothing to write
        await apply_lookup_cookies(auth, lookup, request, response)
    if use_cookie_cache:
        request.scope[_RESOLVED] = lookup.found
    return lookup.found


async def lookup_request_session(
    request: Request,
    *,
    refresh: bool = True,
    deferred: bool | None = None,
    use_cookie_cache: bool = True,
    allow_sources: bool = True,
) -> SessionLookup:
    """Look the request's session up, without touching the response (callers decide about cookies).

    `use_cookie_cache=False` asks the store, for sensitive operations that must not act on a stale copy.

    A request without a session token but with a plugin's other credential (an API key, with the API-key plugin's
    mock sessions) gets the session that credential stands for (`source` = the source's kind), enriched like any
    other; without `allow_sources` such a request answers the source's refusal before the credential is even
    looked up (a key is not spent).

    A database or storage that cannot be reached answers 503 `SERVICE_UNAVAILABLE`, never "no session".
    """
    return await _guarded_lookup(get_auth(request), request, refresh, deferred, use_cookie_cache, allow_sources)


async def _guarded_lookup(
    auth: AuthParts,
    request: Request,
    refresh: bool,
    deferred: bool | None,
    use_cookie_cache: bool,
    allow_sources: bool,
) -> SessionLookup:
    try:
        return await _lookup(auth, request, refresh, deferred, use_cookie_cache, allow_sources)
    except (AuthError, HTTPException):
        raise
    except Exception as exc:
        # Never "no session" (which would clear the cookies and sign the user out): 503, and the cookies stay.
        if is_outage(exc):
            logger.warning("session lookup failed, a dependency is unavailable: %s", exc)
            raise unavailable() from exc
        raise


async def _lookup(
    auth: AuthParts,
    request: Request,
    refresh: bool,
    deferred: bool | None,
    use_cookie_cache: bool,
    allow_sources: bool,
) -> SessionLookup:
    token, from_cookie = read_session_token(auth, request)
    for source in auth.session_sources if token is None else ():
        credential = source.credential(request)
        if credential is not None:
            if not allow_sources:
                raise source.refusal()
            # No origin check: such a credential (an API key) travels in a header no browser adds by itself, so it
            # is no ambient credential a cross-site page could borrow (the check is for cookies, and still applies).
            return await _enrich(auth, request, SessionLookup(await source.session(request, credential)))
    if token is not None and from_cookie:
        auth.origins.check(request)
    if deferred is None:
        deferred = auth.settings.session.defer_session_refresh and request.method in SAFE_METHODS
    present = request_cookies(request)
    lookup = await auth.keeping.lookup(
        present,
        token,
        remember_me=auth.cookies.remember_me(present),
        refresh=refresh,
        deferred=deferred,
        use_copy=use_cookie_cache,
    )
    return await _enrich(auth, request, lookup)


def _refusal(auth: AuthParts, kind: str) -> AuthError:
    source = next((source for source in auth.session_sources if source.kind == kind), None)
    return source.refusal() if source is not None else AuthError(ErrorCode.UNAUTHORIZED)


async def _enrich(auth: AuthParts, request: Request, lookup: SessionLookup) -> SessionLookup:
    """Run the session enricher, the same for every kind of session (cookie, bearer, cache hit, API key)."""
    if lookup.found is None or auth.session_enricher is None:
        return lookup
    found = lookup.found
    enrichment = await auth.session_enricher(found.session, found.user, request)
    return replace(lookup, found=replace(found, enrichment=enrichment))


async def require_session(
    request: Request, response: Response, *, sensitive: bool = False, allow_sources: bool | None = None
) -> AuthSession:
    """The request's session, or 401 `UNAUTHORIZED` (for routes of the toolkit itself).

    `sensitive` operations (revocations, credential changes) read the store, never the cookie cache, and refuse
    a session made from another credential (an API key's mock session: 403 `API_KEY_SESSION_NOT_ALLOWED`) unless
    `allow_sources`: a leaked key must not be able to change the password or email, end sessions, manage keys or
    linked accounts, or delete the user.
    """
    if allow_sources is None:
        allow_sources = not sensitive
    found = await resolve_session(request, response, use_cookie_cache=not sensitive, allow_sources=allow_sources)
    if found is None:
        raise unauthorized()
    return found


class OptionalSessionProvider(SessionCookieScheme):
    """`optional_session`: the current session and user, or None."""

    @answered_as_http
    async def __call__(self, request: Request, response: Response) -> AuthSession | None:
        return await resolve_session(request, response)


class CurrentSessionProvider(SessionCookieScheme):
    """`current_session`: the current session and user; 401 `UNAUTHORIZED` without one."""

    @answered_as_http
    async def __call__(self, request: Request, response: Response) -> AuthSession:
        found = await resolve_session(request, response)
        if found is None:
            raise unauthorized()
        return found


class FreshSessionProvider(SessionCookieScheme):
    """`fresh_session`: a session created less than `session.fresh_age` ago; 401 `UNAUTHORIZED` without one, 403
    `SESSION_NOT_FRESH` when it is older."""

    @answered_as_http
    async def __call__(self, request: Request, response: Response) -> AuthSession:
        found = await resolve_session(request, response)
        if found is None:
            raise unauthorized()
        if not get_auth(request).sessions.is_fresh(found):  # a mock session from an API key never is
            raise AuthError(ErrorCode.SESSION_NOT_FRESH)
        return found


class OptionalUserProvider(SessionCookieScheme):
    """`optional_user`: the signed-in user, or None."""

    @answered_as_http
    async def __call__(self, request: Request, response: Response) -> User | None:
        found = await resolve_session(request, response)
        return found.user if found else None


class CurrentUserProvider(SessionCookieScheme):
    """`current_user`: the signed-in user; 401 `UNAUTHORIZED` without one."""

    @answered_as_http
    async def __call__(self, request: Request, response: Response) -> User:
        found = await resolve_session(request, response)
        if found is None:
            raise unauthorized()
        return found.user


class VerifiedUserProvider(SessionCookieScheme):
    """`verified_user`: the signed-in user with a verified email; 401 `UNAUTHORIZED` without one, 403
    `EMAIL_NOT_VERIFIED` when the email is not verified."""

    @answered_as_http
    async def __call__(self, request: Request, response: Response) -> User:
        found = await resolve_session(request, response)
        if found is None:
            raise unauthorized()
        if not found.user.email_verified:
            raise AuthError(ErrorCode.EMAIL_NOT_VERIFIED)
        return found.user


optional_session = OptionalSessionProvider()
"""The current session and user, or None."""
current_session = CurrentSessionProvider()
"""The current session and user; 401 `UNAUTHORIZED` without one."""
fresh_session = FreshSessionProvider()
"""A session created less than `session.fresh_age` ago; 403 `SESSION_NOT_FRESH` otherwise."""
optional_user = OptionalUserProvider()
"""The signed-in user, or None."""
current_user = CurrentUserProvider()
"""The signed-in user; 401 `UNAUTHORIZED` without one."""
verified_user = VerifiedUserProvider()
"""The signed-in user with a verified email; 403 `EMAIL_NOT_VERIFIED` otherwise."""

CurrentSession = Annotated[AuthSession, Depends(current_session)]
OptionalSession = Annotated[AuthSession | None, Depends(optional_session)]
FreshSession = Annotated[AuthSession, Depends(fresh_session)]
CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
VerifiedUser = Annotated[User, Depends(verified_user)]
