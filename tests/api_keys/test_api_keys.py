"""The `/api-key/*` endpoints (docs/better-auth.md#api-key-routes), and server-side
create/update with the server-only properties, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta

import pytest

from fastapi_betterauth import AuthError, ManualClock
from fastapi_betterauth.api_keys.plugin import ApiKeys
from fastapi_betterauth.db.engine import Database

from ..conftest import AuthFactory, ConfiguredClientFactory, QueryCounter, sign_up
from .api_key_support import (
    CREATE,
    DELETE,
    GET,
    KEY_FIELDS,
    LIST,
    UPDATE,
    create_key,
    keys_auth,
    signed_in,
    stored_key,
    stored_keys,
)

pytestmark = pytest.mark.usefixtures("database")


def sha256_base64url(value: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(value.encode()).digest()).rstrip(b"=").decode()


# --- create ---------------------------------------------------------------------------------------------------------


async def test_create_shows_the_key_once_and_stores_only_its_hash(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    """K1: 64 random letters (~365 bits) from a CSPRNG, shown once; the row holds base64url(SHA-256(key)), as
    better-auth stores it; later reads show only `start`."""
    auth = keys_auth(make_auth)
    client, user_id = await signed_in(auth, make_configured_client)
    response = await client.post(CREATE, json={"name": "ci"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert list(body) == [*KEY_FIELDS[:5], "key", *KEY_FIELDS[5:]]
    key = body["key"]
    assert re.fullmatch(r"[a-zA-Z]{64}", key)
    assert body | {"key": "k", "id": "i"} == {
        "configId": "default",
        "name": "ci",
        "start": key[:6],
        "referenceId": user_id,
        "prefix": None,
        "key": "k",
        "refillInterval": None,
        "refillAmount": None,
        "lastRefillAt": None,
        "enabled": True,
        "rateLimitEnabled": True,
        "rateLimitTimeWindow": 86_400_000,
        "rateLimitMax": 10,
        "requestCount": 0,
        "remaining": None,
        "lastRequest": None,
        "expiresAt": None,
        "createdAt": "2026-11-22T12:00:00.000Z",
        "updatedAt": "2026-11-22T12:00:00.000Z",
        "permissions": None,
        "metadata": None,
        "id": "i",
    }
    [row] = await stored_keys(database)
    assert row.key == sha256_base64url(key) != key
    assert row.id == body["id"]
    fetched = (await client.get(GET, params={"id": body["id"]})).json()
    assert "key" not in fetched
    assert fetched == {name: body[name] for name in KEY_FIELDS}
    listed = (await client.get(LIST)).json()
    assert listed == {"apiKeys": [fetched], "total": 1}
    assert key not in str(listed) + str(fetched)
    second = await create_key(client)
    assert second["key"] != key


async def test_prefix_is_part_of_the_key_and_of_start(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    """K1: an identifiable prefix (per key, or `default_prefix`)."""
    auth = keys_auth(make_auth, default_prefix="fba_", starting_characters_length=8)
    client, _ = await signed_in(auth, make_configured_client)
    mine = await create_key(client, prefix="acme-")
    assert mine["prefix"] == "acme-"
    assert re.fullmatch(r"acme-[a-zA-Z]{64}", mine["key"])
    assert mine["start"] == mine["key"][:8]
    default = await create_key(client)
    assert default["prefix"] == "fba_"
    assert default["key"].startswith("fba_")
    too_long = await client.post(CREATE, json={"prefix": "p" * 33})
    assert too_long.json()["code"] == "INVALID_PREFIX_LENGTH"
    assert too_long.status_code == 400
    bad = await client.post(CREATE, json={"prefix": "no spaces"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "VALIDATION_ERROR"
    assert bad.json()["message"].startswith("[body.prefix]")


async def test_key_length_and_start_are_configurable(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    auth = keys_auth(make_auth, default_key_length=32, starting_characters_length=0)
    client, _ = await signed_in(auth, make_configured_client)
    body = await create_key(client)
    assert re.fullmatch(r"[a-zA-Z]{32}", body["key"])
    assert body["start"] is None


SERVER_ONLY = [
    {"remaining": 5},
    {"refillAmount": 5},
    {"refillInterval": 1000},
    {"rateLimitTimeWindow": 1000},
    {"rateLimitMax": 100},
    {"rateLimitEnabled": False},
    {"permissions": {"files": ["read"]}},
]


async def test_server_only_properties_are_refused_over_http(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    auth = keys_auth(make_auth)
    client, _ = await signed_in(auth, make_configured_client)
    for field in SERVER_ONLY:
        response = await client.post(CREATE, json={"name": "x", **field})
        assert response.status_code == 400, field
        assert response.json() == {
            "code": "SERVER_ONLY_PROPERTY",
            "message": "The property you're trying to set can only be set from the server auth instance only.",
        }
    assert await stored_keys(database) == []
    key_id = (await create_key(client))["id"]
    for field in SERVER_ONLY:
        response = await client.post(UPDATE, json={"keyId": key_id, **field})
        assert (response.status_code, response.json()["code"]) == (400, "SERVER_ONLY_PROPERTY"), field
    assert (await client.post(UPDATE, json={"keyId": key_id, "remaining": None})).status_code == 400


async def test_create_refusals(make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory) -> None:
    auth = keys_auth(make_auth)
    anonymous = await make_configured_client(auth)
    response = await anonymous.post(CREATE, json={"name": "ci"})
    assert (response.status_code, response.json()) == (
        401,
        {"code": "UNAUTHORIZED_SESSION", "message": "Unauthorized or invalid session"},
    )
    client, user_id = await signed_in(auth, make_configured_client)
    assert (await client.post(CREATE, json={"remaining": None})).status_code == 200  # null is not "set"
    expected = {
        "userId": (401, "UNAUTHORIZED_SESSION"),
        "expiresIn": (400, "EXPIRES_IN_IS_TOO_SMALL"),
        "metadata": (400, "METADATA_DISABLED"),
        "name": (400, "INVALID_NAME_LENGTH"),
    }
    bodies = {"userId": user_id, "expiresIn": 3600, "metadata": {"a": 1}, "name": "n" * 33}
    for field, answer in expected.items():
        response = await client.post(CREATE, json={field: bodies[field]})
        assert (response.status_code, response.json()["code"]) == answer, field
    too_large = await client.post(CREATE, json={"expiresIn": 366 * 86400})
    assert too_large.json()["code"] == "EXPIRES_IN_IS_TOO_LARGE"
    not_a_number = await client.post(CREATE, json={"expiresIn": "soon"})
    assert (not_a_number.status_code, not_a_number.json()["code"]) == (400, "VALIDATION_ERROR")
    assert (await client.post(CREATE, json={"expiresIn": 0})).json()["code"] == "VALIDATION_ERROR"
    assert (await client.post(CREATE, content=b"[1]")).json()["code"] == "VALIDATION_ERROR"


async def test_expiry_from_expires_in_seconds_and_the_default(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    auth = keys_auth(make_auth, key_expiration={"default_expires_in": 7200, "min_expires_in": 60})
    client, _ = await signed_in(auth, make_configured_client)
    assert (await create_key(client, expiresIn=86400))["expiresAt"] == "2026-11-23T12:00:00.000Z"
    assert (await create_key(client, expiresIn=60))["expiresAt"] == "2026-11-22T12:01:00.000Z"
    assert (await create_key(client))["expiresAt"] == "2026-11-22T14:00:00.000Z"
    fixed = keys_auth(make_auth, key_expiration={"disable_custom_expires_time": True})
    other, _ = await signed_in(fixed, make_configured_client, "bob@example.com")
    response = await other.post(CREATE, json={"expiresIn": 86400})
    assert response.json() == {
        "code": "KEY_DISABLED_EXPIRATION",
        "message": "Custom key expiration values are disabled.",
    }


async def test_name_rules(make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory) -> None:
    auth = keys_auth(make_auth, require_name=True, minimum_name_length=3, maximum_name_length=5)
    client, _ = await signed_in(auth, make_configured_client)
    assert (await client.post(CREATE, json={})).json()["code"] == "NAME_REQUIRED"
    assert (await client.post(CREATE, json={"name": "ab"})).json()["code"] == "INVALID_NAME_LENGTH"
    assert (await client.post(CREATE, json={"name": "abcdef"})).json()["code"] == "INVALID_NAME_LENGTH"
    assert (await create_key(client, name="abc"))["name"] == "abc"


async def test_metadata_when_enabled(make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory) -> None:
    auth = keys_auth(make_auth, enable_metadata=True)
    client, _ = await signed_in(auth, make_configured_client)
    created = await create_key(client, metadata={"plan": "pro", "tags": ["a"]})
    assert created["metadata"] == {"plan": "pro", "tags": ["a"]}
    assert (await client.get(GET, params={"id": created["id"]})).json()["metadata"] == {"plan": "pro", "tags": ["a"]}
    assert (await client.post(CREATE, json={"metadata": "text"})).json()["code"] == "INVALID_METADATA_TYPE"
    updated = await client.post(UPDATE, json={"keyId": created["id"], "metadata": {"plan": "free"}})
    assert updated.json()["metadata"] == {"plan": "free"}
    bad = await client.post(UPDATE, json={"keyId": created["id"], "metadata": 5})
    assert bad.json()["code"] == "INVALID_METADATA_TYPE"


async def test_rate_limit_defaults_apply_to_new_keys(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    auth = keys_auth(make_auth, rate_limit={"time_window": 60, "max_requests": 100, "enabled": False})
    client, _ = await signed_in(auth, make_configured_client)
    body = await create_key(client)
    assert (body["rateLimitTimeWindow"], body["rateLimitMax"], body["rateLimitEnabled"]) == (60_000, 100, False)


# --- get, list ------------------------------------------------------------------------------------------------------


async def test_get_is_for_the_owner_only(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    auth = keys_auth(make_auth)
    ann, _ = await signed_in(auth, make_configured_client)
    bob, _ = await signed_in(auth, make_configured_client, "bob@example.com")
    key_id = (await create_key(ann))["id"]
    assert (await ann.get(GET, params={"id": key_id})).status_code == 200
    for client, params in ((bob, {"id": key_id}), (ann, {"id": "nope"})):
        response = await client.get(GET, params=params)
        assert (response.status_code, response.json()) == (
            404,
            {"code": "KEY_NOT_FOUND", "message": "API Key not found"},
        )
    missing = await ann.get(GET)
    assert (missing.status_code, missing.json()["code"]) == (400, "VALIDATION_ERROR")
    anonymous = await make_configured_client(auth)
    response = await anonymous.get(GET, params={"id": key_id})
    assert (response.status_code, response.json()) == (401, {"code": "UNAUTHORIZED", "message": "Unauthorized"})


async def test_list_paginates_and_sorts_in_sql(
    make_auth: AuthFactory,
    make_configured_client: ConfiguredClientFactory,
    clock: ManualClock,
    queries: QueryCounter,
) -> None:
    auth = keys_auth(make_auth)
    ann, _ = await signed_in(auth, make_configured_client)
    bob, _ = await signed_in(auth, make_configured_client, "bob@example.com")
    await create_key(bob, name="bob's")
    names = ["c", "a", "e", "b", "d"]
    for name in names:
        await create_key(ann, name=name)
        clock.advance(timedelta(seconds=1))
    listed = (await ann.get(LIST)).json()
    assert set(listed) == {"apiKeys", "total"}
    assert [key["name"] for key in listed["apiKeys"]] == names  # oldest first
    assert listed["total"] == 5
    queries.statements.clear()
    page = (await ann.get(LIST, params={"limit": 2, "offset": 1, "sortBy": "name", "sortDirection": "desc"})).json()
    assert [key["name"] for key in page["apiKeys"]] == ["d", "c"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    selects = [s for s in queries.statements if "FROM apikey" in s and "count(*)" not in s.lower()]
    # MySQL writes the offset as `LIMIT offset, count`.
    assert any("LIMIT" in s and ("OFFSET" in s or "LIMIT %s, %s" in s) and "ORDER BY" in s for s in selects), selects
    assert [k["name"] for k in (await ann.get(LIST, params={"offset": 4})).json()["apiKeys"]] == ["d"]
    assert (await ann.get(LIST, params={"limit": 0})).json() == {"apiKeys": [], "total": 5, "limit": 0}
    for params in ({"sortBy": "key"}, {"sortDirection": "up"}, {"limit": -1}):
        response = await ann.get(LIST, params=params)
        assert (response.status_code, response.json()["code"]) == (400, "VALIDATION_ERROR"), params
    assert (await (await make_configured_client(auth)).get(LIST)).status_code == 401


# --- update, delete -------------------------------------------------------------------------------------------------


async def test_update_what_http_callers_may_change(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    auth = keys_auth(make_auth)
    client, user_id = await signed_in(auth, make_configured_client)
    key_id = (await create_key(client, name="old", expiresIn=86400))["id"]
    clock.advance(timedelta(hours=1))
    response = await client.post(UPDATE, json={"keyId": key_id, "name": "new", "enabled": False, "userId": user_id})
    body = response.json()
    assert (body["name"], body["enabled"], body["updatedAt"]) == ("new", False, "2026-11-22T13:00:00.000Z")
    assert "key" not in body
    body = (await client.post(UPDATE, json={"keyId": key_id, "expiresIn": 2 * 86400})).json()
    assert body["expiresAt"] == "2026-11-24T13:00:00.000Z"
    body = (await client.post(UPDATE, json={"keyId": key_id, "expiresIn": None})).json()
    assert body["expiresAt"] is None
    for payload, answer in (
        ({"keyId": key_id}, (400, "NO_VALUES_TO_UPDATE")),
        ({"keyId": key_id, "metadata": {"a": 1}}, (400, "NO_VALUES_TO_UPDATE")),  # ignored while disabled
        ({"keyId": key_id, "expiresIn": 60}, (400, "EXPIRES_IN_IS_TOO_SMALL")),
        ({"keyId": key_id, "name": ""}, (400, "INVALID_NAME_LENGTH")),
        ({"keyId": "nope", "name": "x"}, (404, "KEY_NOT_FOUND")),
        ({"keyId": key_id, "userId": "someone-else"}, (401, "UNAUTHORIZED_SESSION")),
        ({"name": "x"}, (400, "VALIDATION_ERROR")),
    ):
        response = await client.post(UPDATE, json=payload)
        assert (response.status_code, response.json()["code"]) == answer, payload
    bob, _ = await signed_in(auth, make_configured_client, "bob@example.com")
    assert (await bob.post(UPDATE, json={"keyId": key_id, "name": "mine"})).status_code == 404
    anonymous = await (await make_configured_client(auth)).post(UPDATE, json={"keyId": key_id, "name": "x"})
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "UNAUTHORIZED_SESSION")


async def test_delete(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    auth = keys_auth(make_auth)
    ann, _ = await signed_in(auth, make_configured_client)
    bob, _ = await signed_in(auth, make_configured_client, "bob@example.com")
    key_id = (await create_key(ann))["id"]
    assert (await bob.post(DELETE, json={"keyId": key_id})).json()["code"] == "KEY_NOT_FOUND"
    anonymous = await (await make_configured_client(auth)).post(DELETE, json={"keyId": key_id})
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "UNAUTHORIZED")
    response = await ann.post(DELETE, json={"keyId": key_id})
    assert (response.status_code, response.json()) == (200, {"success": True})
    assert await stored_key(database, key_id) is None
    again = await ann.post(DELETE, json={"keyId": key_id})
    assert (again.status_code, again.json()["code"]) == (404, "KEY_NOT_FOUND")


async def test_routes_are_not_mounted_unless_enabled(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    client = await make_configured_client(make_auth())
    await sign_up(client)
    response = await client.post(CREATE, json={})
    assert (response.status_code, response.content) == (404, b"")


async def test_openapi_documents_the_routes(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    client = await make_configured_client(keys_auth(make_auth))
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {"/api/auth/api-key/create", "/api/auth/api-key/list", "/api/auth/api-key/update"} <= set(paths)
    body = paths["/api/auth/api-key/create"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"name", "expiresIn", "prefix", "metadata"} <= set(body["properties"])


# --- server-side calls ----------------------------------------------------------------------------------------------


async def test_server_side_create_and_update_with_server_only_properties(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    auth = keys_auth(make_auth)
    _, user_id = await signed_in(auth, make_configured_client)
    created = await auth.plugin(ApiKeys).create_api_key(
        user_id=user_id,
        name="worker",
        expires_in=timedelta(days=2),
        remaining=100,
        refill_amount=100,
        refill_interval=timedelta(hours=1),
        rate_limit_time_window=60_000,
        rate_limit_max=50,
        rate_limit_enabled=True,
        permissions={"files": ["read", "write"]},
    )
    body = created.to_json()
    assert body["key"] == created.key
    assert (body["remaining"], body["refillAmount"], body["refillInterval"]) == (100, 100, 3_600_000)
    assert (body["rateLimitTimeWindow"], body["rateLimitMax"]) == (60_000, 50)
    assert body["permissions"] == {"files": ["read", "write"]}
    assert body["expiresAt"] == "2026-11-24T12:00:00.000Z"
    key_id = created.api_key.id
    updated = await auth.plugin(ApiKeys).update_api_key(
        key_id, user_id=user_id, remaining=5, permissions=None, rate_limit_max=1, expires_in=None
    )
    assert (updated.remaining, updated.permissions, updated.rate_limit_max, updated.expires_at) == (5, None, 1, None)
    assert (await auth.plugin(ApiKeys).update_api_key(key_id, user_id=user_id, name="n")).remaining == 5
    page = await auth.plugin(ApiKeys).list_api_keys(user_id=user_id, limit=1)
    assert (page.total, [k.id for k in page.api_keys]) == (1, [key_id])
    assert (await auth.plugin(ApiKeys).get_api_key(key_id, user_id=user_id)).name == "n"
    with pytest.raises(AuthError) as refused:
        await auth.plugin(ApiKeys).update_api_key(key_id, user_id=user_id, refill_amount=5)
    assert refused.value.code == "REFILL_AMOUNT_AND_INTERVAL_REQUIRED"
    with pytest.raises(AuthError) as refused:
        await auth.plugin(ApiKeys).create_api_key(user_id=user_id, refill_interval=1000)
    assert refused.value.code == "REFILL_INTERVAL_AND_AMOUNT_REQUIRED"
    with pytest.raises(AuthError) as refused:
        await auth.plugin(ApiKeys).create_api_key(user_id="no-such-user")
    assert (refused.value.code, refused.value.status_code) == ("USER_NOT_FOUND", 404)
    with pytest.raises(AuthError) as refused:
        await auth.plugin(ApiKeys).create_api_key(user_id=user_id, remaining=-1)
    assert (refused.value.code, refused.value.message) == (
        "VALIDATION_ERROR",
        "[remaining] Input should be greater than or equal to 0",
    )
    await auth.plugin(ApiKeys).delete_api_key(key_id, user_id=user_id)
    with pytest.raises(AuthError):
        await auth.plugin(ApiKeys).get_api_key(key_id, user_id=user_id)


async def test_deleting_a_user_deletes_their_keys(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    auth = make_auth(plugins={"api_key": {"enabled": True}}, user={"delete_user": {"enabled": True}})
    ann, _ = await signed_in(auth, make_configured_client)
    bob, _ = await signed_in(auth, make_configured_client, "bob@example.com")
    ann_key = await create_key(ann)
    await create_key(ann)
    bob_key = await create_key(bob)
    response = await ann.post("/api/auth/delete-user", json={})
    assert response.json() == {"success": True, "message": "User deleted"}
    assert [row.id for row in await stored_keys(database)] == [bob_key["id"]]
    assert (await auth.plugin(ApiKeys).verify_api_key(ann_key["key"])).error.code == "INVALID_API_KEY"  # type: ignore[union-attr]
