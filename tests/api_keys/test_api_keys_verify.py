"""Verifying keys (docs/better-auth.md#api-key-verification, #api-key-expiry-and-refills): `auth.api.verify_api_key`,
expiry, quota and refills, the per-key rate limit, the sweep of expired keys, and the `api_key(...)` provider in an
app's routes."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated, Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import Depends, Request
from sqlalchemy import delete

from fastapi_betterauth import BetterAuth, ManualClock, User, VerifiedApiKey, api_key
from fastapi_betterauth.api_keys.models import ApiKey
from fastapi_betterauth.api_keys.plugin import ApiKeys
from fastapi_betterauth.crypto.tokens import sha256_base64url
from fastapi_betterauth.db.engine import Database

from ..conftest import BASE_URL, AuthFactory, ConfiguredClientFactory, build_app, sign_up
from .api_key_support import keys_auth, stored_key, stored_keys

pytestmark = pytest.mark.usefixtures("database")


async def new_user(auth: BetterAuth, email: str = "ann@example.com") -> str:
    return (await auth.api.sign_up_email(name="Ann", email=email, password="correct horse battery")).user.id


async def error_code(auth: BetterAuth, key: str, **kwargs: Any) -> str | None:
    result = await auth.plugin(ApiKeys).verify_api_key(key, **kwargs)
    return result.error.code if result.error else None


# --- verify_api_key -------------------------------------------------------------------------------------------------


async def test_verify_answers_better_auths_shape(make_auth: AuthFactory) -> None:
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    created = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, name="ci")
    result = await auth.plugin(ApiKeys).verify_api_key(created.key)
    assert result.valid
    assert result.key is not None
    body = result.to_json()
    assert (body["valid"], body["error"]) == (True, None)
    assert "key" not in body["key"]
    assert (body["key"]["id"], body["key"]["requestCount"], body["key"]["lastRequest"]) == (
        created.api_key.id,
        1,
        "2026-11-22T12:00:00.000Z",
    )
    unknown = await auth.plugin(ApiKeys).verify_api_key("x" * 64)
    assert unknown.to_json() == {
        "valid": False,
        "error": {"code": "INVALID_API_KEY", "message": "Invalid API key."},
        "key": None,
    }
    assert (await auth.plugin(ApiKeys).verify_api_key("")).valid is False


async def test_a_key_stored_by_better_auth_verifies(make_auth: AuthFactory, database: Database) -> None:
    """A row written as a Node better-auth app writes it (base64url SHA-256, no padding) works here."""
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    key = "NodeWrittenKey" + "a" * 50
    async with database.session() as db, db.begin():
        db.add(ApiKey(reference_id=user_id, key=sha256_base64url(key), start=key[:6]))
    assert (await auth.plugin(ApiKeys).verify_api_key(key)).valid


async def test_disabled_and_expired_keys(make_auth: AuthFactory, clock: ManualClock, database: Database) -> None:
    """K3: a disabled key and an expired one are refused; an expired key is deleted when presented."""
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    created = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, expires_in=86400)
    await auth.plugin(ApiKeys).update_api_key(created.api_key.id, user_id=user_id, enabled=False)
    assert (await auth.plugin(ApiKeys).verify_api_key(created.key)).to_json()["error"] == {
        "code": "KEY_DISABLED",
        "message": "API Key is disabled",
    }
    await auth.plugin(ApiKeys).update_api_key(created.api_key.id, user_id=user_id, enabled=True)
    clock.advance(timedelta(days=1))
    assert await error_code(auth, created.key) is None  # at the instant of expiry it still works
    clock.advance(timedelta(milliseconds=1))
    assert await error_code(auth, created.key) == "KEY_EXPIRED"
    assert await stored_key(database, created.api_key.id) is None
    assert await error_code(auth, created.key) == "INVALID_API_KEY"


async def test_permissions_are_all_required(make_auth: AuthFactory) -> None:
    """K3: scopes; AND semantics, and a missing permission is not told apart from a missing key."""
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    key = (
        await auth.plugin(ApiKeys).create_api_key(user_id=user_id, permissions={"files": ["read", "write"], "x": []})
    ).key
    plain = (await auth.plugin(ApiKeys).create_api_key(user_id=user_id)).key
    assert await error_code(auth, key, permissions={"files": ["read"]}) is None
    assert await error_code(auth, key, permissions={"files": ["read", "write"], "x": []}) is None
    for required in ({"files": ["delete"]}, {"files": ["read", "delete"]}, {"billing": ["read"]}):
        assert await error_code(auth, key, permissions=required) == "KEY_NOT_FOUND", required
    assert await error_code(auth, plain, permissions={"files": ["read"]}) == "KEY_NOT_FOUND"
    assert await error_code(auth, plain) is None


async def test_remaining_uses_and_a_spent_key(make_auth: AuthFactory, database: Database) -> None:
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    created = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, remaining=2)
    first = await auth.plugin(ApiKeys).verify_api_key(created.key)
    assert first.key is not None
    assert first.key.remaining == 1
    assert await error_code(auth, created.key) is None
    row = await stored_key(database, created.api_key.id)
    assert row is not None
    assert row.remaining == 0
    spent = await auth.plugin(ApiKeys).verify_api_key(
        created.key
    )  # a key that can never refill is deleted once used up
    assert spent.to_json()["error"] == {"code": "USAGE_EXCEEDED", "message": "API Key has reached its usage limit"}
    assert await stored_key(database, created.api_key.id) is None
    assert await error_code(auth, created.key) == "INVALID_API_KEY"


async def test_refill_resets_the_balance_after_the_interval(make_auth: AuthFactory, clock: ManualClock) -> None:
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    created = await auth.plugin(ApiKeys).create_api_key(
        user_id=user_id, remaining=1, refill_amount=3, refill_interval=60_000
    )
    assert await error_code(auth, created.key) is None
    assert await error_code(auth, created.key) == "USAGE_EXCEEDED"
    clock.advance(timedelta(seconds=60))
    assert await error_code(auth, created.key) == "USAGE_EXCEEDED"  # strictly more than the interval
    clock.advance(timedelta(milliseconds=1))
    refilled = await auth.plugin(ApiKeys).verify_api_key(created.key)
    assert refilled.key is not None
    assert (refilled.key.remaining, refilled.key.last_refill_at) == (2, clock.now())
    assert await error_code(auth, created.key) is None
    assert await error_code(auth, created.key) is None
    assert await error_code(auth, created.key) == "USAGE_EXCEEDED"


async def test_rate_limit_window_runs_from_the_last_allowed_request(make_auth: AuthFactory, clock: ManualClock) -> None:
    """better-auth's per-key rule (docs/better-auth.md#api-key-verification, step 6): a full window refuses with 429
    RATE_LIMITED and `details.tryAgainIn` (ms) until `rateLimitTimeWindow` has passed since the last allowed request."""
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    key = (
        await auth.plugin(ApiKeys).create_api_key(user_id=user_id, rate_limit_time_window=10_000, rate_limit_max=2)
    ).key
    assert await error_code(auth, key) is None
    clock.advance(timedelta(seconds=4))
    assert await error_code(auth, key) is None
    clock.advance(timedelta(seconds=1))
    refused = await auth.plugin(ApiKeys).verify_api_key(key)
    assert refused.to_json()["error"] == {
        "code": "RATE_LIMITED",
        "message": "Rate limit exceeded.",
        "details": {"tryAgainIn": 9000},
    }
    assert refused.error is not None
    assert refused.error.status_code == 429
    assert refused.error.headers == {"Retry-After": "9"}
    clock.advance(timedelta(seconds=9))
    assert await error_code(auth, key) == "RATE_LIMITED"  # exactly the window: not past it yet
    clock.advance(timedelta(milliseconds=1))
    after = await auth.plugin(ApiKeys).verify_api_key(key)
    assert after.key is not None
    assert after.key.request_count == 1


async def test_default_rate_limit_is_ten_a_day(make_auth: AuthFactory, clock: ManualClock) -> None:
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    key = (await auth.plugin(ApiKeys).create_api_key(user_id=user_id)).key
    for _ in range(10):
        assert await error_code(auth, key) is None
    assert await error_code(auth, key) == "RATE_LIMITED"


async def test_rate_limit_off_per_key_or_globally(make_auth: AuthFactory) -> None:
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    key = (await auth.plugin(ApiKeys).create_api_key(user_id=user_id, rate_limit_max=1, rate_limit_enabled=False)).key
    for _ in range(3):
        result = await auth.plugin(ApiKeys).verify_api_key(key)
        assert result.key is not None
        assert (result.key.request_count, result.key.last_request) == (0, result.key.updated_at)
    unlimited = keys_auth(make_auth, rate_limit={"enabled": False})
    key = (await unlimited.plugin(ApiKeys).create_api_key(user_id=user_id)).key
    for _ in range(12):
        assert await error_code(unlimited, key) is None


async def test_a_rate_limited_request_spends_no_quota(make_auth: AuthFactory) -> None:
    """Improvement on better-auth, which spends `remaining` before refusing for the rate limit."""
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    created = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, remaining=5, rate_limit_max=1)
    assert await error_code(auth, created.key) is None
    assert await error_code(auth, created.key) == "RATE_LIMITED"
    assert (await auth.plugin(ApiKeys).get_api_key(created.api_key.id, user_id=user_id)).remaining == 4


async def test_expired_keys_are_swept_at_most_every_ten_seconds(
    make_auth: AuthFactory, clock: ManualClock, database: Database
) -> None:
    auth = keys_auth(make_auth, key_expiration={"min_expires_in": 1})
    user_id = await new_user(auth)
    live = await auth.plugin(ApiKeys).create_api_key(user_id=user_id)  # sweeps (nothing to do) and starts the 10 s
    first = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, expires_in=5)
    clock.advance(timedelta(seconds=6))
    await auth.plugin(ApiKeys).verify_api_key(live.key)  # 6 s after the last sweep: no sweep
    assert await stored_key(database, first.api_key.id) is not None
    clock.advance(timedelta(seconds=4))
    await auth.plugin(ApiKeys).verify_api_key(live.key)  # 10 s: sweeps
    assert await stored_key(database, first.api_key.id) is None
    second = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, expires_in=1)
    clock.advance(timedelta(seconds=2))
    await auth.plugin(ApiKeys).list_api_keys(user_id=user_id)
    assert await stored_key(database, second.api_key.id) is not None
    assert await auth.plugin(ApiKeys).delete_expired_api_keys() == 1  # the server call does not wait
    assert [row.id for row in await stored_keys(database)] == [live.api_key.id]


async def test_two_auth_instances_sweep_independently(make_auth: AuthFactory, clock: ManualClock) -> None:
    """The sweep's clock is per instance, not module state."""
    one, two = keys_auth(make_auth), keys_auth(make_auth)
    user_id = await new_user(one)
    await one.plugin(ApiKeys).create_api_key(user_id=user_id)
    assert one.plugin(ApiKeys).service._last_sweep == clock.now()
    assert two.plugin(ApiKeys).service._last_sweep is None


