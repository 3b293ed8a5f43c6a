"""Sessions in secondary storage (docs/better-auth.md#secondary-storage) on memory and Redis: better-auth's keys, no
lost index entries, no revoked session left valid (#11022, #11073, #10992), and the database modes beside it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
import redis.asyncio as aioredis
from sqlmodel import select

from fastapi_betterauth import ManualClock, Session
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.storage import SecondaryStorage

from ..conftest import AuthFactory, ConfiguredClientFactory, QueryCounter, sign_in, sign_up
from ..email_password.test_sign_up import refuse_inserts  # noqa: F401, RUF100  (a fixture)

SESSION_KEYS = {"expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId", "id"}


@pytest.fixture(params=["memory", "redis"])
def storage_url(request: pytest.FixtureRequest) -> str:
    return "memory://" if request.param == "memory" else str(request.getfixturevalue("redis_url"))


@pytest.fixture
def with_storage(
    make_configured_client: ConfiguredClientFactory, make_auth: AuthFactory, storage_url: str
) -> Callable[..., Awaitable[tuple[httpx.AsyncClient, SecondaryStorage]]]:
    """`client, storage = await with_storage(**session_options)`: an app keeping sessions in storage."""

    async def build(**session: Any) -> tuple[httpx.AsyncClient, SecondaryStorage]:
        auth = make_auth(secondary_storage_url=storage_url, session=session)
        assert auth.storage is not None
        return await make_configured_client(auth), auth.storage

    return build


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def raw(storage: SecondaryStorage, key: str) -> Any:
    value = await storage.get(key)
    return None if value is None else json.loads(value)


async def db_sessions(database: Database) -> list[Session]:
    async with database.session() as db:
        return list((await db.exec(select(Session))).all())


async def test_sessions_live_in_storage_in_better_auths_format(
    with_storage: Any, database: Database, queries: QueryCounter
) -> None:
    client, storage = await with_storage()
    body = (await sign_up(client)).json()
    token, user_id = body["token"], body["user"]["id"]
    stored = await raw(storage, token)
    assert set(stored) == {"session", "user"}
    assert set(stored["session"]) == SESSION_KEYS
    assert stored["session"]["token"] == token
    assert stored["user"]["email"] == "ann@example.com"
    index = await raw(storage, f"active-sessions-{user_id}")
    assert index == [{"token": token, "expiresAt": ms(datetime(2026, 11, 29, 12, tzinfo=UTC))}]
    assert await db_sessions(database) == []  # storage only, by default

    queries.statements.clear()
    assert (await client.get("/me")).status_code == 200
    assert queries.statements == []  # a protected request reads storage, not the database


async def test_refresh_and_sign_out_in_storage(with_storage: Any, clock: ManualClock) -> None:
    client, storage = await with_storage()
    body = (await sign_up(client)).json()
    token, user_id = body["token"], body["user"]["id"]
    clock.advance(timedelta(days=2))
    refreshed = (await client.get("/api/auth/get-session")).json()
    assert refreshed["session"]["expiresAt"] == "2026-12-01T12:00:00.000Z"
    assert (await raw(storage, token))["session"]["expiresAt"] == "2026-12-01T12:00:00.000Z"
    index = await raw(storage, f"active-sessions-{user_id}")
    assert index[0]["expiresAt"] == ms(datetime(2026, 12, 1, 12, tzinfo=UTC))

    assert (await client.post("/api/auth/sign-out")).json() == {"success": True}
    assert await raw(storage, token) is None
    assert await raw(storage, f"active-sessions-{user_id}") is None
    assert (await client.get("/me")).status_code == 401


async def test_revocation_and_listing_in_storage(
    make_configured_client: ConfiguredClientFactory, make_auth: AuthFactory, storage_url: str
) -> None:
    auth = make_auth(secondary_storage_url=storage_url)  # one instance: a memory store is per process
    laptop, phone, tablet = [await make_configured_client(auth) for _ in range(3)]
    await sign_up(laptop)
    await sign_in(phone)
    await sign_in(tablet)
    listed = (await laptop.get("/api/auth/list-sessions")).json()
    assert len(listed) == 3
    tablet_token = (await tablet.get("/api/auth/get-session")).json()["session"]["token"]
    assert (await laptop.post("/api/auth/revoke-session", json={"token": tablet_token})).json() == {"status": True}
    assert (await tablet.get("/me")).status_code == 401
    assert (await laptop.post("/api/auth/revoke-other-sessions")).json() == {"status": True}
    assert (await phone.get("/me")).status_code == 401
    assert (await laptop.get("/me")).status_code == 200
    assert len((await laptop.get("/api/auth/list-sessions")).json()) == 1


async def test_user_updates_reach_stored_copies(with_storage: Any) -> None:
    client, _storage = await with_storage()
    await sign_up(client)
    await client.post("/api/auth/update-user", json={"name": "Ann B."})
    assert (await client.get("/api/auth/get-session")).json()["user"]["name"] == "Ann B."
    assert (await client.get("/me")).status_code == 200


async def test_store_session_in_database_keeps_both_and_falls_back(with_storage: Any, database: Database) -> None:
    client, storage = await with_storage(store_session_in_database=True)
    token = (await sign_up(client)).json()["token"]
    assert [s.token for s in await db_sessions(database)] == [token]
    await storage.delete(token)  # storage lost it (eviction, restart of a memory store)
    assert (await client.get("/me")).status_code == 200  # the table still knows it...
    assert await raw(storage, token) is not None  # ...and storage is warmed again
    await client.post("/api/auth/sign-out")
    assert await db_sessions(database) == []


async def test_preserve_session_in_database_ends_rows(
    with_storage: Any, database: Database, clock: ManualClock
) -> None:
    client, _ = await with_storage(store_session_in_database=True, preserve_session_in_database=True)
    token = (await sign_up(client)).json()["token"]
    await client.post("/api/auth/sign-out")
    rows = await db_sessions(database)
    assert [row.token for row in rows] == [token]
    assert rows[0].expires_at == clock.now()
    assert (await client.get("/me")).status_code == 401


async def test_revoking_a_session_storage_lost_still_preserves_its_row(
    make_configured_client: ConfiguredClientFactory,
    make_auth: AuthFactory,
    storage_url: str,
    database: Database,
    clock: ManualClock,
) -> None:
    """With `preserve_session_in_database`, revoking a session that storage no longer holds (evicted) ends its row,
    like any other revoke, instead of deleting it."""
    session = {"store_session_in_database": True, "preserve_session_in_database": True}
    auth = make_auth(secondary_storage_url=storage_url, session=session)
    assert auth.storage is not None
    owner, phone = await make_configured_client(auth), await make_configured_client(auth)
    await sign_up(owner)
    token = (await sign_in(phone)).json()["token"]
    await auth.storage.delete(token)
    revoked = await owner.post("/api/auth/revoke-session", json={"token": token})
    assert revoked.json() == {"status": True}
    rows = {row.token: row for row in await db_sessions(database)}
    assert token in rows, "the row was deleted"
    assert rows[token].expires_at == clock.now()
    assert (await phone.get("/me")).status_code == 401


@pytest.mark.parametrize(
    ("in_database", "refused"), [(True, "session"), (False, "account")], ids=["session-row", "account-at-commit"]
)
async def test_rolled_back_sign_up_leaves_no_stored_session(
    with_storage: Any,
    refuse_inserts: Callable[[str], Awaitable[None]],  # noqa: F811
    database: Database,
    in_database: bool,
    refused: str,
) -> None:
    """L10: a user who was never created has no session anywhere. The storage write is part of the transaction: a
    failure before it stops it, a failure after it (the account, written at the commit) takes it back."""
    client, storage = await with_storage(store_session_in_database=in_database)
    await refuse_inserts(refused)
    response = await sign_up(client)
    assert response.status_code == 422
    if hasattr(storage, "_client"):
        assert [k async for k in storage._client.scan_iter()] == []
    else:
        assert storage._items == {}


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def test_concurrent_sign_ins_and_revoke_leave_nothing_behind(
    make_configured_client: ConfiguredClientFactory, redis_url: str, redis_client: aioredis.Redis
) -> None:
    """The issue's race on Redis: 50 sign-ins, half of them during revoke-other-sessions. Every session that
    existed before the revoke is dead, and the index lists exactly the sessions that exist (better-auth left
    10-21 of 95 revoked sessions valid)."""
    owner = await make_configured_client(secondary_storage_url=redis_url)
    user_id = (await sign_up(owner)).json()["user"]["id"]
    before = [await make_configured_client(secondary_storage_url=redis_url) for _ in range(25)]
    await asyncio.gather(*(sign_in(client) for client in before))
    during = [await make_configured_client(secondary_storage_url=redis_url) for _ in range(25)]
    results = await asyncio.gather(
        owner.post("/api/auth/revoke-other-sessions"), *(sign_in(client) for client in during)
    )
    assert all(response.status_code == 200 for response in results)

    for client in before:
        assert (await client.get("/me")).status_code == 401
    assert (await owner.get("/me")).status_code == 200

    index = {entry["token"] for entry in json.loads(await redis_client.get(f"active-sessions-{user_id}") or "[]")}
    live = set()
    async for key in redis_client.scan_iter():
        if not key.startswith("active-sessions-"):
            assert json.loads(await redis_client.get(key) or "{}")["user"]["id"] == user_id
            live.add(key)
    assert index == live  # no orphaned entry, no unlisted session
    for client in during:
        token = (await client.get("/api/auth/get-session")).json()
        assert token is None or token["session"]["token"] in index
