"""Mock sessions from API keys (`api_key.enable_session_for_api_keys`, docs/better-auth.md#sessions-from-api-keys), done
safely: one pipeline with cookie sessions (enrichment, hooks, audit), but never fresh, never a cookie, never the key as
a token, refused by sensitive operations, metered once per request (K4, K5)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Annotated, Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import Depends, Request

from fastapi_betterauth import (
    BetterAuth,
    CurrentSession,
    CurrentUser,
    DatabaseHooks,
    ManualClock,
    ModelHooks,
    Session,
    User,
    VerifiedApiKey,
    api_key,
    request_api_key,
)
from fastapi_betterauth.api_keys.plugin import ApiKeys
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.settings import InsecureSettingsError

from ..conftest import BASE_URL, ORIGIN, PASSWORD, AuthFactory, ConfiguredClientFactory, build_app, set_cookies, sign_up
from .api_key_support import keys_auth, stored_key

pytestmark = pytest.mark.usefixtures("database")
EVIL = {"origin": "https://evil.example"}


@dataclass
class Machine:
    auth: BetterAuth
    browser: httpx.AsyncClient
    """Signed in with a password (a cookie session)."""
    client: httpx.AsyncClient
    """Only the key: no cookie, no Origin."""
    user_id: str
    key: str
    key_id: str

    async def request_count(self, database: Database) -> int:
        row = await stored_key(database, self.key_id)
        assert row is not None
        return row.request_count or 0


def mock_session_app(auth: BetterAuth) -> Any:
    app = build_app(auth)

    @app.get("/files")
    async def files(
        user: CurrentUser,
        found: CurrentSession,
        key: Annotated[VerifiedApiKey, Depends(api_key(permissions={"files": ["read"]}))],
        again: Annotated[VerifiedApiKey, Depends(api_key())],
    ) -> Any:
        return {"user": user.id, "source": found.source, "key": key.key.id, "same": again.key.id == key.key.id}

    return app


AppClients = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def app_clients() -> AsyncIterator[AppClients]:
    """`await app_clients(app, headers)`: a client of `app` (its lifespan entered once per app)."""
    async with AsyncExitStack() as stack:
        running: dict[int, Any] = {}

        async def new_client(app: Any, headers: dict[str, str]) -> httpx.AsyncClient:
            if id(app) not in running:
                running[id(app)] = (await stack.enter_async_context(LifespanManager(app))).app
            transport = httpx.ASGITransport(app=running[id(app)])
            client = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers)
            return await stack.enter_async_context(client)

        yield new_client


async def make_machine(
    make_auth: AuthFactory,
    app_clients: AppClients,
    *,
    permissions: dict[str, list[str]] | None = None,
    **options: Any,
) -> Machine:
    api_key_options = {"enable_session_for_api_keys": True, "rate_limit": {"max_requests": 1000}}
    api_key_options.update(options.pop("api_key", {}))
    auth = make_auth(
        plugins={"api_key": {"enabled": True, **api_key_options}},
        user={"delete_user": {"enabled": True}, "change_email": {"enabled": True}},
        **options,
    )
    app = mock_session_app(auth)
    browser = await app_clients(app, ORIGIN)
    user_id = (await sign_up(browser)).json()["user"]["id"]
    created = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, permissions=permissions)
    client = await app_clients(app, {"x-api-key": created.key})
    return Machine(auth, browser, client, user_id, created.key, created.api_key.id)


@pytest.fixture
async def machine(make_auth: AuthFactory, app_clients: AppClients) -> Machine:
    return await make_machine(make_auth, app_clients, permissions={"files": ["read"]})


async def test_off_by_default(make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory) -> None:
    """K4: without the flag, a key is no session."""
    auth = keys_auth(make_auth)
    browser = await make_configured_client(auth)
    user_id = (await sign_up(browser)).json()["user"]["id"]
    key = (await auth.plugin(ApiKeys).create_api_key(user_id=user_id)).key
    client = await make_configured_client(auth, headers={"x-api-key": key})
    response = await client.get("/me")
    assert (response.status_code, response.json()["code"]) == (401, "UNAUTHORIZED")
    assert (await client.get("/api/auth/get-session")).json() is None


async def test_get_session_and_providers_see_the_owner(machine: Machine, clock: ManualClock) -> None:
    """K4: the owner is signed in for `current_user`, `current_session` and `/get-session`; the session's token is
    not the key, its id is the key's id (not a secret), and no cookie is set."""
    response = await machine.client.get("/api/auth/get-session")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert machine.key not in response.text
    assert body["user"]["id"] == machine.user_id
    assert body["session"] == {
        "expiresAt": "2026-11-29T12:00:00.000Z",
        "token": "",
        "createdAt": "2026-11-22T12:00:00.000Z",
        "updatedAt": "2026-11-22T12:00:00.000Z",
        "ipAddress": "127.0.0.1",
        "userAgent": body["session"]["userAgent"],
        "userId": machine.user_id,
        "id": machine.key_id,
    }
    for path in ("/me", "/session", "/files"):
        response = await machine.client.get(path)
        assert response.status_code == 200, path
        assert "set-cookie" not in response.headers
    assert (await machine.client.get("/session")).json() == {"id": machine.key_id, "userId": machine.user_id}
    assert (await machine.client.get("/files")).json() == {
        "user": machine.user_id,
        "source": "api_key",
        "key": machine.key_id,
        "same": True,
    }