# --- the api_key(...) provider --------------------------------------------------------------------------------------


async def from_authorization(request: Request) -> str | None:
    """A custom getter (async, which works too): `Authorization: ApiKey <key>`."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value if scheme.lower() == "apikey" else None


def provider_app(auth: BetterAuth) -> Any:
    app = build_app(auth)

    @app.get("/files")
    async def files(found: Annotated[VerifiedApiKey, Depends(api_key(permissions={"files": ["read"]}))]) -> Any:
        return {"user": found.user.id, "key": found.key.id}

    @app.post("/jobs")
    async def jobs(found: Annotated[VerifiedApiKey, Depends(api_key())]) -> Any:
        return {"user": found.user.id}

    @app.get("/custom-header")
    async def custom_header(found: Annotated[VerifiedApiKey, Depends(api_key(header="x-service-token"))]) -> Any:
        return {"user": found.user.id}

    @app.get("/custom-getter")
    async def custom_getter(found: Annotated[VerifiedApiKey, Depends(api_key(getter=from_authorization))]) -> Any:
        return {"user": found.user.id}

    @app.get("/optional")
    async def optional(found: Annotated[VerifiedApiKey | None, Depends(api_key(auto_error=False))]) -> Any:
        return {"user": found.user.id if found else None}

    return app


@pytest.fixture
async def machine(make_auth: AuthFactory) -> Any:
    """An app with the provider's routes, its auth, a user and a client that sends no cookies."""
    auth = keys_auth(make_auth)
    app = provider_app(auth)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield auth, client, await new_user(auth)


