"""The providers as security classes: one dependency each, replaceable with `dependency_overrides`, and documented
in OpenAPI (the session cookie, the bearer token when enabled, API keys), like the auth routes that need a
session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase

from fastapi_betterauth import (
    ApiKey,
    AuthNotConfiguredError,
    AuthSession,
    BetterAuth,
    Session,
    User,
    VerifiedApiKey,
    api_key,
    current_session,
    current_user,
    fresh_session,
    optional_session,
    optional_user,
    verified_user,
)

from ..conftest import BASE_URL, AuthFactory, build_app

PROVIDERS: dict[str, Callable[..., Any]] = {
    "current_session": current_session,
    "current_user": current_user,
    "optional_session": optional_session,
    "optional_user": optional_user,
    "fresh_session": fresh_session,
    "verified_user": verified_user,
}
SESSION: list[dict[str, list[str]]] = [{"betterAuthSession": []}, {"betterAuthBearer": []}]
COOKIE_ONLY: list[dict[str, list[str]]] = [{"betterAuthSession": []}]

# Every auth route that needs a session (with the `/api-key/*` routes mounted).
SESSION_ROUTES = {
    ("get", "/api/auth/list-sessions"),
    ("post", "/api/auth/revoke-session"),
    ("post", "/api/auth/revoke-sessions"),
    ("post", "/api/auth/revoke-other-sessions"),
    ("post", "/api/auth/update-session"),
    ("post", "/api/auth/update-user"),
    ("post", "/api/auth/change-email"),
    ("post", "/api/auth/delete-user"),
    ("get", "/api/auth/delete-user/callback"),
    ("post", "/api/auth/change-password"),
    ("post", "/api/auth/verify-password"),
    ("post", "/api/auth/link-social"),
    ("get", "/api/auth/list-accounts"),
    ("post", "/api/auth/unlink-account"),
    ("post", "/api/auth/get-access-token"),
    ("post", "/api/auth/refresh-token"),
    ("get", "/api/auth/account-info"),
    ("post", "/api/auth/api-key/create"),
    ("get", "/api/auth/api-key/get"),
    ("get", "/api/auth/api-key/list"),
    ("post", "/api/auth/api-key/update"),
    ("post", "/api/auth/api-key/delete"),
}


def fake_session() -> AuthSession:
    now = datetime.now(UTC)
    user = User(id="u" * 32, name="Test", email="test@example.com", email_verified=True)
    session = Session(id="s" * 32, token="t" * 32, user_id=user.id, expires_at=now + timedelta(days=1))
    return AuthSession(session, user)


def provider_app(auth: BetterAuth, provider: Any) -> FastAPI:
    """`build_app`, plus `/under-test` answering what `provider` gives."""
    app = build_app(auth)

    dependency = Depends(provider)  # a default, not `Annotated`: annotations cannot see this function's locals

    @app.post("/under-test")
    async def under_test(found: Any = dependency) -> dict[str, Any]:
        user = found.user if isinstance(found, AuthSession | VerifiedApiKey) else found
        return {"user": user.id if user is not None else None}

    return app


async def post(app: FastAPI, path: str) -> httpx.Response:
    return await request(app, "POST", path)


async def request(app: FastAPI, method: str, path: str) -> httpx.Response:
    """One request to the running app (its lifespan entered and left around it)."""
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            return await client.request(method, path)


def openapi(auth: BetterAuth, *routes: tuple[str, Any]) -> dict[str, Any]:
    """The OpenAPI of `build_app` plus `routes`, as built before the lifespan (e.g. exported by a script)."""
    schema: dict[str, Any] = app_with(auth, *routes).openapi()
    return schema


def app_with(auth: BetterAuth, *routes: tuple[str, Any]) -> FastAPI:
    app = build_app(auth)
    for path, provider in routes:
        app.add_api_route(path, _answer_none, dependencies=[Depends(provider)])
    return app


async def served_openapi(app: FastAPI) -> dict[str, Any]:
    """`/openapi.json` as `/docs` reads it, from the running app."""
    response = await request(app, "GET", "/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


async def _answer_none() -> None:
    return None


@pytest.mark.parametrize("name", PROVIDERS)
async def test_each_provider_can_be_overridden(auth: BetterAuth, name: str) -> None:
    """`app.dependency_overrides[provider]` replaces it, with no session (or request) at all."""
    provider = PROVIDERS[name]
    app = provider_app(auth, provider)
    assert (await post(app, "/under-test")).status_code == (200 if name.startswith("optional") else 401)
    found = fake_session()
    app.dependency_overrides[provider] = (lambda: found.user) if name.endswith("user") else (lambda: found)
    response = await post(app, "/under-test")
    assert response.status_code == 200, response.text
    assert response.json() == {"user": found.user.id}


async def test_overrides_apply_to_the_provider_overridden(app: FastAPI) -> None:
    """Each provider is its own dependency: replacing `current_user` leaves `current_session` alone."""
    app.dependency_overrides[current_user] = lambda: fake_session().user
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            assert (await client.get("/me")).status_code == 200
            assert (await client.get("/session")).status_code == 401


async def test_the_api_key_provider_can_be_overridden(make_auth: AuthFactory) -> None:
    provider = api_key(permissions={"files": ["read"]})
    app = provider_app(make_auth(plugins={"api_key": {"enabled": True}}), provider)
    assert (await post(app, "/under-test")).status_code == 401
    user = fake_session().user
    key = ApiKey(id="k" * 32, reference_id=user.id, key="hashed", created_at=datetime.now(UTC))
    app.dependency_overrides[provider] = lambda: VerifiedApiKey(key, user)
    assert (await post(app, "/under-test")).json() == {"user": user.id}


@pytest.mark.parametrize("name", PROVIDERS)
async def test_each_provider_needs_the_lifespan(auth: BetterAuth, name: str) -> None:
    app = FastAPI()  # no lifespan: nothing attached the instance
    app.add_api_route("/x", _answer_none, dependencies=[Depends(PROVIDERS[name])])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        with pytest.raises(AuthNotConfiguredError, match=r"FastAPI\(lifespan=auth.lifespan\)"):
            await client.get("/x")


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_provider_is_one_dependency(name: str) -> None:
    """The hot path: a route with a provider runs that one dependency, with nothing under it (not even a scheme
    that only documents: the bearer token is offered by the lifespan's OpenAPI)."""
    app = FastAPI()
    app.add_api_route("/x", _answer_none, dependencies=[Depends(PROVIDERS[name])])
    route = next(r for r in app.routes if isinstance(r, APIRoute) and r.path == "/x")
    [provider] = route.dependant.dependencies
    assert provider.call is PROVIDERS[name]
    assert isinstance(provider.call, SecurityBase)
    assert provider.dependencies == []


@pytest.mark.parametrize("name", PROVIDERS)
async def test_app_routes_list_the_session_schemes(make_auth: AuthFactory, name: str) -> None:
    auth = make_auth(advanced={"cookie_prefix": "shop"}, bearer={"enabled": True})
    schema = await served_openapi(app_with(auth, ("/x", PROVIDERS[name])))
    assert schema["paths"]["/x"]["get"]["security"] == SESSION
    schemes = schema["components"]["securitySchemes"]
    assert schemes["betterAuthSession"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "__Secure-shop.session_token",  # the configured name, with the https prefix
        "description": schemes["betterAuthSession"]["description"],
    }
    assert schemes["betterAuthBearer"]["type"] == "http"
    assert schemes["betterAuthBearer"]["scheme"] == "bearer"


@pytest.mark.parametrize("bearer", [True, False])
async def test_the_bearer_token_is_offered_once_the_app_runs_when_enabled(make_auth: AuthFactory, bearer: bool) -> None:
    """Before the lifespan (a schema exported by a script) the providers' routes ask for the cookie; the running app
    offers the bearer token as its alternative there, as on the auth routes, only when bearer tokens are enabled."""
    app = app_with(make_auth(bearer={"enabled": bearer}), ("/x", current_user))
    assert app.openapi()["paths"]["/x"]["get"]["security"] == COOKIE_ONLY  # and cached by FastAPI
    schema = await served_openapi(app)
    expected = SESSION if bearer else COOKIE_ONLY
    assert schema["paths"]["/x"]["get"]["security"] == expected
    assert schema["paths"]["/me"]["get"]["security"] == expected
    assert schema["paths"]["/api/auth/list-sessions"]["get"]["security"] == expected
    assert schema["paths"]["/api/auth/sign-in/email"]["post"].get("security") is None
    assert ("betterAuthBearer" in schema["components"]["securitySchemes"]) is bearer


async def test_the_bearer_offer_follows_the_running_instance(make_auth: AuthFactory) -> None:
    """An app's own `openapi` override is kept (wrapped once), and a later lifespan with other settings (tests that
    reuse an app) changes the offer instead of serving the schema cached before it."""
    app = app_with(make_auth(bearer={"enabled": True}), ("/x", current_user))
    build = app.openapi

    def own_openapi() -> dict[str, Any]:
        schema = build()
        schema["info"]["x-logo"] = {"url": "/logo.png"}
        return schema

    app.openapi = own_openapi  # type: ignore[method-assign]
    first = await served_openapi(app)
    assert first["paths"]["/x"]["get"]["security"] == SESSION
    assert first["info"]["x-logo"] == {"url": "/logo.png"}
    assert await served_openapi(app) == first  # a second run of the same instance: wrapped once, offered once
    other = make_auth(bearer={"enabled": False})
    app.router.lifespan_context = other.lifespan
    assert (await served_openapi(app))["paths"]["/x"]["get"]["security"] == COOKIE_ONLY


def test_the_cookie_name_follows_the_settings(make_auth: AuthFactory) -> None:
    auth = make_auth(url="http://localhost:8000")
    schema = openapi(auth, ("/x", current_user))
    assert schema["components"]["securitySchemes"]["betterAuthSession"]["name"] == "better-auth.session_token"


def test_api_key_providers_list_their_header(auth: BetterAuth) -> None:
    schema = openapi(auth, ("/k", api_key()), ("/custom", api_key(header="x-service-key")))
    assert schema["paths"]["/k"]["get"]["security"] == [{"betterAuthApiKey": []}]
    assert schema["components"]["securitySchemes"]["betterAuthApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": "An API key from `POST /api-key/create` (header configurable).",
    }
    assert schema["paths"]["/custom"]["get"]["security"] == [{"betterAuthApiKey.x-service-key": []}]
    assert schema["components"]["securitySchemes"]["betterAuthApiKey.x-service-key"]["name"] == "x-service-key"


@pytest.mark.parametrize("bearer", [True, False])
def test_auth_routes_that_need_a_session_declare_it(make_auth: AuthFactory, bearer: bool) -> None:
    """So that /docs' "Authorize" works on them: the session cookie, and the bearer token when it is enabled."""
    schema = openapi(make_auth(bearer={"enabled": bearer}, plugins={"api_key": {"enabled": True}}))
    declared = {
        (method, path): operation["security"]
        for path, operations in schema["paths"].items()
        if path.startswith("/api/auth/")
        for method, operation in operations.items()
        if "security" in operation
    }
    assert set(declared) == SESSION_ROUTES
    expected = SESSION if bearer else [{"betterAuthSession": []}]
    assert all(security == expected for security in declared.values())
    schemes = schema["components"]["securitySchemes"]
    assert schemes["betterAuthSession"]["name"] == "__Secure-better-auth.session_token"
    assert schema["paths"]["/api/auth/sign-in/email"]["post"].get("security") is None
