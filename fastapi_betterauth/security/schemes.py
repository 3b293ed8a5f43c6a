"""How a request authenticates, as OpenAPI (and so `/docs`' "Authorize" button) sees it.

The session providers (`current_user`, ...) are security classes in the style of FastAPI's `fastapi/security/`
(`APIKeyCookie`, `HTTPBearer`): one object that is both the dependency and the OpenAPI scheme, so that a protected
route costs one dependency, not a chain. Their base, `SessionCookieScheme`, is here; the providers themselves are in
`sessions/deps.py`.

A provider is one dependency, and FastAPI documents one scheme per dependency: the providers declare the cookie.
The bearer token, its alternative when `bearer.enabled`, is added to the app's OpenAPI by `offer_bearer_in_openapi`
(run by `auth.lifespan`), so that no second, documentation-only dependency runs on every protected request.

The auth routes read their session inside the route (`require_session`), so they declare it to OpenAPI with
`session_security(...)`: dependencies that document the schemes and do nothing at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Security, params
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.models import APIKey, APIKeyIn, HTTPBearer
from fastapi.openapi.models import SecurityBase as SecuritySchemeModel
from fastapi.security.base import SecurityBase

if TYPE_CHECKING:
    from ..cookies import AuthCookies

SESSION_COOKIE_SCHEME = "betterAuthSession"
"""OpenAPI name of the session cookie scheme."""
BEARER_SCHEME = "betterAuthBearer"
"""OpenAPI name of the bearer token scheme (`bearer.enabled`)."""
DEFAULT_SESSION_COOKIE = "better-auth.session_token"

_COOKIE_DESCRIPTION = (
    "The signed session cookie set by sign-in (`__Secure-` prefixed when the base URL is https, `__Host-` with "
    "`advanced.host_prefix_cookies`)."
)
_BEARER_DESCRIPTION = "`token.signature` as sent in `set-auth-token` (when `bearer.enabled`)."

# One model shared by every session provider: the providers are module-level objects made before any settings
# exist, so the cookie name they document is set by `session_security`, i.e. by the most recently built auth router.
_provider_cookie = APIKey(**{"in": APIKeyIn.cookie}, name=DEFAULT_SESSION_COOKIE, description=_COOKIE_DESCRIPTION)


def session_cookie_model(name: str) -> APIKey:
    """The OpenAPI scheme of a session cookie named `name`."""
    return APIKey(**{"in": APIKeyIn.cookie}, name=name, description=_COOKIE_DESCRIPTION)


def bearer_model() -> HTTPBearer:
    """The OpenAPI scheme of a signed bearer token."""
    return HTTPBearer(description=_BEARER_DESCRIPTION)


class SessionCookieScheme(SecurityBase):
    """A provider that reads the session: documented in OpenAPI as the session cookie (an API key in a cookie,
    named after the configured cookie), under the scheme name `betterAuthSession`.

    Subclasses implement `__call__`, which FastAPI runs as the dependency. Instances are hashable by identity, so
    `app.dependency_overrides[instance]` replaces exactly that provider.
    """

    model: APIKey

    def __init__(self) -> None:
        self.model = _provider_cookie
        self.scheme_name = SESSION_COOKIE_SCHEME


class DocumentedScheme(SecurityBase):
    """A scheme that only documents: it answers None and checks nothing (the route checks the credential)."""

    def __init__(self, model: SecuritySchemeModel, scheme_name: str) -> None:
        self.model = model
        self.scheme_name = scheme_name

    async def __call__(self) -> None:
        return None


def session_security(cookies: AuthCookies, *, bearer: bool) -> list[params.Depends]:
    """Route dependencies declaring that an auth route needs a session: the session cookie, or (with `bearer`, when
    `bearer.enabled`) a bearer token. They check nothing (the route does) and answer None.

    Also makes the session providers document this cookie name (they cannot know the settings themselves).
    """
    cookie_name = cookies.session_token
    _provider_cookie.name = cookie_name
    schemes = [DocumentedScheme(session_cookie_model(cookie_name), SESSION_COOKIE_SCHEME)]
    if bearer:
        schemes.append(DocumentedScheme(bearer_model(), BEARER_SCHEME))
    return [Security(scheme) for scheme in schemes]


_COOKIE_REQUIREMENT: dict[str, list[str]] = {SESSION_COOKIE_SCHEME: []}
_BEARER_REQUIREMENT: dict[str, list[str]] = {BEARER_SCHEME: []}


class _BearerOffering:
    """`app.openapi`, wrapped: the schema with the bearer token offered next to the session cookie."""

    def __init__(self, app: FastAPI) -> None:
        self.build = app.openapi
        self.enabled = False

    def __call__(self) -> dict[str, Any]:
        schema = self.build()
        if self.enabled:
            offer_bearer(schema)
        return schema


def offer_bearer_in_openapi(app: FastAPI, *, enabled: bool) -> None:
    """Make `app`'s OpenAPI (so `/docs`' "Authorize") offer the bearer token wherever it asks for the session cookie,
    while `enabled`. Wraps `app.openapi` once, as FastAPI's "Extending OpenAPI" recipe does; a later call (another
    lifespan of the same app) only switches the offer, and drops a schema cached before it changed."""
    offering = app.openapi
    if not isinstance(offering, _BearerOffering):
        offering = _BearerOffering(app)
        app.openapi = offering  # type: ignore[method-assign]
    if offering.enabled != enabled:
        offering.enabled = enabled
        app.openapi_schema = None


def offer_bearer(schema: dict[str, Any]) -> None:
    """Add the bearer token as the alternative to the session cookie in each operation of `schema` (an OpenAPI
    document) that asks for the cookie and does not offer it yet, and its scheme to the components."""
    offered = False
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            security = operation.get("security") if isinstance(operation, dict) else None
            if not security or _COOKIE_REQUIREMENT not in security:
                continue
            offered = True
            if _BEARER_REQUIREMENT not in security:
                security.insert(security.index(_COOKIE_REQUIREMENT) + 1, dict(_BEARER_REQUIREMENT))
    if offered:
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes.setdefault(BEARER_SCHEME, jsonable_encoder(bearer_model(), by_alias=True, exclude_none=True))