async def test_provider_accepts_a_key_in_the_header_only(machine: Any) -> None:
    """K2: the key travels in a header, never in the query."""
    auth, client, user_id = machine
    created = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, permissions={"files": ["read"]})
    response = await client.get("/files", headers={"x-api-key": created.key})
    assert response.json() == {"user": user_id, "key": created.api_key.id}
    for params in ({"api_key": created.key}, {"x-api-key": created.key}, {"key": created.key}):
        response = await client.get("/files", params=params)
        assert (response.status_code, response.json()["code"]) == (401, "UNAUTHORIZED")
        assert response.headers["www-authenticate"] == "APIKey"
    assert (await client.get("/optional")).json() == {"user": None}
    assert (await client.get("/optional", headers={"x-api-key": created.key})).json() == {"user": user_id}


async def test_provider_refusals(machine: Any, clock: ManualClock, database: Database) -> None:
    """K3: unknown, revoked (disabled or deleted), expired, out of scope, used up, rate limited, owner gone."""
    auth, client, user_id = machine

    async def answer(key: str, path: str = "/files") -> tuple[int, str]:
        response = await client.get(path, headers={"x-api-key": key})
        return response.status_code, response.json().get("code", "")

    assert await answer("A" * 64) == (401, "INVALID_API_KEY")
    scoped = {"files": ["read"]}
    disabled = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, permissions=scoped)
    await auth.plugin(ApiKeys).update_api_key(disabled.api_key.id, user_id=user_id, enabled=False)
    assert await answer(disabled.key) == (401, "KEY_DISABLED")
    deleted = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, permissions=scoped)
    await auth.plugin(ApiKeys).delete_api_key(deleted.api_key.id, user_id=user_id)
    assert await answer(deleted.key) == (401, "INVALID_API_KEY")
    expiring = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, permissions=scoped, expires_in=86400)
    out_of_scope = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, permissions={"files": ["write"]})
    response = await client.get("/files", headers={"x-api-key": out_of_scope.key})
    assert (response.status_code, response.json()) == (
        403,
        {
            "code": "INSUFFICIENT_API_KEY_PERMISSIONS",
            "message": "The API key lacks the permissions this operation requires.",
        },
    )
    assert (
        await auth.plugin(ApiKeys).get_api_key(out_of_scope.api_key.id, user_id=user_id)
    ).request_count == 0  # not spent
    once = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, remaining=1, permissions=scoped)
    assert await answer(once.key) == (200, "")
    assert await answer(once.key) == (429, "USAGE_EXCEEDED")
    limited = await auth.plugin(ApiKeys).create_api_key(
        user_id=user_id, rate_limit_max=1, rate_limit_time_window=30_000
    )
    assert (await client.post("/jobs", headers={"x-api-key": limited.key})).status_code == 200
    response = await client.post("/jobs", headers={"x-api-key": limited.key})
    assert (response.status_code, response.json()["code"], response.headers["retry-after"]) == (
        429,
        "RATE_LIMITED",
        "30",
    )
    assert response.json()["details"] == {"tryAgainIn": 30_000}
    orphan = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, permissions=scoped)
    clock.advance(timedelta(days=1, seconds=1))
    assert await answer(expiring.key) == (401, "KEY_EXPIRED")
    async with database.session() as db, db.begin():  # the owner vanishes behind our back
        await db.exec(delete(User).where(User.id == user_id))  # type: ignore[arg-type]
    assert await answer(orphan.key) == (401, "INVALID_REFERENCE_ID_FROM_API_KEY")
    row = await stored_key(database, orphan.api_key.id)
    assert row is not None
    assert row.request_count == 0  # refused before a use was spent


