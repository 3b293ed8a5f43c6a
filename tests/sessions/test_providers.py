"""The `Depends` providers in a user's own routes: answers, overrides, freshness, cost per request."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import update

from fastapi_betterauth import (
    AuthError,
    AuthNotConfiguredError,
    BetterAuth,
    CurrentUser,
    FreshSession,
    ManualClock,
    User,
    current_user,
    fresh_session,
    optional_session,
)
from fastapi_betterauth.db.engine import Database

from ..conftest import (
    BASE_URL,
    ORIGIN,
    AuthFactory,
    ClientFactory,
    ConfiguredClientFactory,
    QueryCounter,
    build_app,
    sign_up,
)

UNAUTHORIZED = {"code": "UNAUTHORIZED", "message": "Unauthorized"}


async def test_current_user_requires_a_session(client: httpx.AsyncClient) -> None:
    response = await client.get("/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert (await client.get("/session")).json() == UNAUTHORIZED


async def test_providers_give_the_signed_in_user(client: httpx.AsyncClient) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    assert (await client.get("/me")).json() == {"id": user_id, "email": "ann@example.com"}
    assert (await client.get("/maybe")).json() == {"id": user_id}
    assert (await client.get("/session")).json()["userId"] == user_id


async def test_optional_user_is_none_when_signed_out(client: httpx.AsyncClient) -> None:
    response = await client.get("/maybe")
    assert response.status_code == 200
    assert response.json() == {"id": None}


async def test_fresh_session_after_fresh_age(client: httpx.AsyncClient, clock: ManualClock) -> None:
    """S6: sensitive routes need a recent sign-in; refreshing the session does not make it fresh again."""
    await sign_up(client)
    assert (await client.post("/fresh")).json() == {"ok": True}
    clock.advance(timedelta(days=1, seconds=1))
    assert (await client.get("/me")).status_code == 200  # slides the session...
    response = await client.post("/fresh")  # ...but freshness counts from sign-in
    assert response.status_code == 403
    assert response.json() == {"code": "SESSION_NOT_FRESH", "message": "Session is not fresh"}


async def test_fresh_age_zero_disables_the_check(make_auth: AuthFactory, clock: ManualClock) -> None:
    auth = make_auth(session={"fresh_age": 0})
    async with LifespanManager(build_app(auth)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN) as client:
            await sign_up(client)
            clock.advance(timedelta(days=5))
            assert (await client.post("/fresh")).status_code == 200


async def test_a_session_created_in_the_future_is_never_fresh(make_auth: AuthFactory, clock: ManualClock) -> None:
    """S6: a `createdAt` ahead of the clock (a forged session, or a wrong clock) is not fresh, even with the check
    off: otherwise it would stay fresh until that moment."""
    for number, fresh_age in enumerate((timedelta(days=1), 0)):
        auth = make_auth(session={"fresh_age": fresh_age})
        async with LifespanManager(build_app(auth)) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN) as client:
                await sign_up(client, email=f"ann{number}@example.com")
                clock.advance(timedelta(hours=-1))
                assert (await client.get("/me")).status_code == 200
                response = await client.post("/fresh")
                assert response.status_code == 403
                assert response.json() == {"code": "SESSION_NOT_FRESH", "message": "Session is not fresh"}
                clock.advance(timedelta(hours=1))
                assert (await client.post("/fresh")).status_code == 200


@pytest.mark.database_sessions
async def test_verified_user(client: httpx.AsyncClient, database: Database) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    response = await client.get("/verified")
    assert response.status_code == 403
    assert response.json() == {"code": "EMAIL_NOT_VERIFIED", "message": "Email not verified"}
    async with database.session() as db, db.begin():
        await db.exec(update(User).where(User.id == user_id).values(email_verified=True))  # type: ignore[arg-type]
    assert (await client.get("/verified")).json() == {"id": user_id}


@pytest.mark.database_sessions
async def test_protected_route_costs_one_query(client: httpx.AsyncClient, queries: QueryCounter) -> None:
    """docs/design.md#the-hot-path: one read per request, even when several providers run in it."""
    await sign_up(client)
    queries.statements.clear()
    assert (await client.get("/me")).status_code == 200
    assert len(queries.statements) == 1
    assert queries.statements[0].lstrip().upper().startswith("SELECT")

    queries.statements.clear()
    assert (await client.post("/fresh")).status_code == 200  # current_session + fresh_session
    assert len(queries.statements) == 1