async def test_no_cookie_even_with_cookie_cache_and_bearer(make_auth: AuthFactory, app_clients: AppClients) -> None:
    m = await make_machine(
        make_auth, app_clients, session={"cookie_cache": {"enabled": True}}, bearer={"enabled": True}
    )
    for path in ("/api/auth/get-session", "/me"):
        response = await m.client.get(path)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        assert "set-auth-token" not in response.headers


async def test_expiry_is_the_keys_or_the_session_lifetime(make_auth: AuthFactory, app_clients: AppClients) -> None:
    """better-auth gives `now + session.expiresIn` *milliseconds* (about 10 minutes); here it is that many seconds,
    or the key's own expiry."""
    m = await make_machine(make_auth, app_clients, session={"expires_in": 3600})
    body = (await m.client.get("/api/auth/get-session")).json()
    assert body["session"]["expiresAt"] == "2026-11-22T13:00:00.000Z"
    expiring = await m.auth.plugin(ApiKeys).create_api_key(user_id=m.user_id, expires_in=2 * 86400)
    m.client.headers["x-api-key"] = expiring.key
    body = (await m.client.get("/api/auth/get-session")).json()
    assert body["session"]["expiresAt"] == "2026-11-24T12:00:00.000Z"


async def test_enrichment_runs_as_for_cookie_sessions(make_auth: AuthFactory, app_clients: AppClients) -> None:
    calls: list[tuple[str, str | None]] = []

    async def enrich(session: Session, user: User, request: Request) -> dict[str, Any]:
        verified = request_api_key(request)
        calls.append((request.url.path, verified.key.id if verified else None))
        return {"user": {"id": user.id, "role": "robot" if verified else "human"}, "session": {"id": session.id}}

    m = await make_machine(make_auth, app_clients, permissions={"files": ["read"]}, session_enricher=enrich)
    assert (await m.client.get("/api/auth/get-session")).json() == {
        "user": {"id": m.user_id, "role": "robot"},
        "session": {"id": m.key_id},
    }
    assert (await m.browser.get("/api/auth/get-session")).json()["user"]["role"] == "human"
    assert (await m.client.get("/files")).status_code == 200
    assert calls == [("/api/auth/get-session", m.key_id), ("/api/auth/get-session", None), ("/files", m.key_id)]


async def test_never_fresh(machine: Machine, clock: ManualClock) -> None:
    """K4: a key just created is still no fresh sign-in."""
    response = await machine.client.post("/fresh")
    assert (response.status_code, response.json()["code"]) == (403, "SESSION_NOT_FRESH")
    response = await machine.client.get("/api/auth/list-sessions")
    assert (response.status_code, response.json()["code"]) == (403, "SESSION_NOT_FRESH")
    assert (await machine.browser.post("/fresh")).status_code == 200