async def test_provider_header_and_getter_are_configurable(machine: Any, make_auth: AuthFactory) -> None:
    auth, client, user_id = machine
    key = (await auth.plugin(ApiKeys).create_api_key(user_id=user_id)).key
    assert (await client.get("/custom-header", headers={"x-service-token": key})).json() == {"user": user_id}
    assert (await client.get("/custom-header", headers={"x-api-key": key})).status_code == 401
    assert (await client.get("/custom-getter", headers={"authorization": f"ApiKey {key}"})).json() == {"user": user_id}
    assert (await client.get("/custom-getter", headers={"authorization": f"Bearer {key}"})).status_code == 401


async def test_provider_reads_the_headers_from_settings(make_auth: AuthFactory) -> None:
    auth = keys_auth(make_auth, headers=["x-key-one", "x-key-two"])
    user_id = await new_user(auth)
    key = (await auth.plugin(ApiKeys).create_api_key(user_id=user_id)).key
    async with LifespanManager(provider_app(auth)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            assert (await client.post("/jobs", headers={"x-key-two": key})).json() == {"user": user_id}
            assert (await client.post("/jobs", headers={"x-api-key": key})).status_code == 401


async def test_openapi_shows_the_key_header(machine: Any) -> None:
    _, client, _ = machine
    schema = (await client.get("/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["betterAuthApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": "An API key from `POST /api-key/create` (header configurable).",
    }
    assert {"betterAuthApiKey": []} in schema["paths"]["/files"]["get"]["security"]


async def test_keys_never_reach_the_logs(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """L7: creating, using, refusing and deleting keys logs audit events without the key."""
    caplog.set_level(logging.DEBUG)
    auth = keys_auth(make_auth, enable_session_for_api_keys=True)
    client = await make_configured_client(auth)
    await sign_up(client)
    created = (await client.post("/api/auth/api-key/create", json={})).json()
    machine = await make_configured_client(auth, headers={"x-api-key": created["key"]})
    assert (await machine.get("/me")).status_code == 200
    wrong = created["key"][:-1] + ("a" if created["key"][-1] != "a" else "b")
    assert (await (await make_configured_client(auth, headers={"x-api-key": wrong})).get("/me")).status_code == 401
    await client.post("/api/auth/api-key/delete", json={"keyId": created["id"]})
    events = [record.__dict__.get("auth_event") for record in caplog.records]
    assert {"api_key.created", "session.api_key", "api_key.rejected", "api_key.deleted"} <= set(events)
    for record in caplog.records:
        text = record.getMessage() + str(record.__dict__.get("auth_fields", ""))
        assert created["key"] not in text
        assert wrong not in text


async def test_guessing_keys_is_rate_limited_per_network(make_auth: AuthFactory, clock: ManualClock) -> None:
    """K3 (as L3 for passwords): unknown keys in the app's own routes count per client network; past the budget the
    network gets 429 with `Retry-After` before any lookup, other networks are unaffected, and it ends with the window.
    """
    auth = make_auth(
        plugins={"api_key": {"enabled": True, "invalid_keys": {"window": 60, "max": 3}}}, rate_limit={"enabled": True}
    )
    app = provider_app(auth)
    async with LifespanManager(app) as manager:
        user_id = await new_user(auth)
        valid = (await auth.plugin(ApiKeys).create_api_key(user_id=user_id, permissions={"files": ["read"]})).key

        def client_from(ip: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                transport=httpx.ASGITransport(app=manager.app, client=(ip, 5000)), base_url=BASE_URL
            )

        async with client_from("203.0.113.9") as guesser, client_from("198.51.100.20") as owner:
            for attempt in range(3):
                guess = await guesser.get("/files", headers={"x-api-key": f"{attempt}" * 64})
                assert (guess.status_code, guess.json()["code"]) == (401, "INVALID_API_KEY")
            refused = await guesser.get("/files", headers={"x-api-key": valid})
            assert (refused.status_code, refused.json()["code"]) == (429, "RATE_LIMITED")
            assert 1 <= int(refused.headers["retry-after"]) <= 60
            assert (await owner.get("/files", headers={"x-api-key": valid})).status_code == 200
            for _ in range(5):  # valid keys never count as guesses
                assert (await owner.post("/jobs", headers={"x-api-key": valid})).status_code == 200
            clock.advance(timedelta(seconds=61))
            assert (await guesser.get("/files", headers={"x-api-key": valid})).status_code == 200