@pytest.mark.database_sessions
async def test_refresh_through_a_provider_resets_the_cookie(
    client: httpx.AsyncClient, clock: ManualClock, queries: QueryCounter
) -> None:
    await sign_up(client)
    clock.advance(timedelta(days=1, minutes=1))
    queries.statements.clear()
    response = await client.get("/me")
    assert response.status_code == 200
    assert [s.lstrip().split()[0].upper() for s in queries.statements] == ["SELECT", "UPDATE"]
    assert any("Max-Age=604800" in h for h in response.headers.get_list("set-cookie"))
    queries.statements.clear()
    await client.get("/me")
    assert len(queries.statements) == 1  # extended: no second write


SESSION_STORES = ("database", "stateless")


async def test_dependency_overrides_replace_current_user(app: FastAPI) -> None:
    fake = User(id="u" * 32, name="Test", email="test@example.com", email_verified=True)
    app.dependency_overrides[current_user] = lambda: fake
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            assert (await client.get("/me")).json() == {"id": fake.id, "email": fake.email}


async def test_missing_lifespan_names_the_fix(auth: BetterAuth) -> None:
    app = FastAPI()  # the lifespan that attaches the instance is missing

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, str]:
        return {"id": user.id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        with pytest.raises(AuthNotConfiguredError, match=r"FastAPI\(lifespan=auth.lifespan\)"):
            await client.get("/me")


async def test_without_exception_handlers_errors_are_still_http_errors(auth: BetterAuth) -> None:
    """An app that did not install auth.exception_handlers still gets the right status (FastAPI's shape)."""
    app = FastAPI(lifespan=auth.lifespan)

    @app.post("/danger")
    async def danger(found: FreshSession) -> dict[str, str]:
        return {"id": found.session.id}

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            response = await client.post("/danger")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


async def test_server_side_get_session(client: httpx.AsyncClient, auth: BetterAuth) -> None:
    """auth.api.get_session(headers) reads the Cookie header without HTTP."""
    user_id = (await sign_up(client)).json()["user"]["id"]
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    found = await auth.api.get_session({"Cookie": cookie})
    assert found is not None
    assert found.user.id == user_id
    assert await auth.api.get_session({"Cookie": "__Secure-better-auth.session_token=forged.sig"}) is None
    assert await auth.api.get_session({}) is None
    headers = auth.api.session_cookie_header(found)
    assert (await auth.api.get_session(headers)) is not None


async def test_openapi_documents_the_cookie_and_bodies(client: httpx.AsyncClient) -> None:
    schema: dict[str, Any] = (await client.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["betterAuthSession"]["in"] == "cookie"
    sign_up_body = schema["paths"]["/api/auth/sign-up/email"]["post"]["requestBody"]["content"]
    assert set(sign_up_body) == {"application/json", "application/x-www-form-urlencoded"}
    assert {"name", "email", "password"} <= set(sign_up_body["application/json"]["schema"]["required"])


async def test_two_browsers_have_separate_sessions(make_client: ClientFactory) -> None:
    first, second = make_client(), make_client()
    await sign_up(first)
    await sign_up(second, email="bob@example.com")
    assert (await first.get("/me")).json()["email"] == "ann@example.com"
    assert (await second.get("/me")).json()["email"] == "bob@example.com"


def test_fresh_session_is_usable_in_route_dependencies() -> None:
    app = FastAPI()

    @app.post("/x", dependencies=[Depends(fresh_session)])
    async def x() -> None:
        return None

    assert any(getattr(route, "path", None) == "/x" for route in app.routes)


async def test_unknown_auth_paths_and_wrong_methods_are_bare_404s(client: httpx.AsyncClient) -> None:
    """better-auth answers a wrong method or an unknown path under its base path with a 404 and no body."""
    for method, path in [
        ("GET", "/api/auth/sign-in/email"),
        ("GET", "/api/auth/sign-up/email"),
        ("GET", "/api/auth/sign-out"),
        ("GET", "/api/auth/revoke-sessions"),
        ("GET", "/api/auth/revoke-other-sessions"),
        ("POST", "/api/auth/list-sessions"),
        ("DELETE", "/api/auth/get-session"),
        ("POST", "/api/auth/no-such-endpoint"),
        ("GET", "/api/auth/no/such/endpoint"),
    ]:
        response = await client.request(method, path, json={"email": "a@example.com"})
        assert (response.status_code, response.content) == (404, b""), (method, path)
    outside = await client.get("/not-auth")  # the app's own 404s keep FastAPI's shape
    assert outside.status_code == 404
    assert outside.json() == {"detail": "Not Found"}


@pytest.mark.database_sessions
async def test_session_is_looked_up_once_even_past_fastapis_cache(auth: BetterAuth, queries: QueryCounter) -> None:
    """Two uncached provider calls in one request still cost one query (the lookup is kept per request)."""
    app = build_app(auth)

    @app.get("/twice")
    async def twice(
        first: Annotated[Any, Depends(optional_session)],
        second: Annotated[Any, Depends(optional_session, use_cache=False)],
    ) -> dict[str, bool]:
        return {"same": first is second and first is not None}

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN) as client:
            await sign_up(client)
            queries.statements.clear()
            assert (await client.get("/twice")).json() == {"same": True}
    assert len(queries.statements) == 1


def test_providers_are_importable_from_the_deps_module() -> None:
    import fastapi_betterauth
    from fastapi_betterauth import deps

    for name in deps.__all__:
        assert getattr(deps, name) is getattr(fastapi_betterauth, name)


async def test_server_side_get_session_looks_up_like_a_request(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, queries: QueryCounter, session_store: str
) -> None:
    """Before, `auth.api.get_session` had a lookup of its own: no cookie cache, no bearer token, no enrichment."""

    async def enrich(session: Any, user: Any, request: Any) -> dict[str, Any]:
        return {"plan": "pro", "user": user.id}

    bearer = session_store == "database"  # stateless sessions live in cookies only
    auth = make_auth(session={"cookie_cache": {"enabled": True}}, bearer={"enabled": bearer}, session_enricher=enrich)
    client = await make_configured_client(auth)
    signed_up = await sign_up(client)
    user_id = signed_up.json()["user"]["id"]
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())

    queries.statements.clear()
    from_cookies = await auth.api.get_session({"cookie": cookie})

    assert not any("session" in statement for statement in queries.statements)  # the cookie copy answered
    assert from_cookies is not None
    assert from_cookies.enrichment == {"plan": "pro", "user": user_id}
    if bearer:
        token = signed_up.headers["set-auth-token"]
        from_bearer = await auth.api.get_session({"authorization": f"Bearer {token}"})
        assert from_bearer is not None
        assert from_bearer.enrichment == {"plan": "pro", "user": user_id}


async def test_server_side_calls_raise_domain_errors_not_http_ones(auth: BetterAuth) -> None:
    """`auth.api` callers get an `AuthError` (code, message, the status a route would answer), no `HTTPException`:
    only the route edge (the auth router, the providers) speaks HTTP."""
    with pytest.raises(AuthError) as raised:
        await auth.api.sign_in_email(email="nobody@example.com", password="correct horse battery")

    assert not isinstance(raised.value, HTTPException)
    assert (raised.value.code, raised.value.status_code) == ("INVALID_EMAIL_OR_PASSWORD", 401)


async def test_a_providers_error_answers_code_and_message_where_the_handlers_are_installed(app: FastAPI) -> None:
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            response = await client.get("/me")

    assert (response.status_code, response.json()) == (401, {"code": "UNAUTHORIZED", "message": "Unauthorized"})