SENSITIVE = [
    ("/change-password", {"currentPassword": "correct horse battery", "newPassword": "another horse battery"}),
    ("/change-email", {"newEmail": "new@example.com"}),
    ("/update-user", {"name": "Robot"}),
    ("/verify-password", {"password": "correct horse battery"}),
    ("/revoke-session", {"token": "x"}),
    ("/revoke-sessions", {}),
    ("/revoke-other-sessions", {}),
    ("/delete-user", {}),
    ("/link-social", {"provider": "github"}),
    ("/unlink-account", {"accountId": "x"}),
    ("/get-access-token", {"accountId": "x"}),
    ("/refresh-token", {"accountId": "x"}),
    ("/api-key/create", {"name": "minted by a key"}),
    ("/api-key/update", {"keyId": "x", "name": "y"}),
    ("/api-key/delete", {"keyId": "x"}),
    ("/api-key/list", None),
    ("/api-key/get?id=x", None),
    ("/account-info?accountId=x", None),
]


async def test_sensitive_operations_refuse_it(machine: Machine, database: Database) -> None:
    """K4: a leaked key cannot change credentials, end sessions, mint or manage keys, touch linked accounts or
    delete the user. It is refused before the key is looked up, so nothing is spent either."""
    for path, body in SENSITIVE:
        url = f"/api/auth{path}"
        response = await (machine.client.get(url) if body is None else machine.client.post(url, json=body))
        assert (response.status_code, response.json()["code"]) == (403, "API_KEY_SESSION_NOT_ALLOWED"), path
        assert "sign in" in response.json()["message"]
        assert "set-cookie" not in response.headers
    assert await machine.request_count(database) == 0
    me = await machine.browser.get("/api/auth/get-session")
    assert me.json()["user"]["name"] == "Ann"  # the cookie session lives on, the user and the password too
    assert (await machine.browser.post("/api/auth/verify-password", json={"password": PASSWORD})).status_code == 200
    assert (await machine.browser.get("/api/auth/api-key/list")).json()["total"] == 1


async def test_one_request_spends_one_use(machine: Machine, database: Database) -> None:
    """`current_user`, `current_session` and two `api_key()` providers in one route: one verification."""
    assert (await machine.client.get("/files")).status_code == 200
    assert await machine.request_count(database) == 1
    await machine.client.get("/api/auth/get-session")
    assert await machine.request_count(database) == 2


async def test_route_permissions_apply_alongside_mock_sessions(
    make_auth: AuthFactory, app_clients: AppClients, database: Database
) -> None:
    m = await make_machine(make_auth, app_clients, permissions={"files": ["write"]})
    assert (await m.client.get("/me")).status_code == 200
    response = await m.client.get("/files")
    assert (response.status_code, response.json()["code"]) == (403, "INSUFFICIENT_API_KEY_PERMISSIONS")
    assert await m.request_count(database) == 2  # each request spent one use, the refused one too


async def test_session_hooks_see_the_source_and_may_refuse(make_auth: AuthFactory, app_clients: AppClients) -> None:
    seen: list[dict[str, Any]] = []
    created: list[dict[str, Any]] = []
    banned: set[str] = set()

    async def before_create(data: dict[str, Any]) -> bool | None:
        seen.append(data)
        return False if data["user_id"] in banned else None

    async def after_create(data: dict[str, Any]) -> None:
        created.append(data)

    hooks = DatabaseHooks(session=ModelHooks(before_create=before_create, after_create=after_create))
    m = await make_machine(make_auth, app_clients, hooks=hooks)
    seen.clear()
    created.clear()
    assert (await m.client.get("/me")).status_code == 200
    assert [(data["source"], data["api_key_id"], data["user_id"]) for data in seen] == [
        ("api_key", m.key_id, m.user_id)
    ]
    assert created == []  # nothing was stored
    banned.add(m.user_id)
    response = await m.client.get("/me")
    assert (response.status_code, response.json()["code"]) == (401, "FAILED_TO_CREATE_SESSION")


async def test_audit_shows_the_source(machine: Machine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="fastapi_betterauth.audit")
    await machine.client.get("/me")
    [record] = [r for r in caplog.records if r.__dict__.get("auth_event") == "session.api_key"]
    assert record.__dict__["auth_fields"] == {
        "user": machine.user_id,
        "key": machine.key_id,
        "ip": "127.0.0.1",
        "source": "api_key",
    }


async def test_no_origin_check_for_a_key_but_still_for_cookies(machine: Machine) -> None:
    """K5: an `x-api-key` is no ambient credential, so a cross-origin request with it alone works; a request that
    also carries the session cookie is origin-checked as always."""
    response = await machine.client.post("/profile", headers=EVIL)
    assert (response.status_code, response.json()) == (200, {"id": machine.user_id})
    response = await machine.client.post("/api/auth/update-session", json={}, headers=EVIL)
    assert response.json() == {"message": "No fields to update"}  # past the auth router's origin check
    response = await machine.browser.post("/profile", headers={**EVIL, "x-api-key": machine.key})
    assert (response.status_code, response.json()["code"]) == (403, "INVALID_ORIGIN")


async def test_a_session_cookie_wins_over_a_key(machine: Machine, database: Database) -> None:
    response = await machine.browser.get("/session", headers={"x-api-key": machine.key})
    assert response.json()["id"] != machine.key_id
    assert await machine.request_count(database) == 0


async def test_bad_keys(machine: Machine) -> None:
    """better-auth's answers: shorter than the key length → 403 (no lookup); unknown → 401."""
    response = await machine.client.get("/me", headers={"x-api-key": "short"})
    assert (response.status_code, response.json()["code"]) == (403, "INVALID_API_KEY")
    response = await machine.client.get("/api/auth/get-session", headers={"x-api-key": "Z" * 64})
    assert (response.status_code, response.json()) == (401, {"code": "INVALID_API_KEY", "message": "Invalid API key."})
    assert (await machine.client.get("/maybe", headers={"x-api-key": "Z" * 64})).status_code == 401


async def test_rate_limited_key(make_auth: AuthFactory, app_clients: AppClients) -> None:
    m = await make_machine(make_auth, app_clients, api_key={"rate_limit": {"max_requests": 2}})
    assert (await m.client.get("/me")).status_code == 200
    assert (await m.client.get("/api/auth/get-session")).status_code == 200
    response = await m.client.get("/me")
    assert (response.status_code, response.json()["code"]) == (429, "RATE_LIMITED")
    assert response.headers["retry-after"] == "86400"


async def test_a_deleted_key_or_owner_ends_it(machine: Machine, database: Database) -> None:
    await machine.auth.plugin(ApiKeys).update_api_key(machine.key_id, user_id=machine.user_id, enabled=False)
    response = await machine.client.get("/me")
    assert (response.status_code, response.json()["code"]) == (401, "KEY_DISABLED")
    await machine.auth.plugin(ApiKeys).update_api_key(machine.key_id, user_id=machine.user_id, enabled=True)
    assert (await machine.client.get("/me")).status_code == 200
    response = await machine.browser.post("/api/auth/delete-user", json={})
    assert response.json()["success"] is True
    response = await machine.client.get("/me")
    assert (response.status_code, response.json()["code"]) == (401, "INVALID_API_KEY")
    assert await stored_key(database, machine.key_id) is None


async def test_cookie_headers_are_untouched_on_errors(machine: Machine) -> None:
    response = await machine.client.post("/api/auth/revoke-sessions")
    assert response.status_code == 403
    assert set_cookies(response) == {}


def test_production_refuses_mock_sessions_unless_meant(make_auth: AuthFactory) -> None:
    """K4: start-up refuses mock sessions in production unless explicitly overridden."""
    secret = "a-production-grade-secret-0123456789-abcdefghijklmnop"
    with pytest.raises(InsecureSettingsError, match="allow_sessions_in_production"):
        make_auth(
            environment="production",
            secret=secret,
            plugins={"api_key": {"enabled": True, "enable_session_for_api_keys": True}},
        )
    meant = make_auth(
        environment="production",
        secret=secret,
        plugins={
            "api_key": {"enabled": True, "enable_session_for_api_keys": True, "allow_sessions_in_production": True}
        },
    )
    assert [source.kind for source in meant.session_sources] == ["api_key"]
    assert make_auth(environment="production", secret=secret).session_sources == ()
