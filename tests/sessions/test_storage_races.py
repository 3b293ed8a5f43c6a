"""A revoke racing a read never brings the session back (docs/security.md S12), on real Redis.

A read that misses Redis copies the session's row back into it (`store_session_in_database`). A revoke removes the
Redis copy and the row one after the other, so a read can miss Redis after the first and read the row before the
second. The interleavings are forced, not hoped for: `HeldRedis` (the real `RedisStorage`) holds the revoke right
after its first removal from Redis, and the read right before its copy is written.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2 as httpx
import pytest
import redis.asyncio as aioredis

from fastapi_betterauth.crypto.tokens import sha256_base64url
from fastapi_betterauth.storage import RedisStorage

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_in, sign_up

MODES = {
    "redis": {},
    "redis+database": {"store_session_in_database": True},
    "redis+preserved-rows": {"store_session_in_database": True, "preserve_session_in_database": True},
    "redis+database, hashed tokens": {"store_session_in_database": True, "hash_session_tokens": True},
}
REVOKES = ["sign-out", "revoke-session", "revoke-other-sessions"]
"""`StorageSessionStore.delete`, `delete_owned` and `delete_for_user`."""


class Hold:
    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.go = asyncio.Event()


class HeldRedis(RedisStorage):
    """`RedisStorage` whose next write (`set`, before it is sent) or next removal (`get_and_delete` or `delete`, once
    done) a test can hold, to run something else in between."""

    def __init__(self, client: aioredis.Redis) -> None:
        super().__init__(client)
        self.holds: dict[str, Hold] = {}

    def hold(self, point: str) -> Hold:
        self.holds[point] = hold = Hold()
        return hold

    async def _pass(self, point: str) -> None:
        hold = self.holds.pop(point, None)
        if hold is not None:
            hold.reached.set()
            await hold.go.wait()

    async def set(self, key: str, value: str, ttl: int | None = None) -> None:
        await self._pass("write")
        await super().set(key, value, ttl)

    async def get_and_delete(self, key: str) -> str | None:
        value = await super().get_and_delete(key)
        await self._pass("removal")
        return value

    async def delete(self, key: str) -> None:
        await super().delete(key)
        await self._pass("removal")


async def reached(hold: Hold, task: asyncio.Task[Any]) -> bool:
    """Wait until `task` reaches `hold` (True) or ends without reaching it (False)."""
    waiter = asyncio.ensure_future(hold.reached.wait())
    await asyncio.wait({waiter, task}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if not hold.reached.is_set():
        assert task.done(), "neither held nor done in 10 s"
    return hold.reached.is_set()


@pytest.fixture
async def redis_client(redis_url: str) -> Any:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def setup(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, redis_url: str, mode: str
) -> tuple[HeldRedis, httpx.AsyncClient, httpx.AsyncClient, httpx.AsyncClient, str]:
    """An owner, the victim session, and a reader holding a copy of the victim's cookie."""
    storage = HeldRedis.from_url(redis_url)
    assert isinstance(storage, HeldRedis)
    auth = make_auth(secondary_storage=storage, session=MODES[mode])
    owner, victim, reader = [await make_configured_client(auth) for _ in range(3)]
    await sign_up(owner)
    token = str((await sign_in(victim)).json()["token"])
    reader.cookies.update(victim.cookies)
    assert (await reader.get("/me")).status_code == 200
    return storage, owner, victim, reader, token


def revoke(revocation: str, owner: httpx.AsyncClient, victim: httpx.AsyncClient, token: str) -> Any:
    if revocation == "sign-out":
        return victim.post("/api/auth/sign-out")
    if revocation == "revoke-session":
        return owner.post("/api/auth/revoke-session", json={"token": token})
    return owner.post("/api/auth/revoke-other-sessions")


async def assert_revoked(reader: httpx.AsyncClient, redis_client: aioredis.Redis, token: str, mode: str) -> None:
    key = sha256_base64url(token) if MODES[mode].get("hash_session_tokens") else token
    assert await redis_client.get(key) is None, (
        f"the revoked session is back in Redis, TTL {await redis_client.ttl(key)}"
    )
    async for index in redis_client.scan_iter("active-sessions-*"):
        assert key not in {entry["token"] for entry in json.loads(await redis_client.get(index) or "[]")}
    assert (await reader.get("/me")).status_code == 401
    assert (await reader.get("/api/auth/get-session")).json() is None


@pytest.mark.parametrize("revocation", REVOKES)
@pytest.mark.parametrize("mode", list(MODES))
async def test_a_read_copying_the_row_back_after_the_revoke_takes_its_copy_back(
    make_auth: AuthFactory,
    make_configured_client: ConfiguredClientFactory,
    redis_url: str,
    redis_client: aioredis.Redis,
    mode: str,
    revocation: str,
) -> None:
    """S12: the read misses Redis after the revoke removed the session there and reads the row before the revoke
    deletes it; the revoke then finishes, and only then does the read write its copy."""
    storage, owner, victim, reader, token = await setup(make_auth, make_configured_client, redis_url, mode)
    removal = storage.hold("removal")
    revoking = asyncio.create_task(revoke(revocation, owner, victim, token))
    assert await reached(removal, revoking)
    write = storage.hold("write")
    reading = asyncio.create_task(reader.get("/me"))
    copying = await reached(write, reading)
    assert copying == (mode.startswith("redis+database"))  # the only modes whose reads copy rows into Redis
    removal.go.set()
    assert (await revoking).status_code == 200
    write.go.set()
    await reading
    await assert_revoked(reader, redis_client, token, mode)


@pytest.mark.parametrize("revocation", REVOKES)
@pytest.mark.parametrize("mode", list(MODES))
async def test_a_read_copying_the_row_back_before_it_is_deleted_loses_its_copy(
    make_auth: AuthFactory,
    make_configured_client: ConfiguredClientFactory,
    redis_url: str,
    redis_client: aioredis.Redis,
    mode: str,
    revocation: str,
) -> None:
    """S12: the read runs whole between the revoke's removal from Redis and its deletion of the row: it finds the
    row still there and keeps its copy, which the revoke must remove after deleting the row."""
    storage, owner, victim, reader, token = await setup(make_auth, make_configured_client, redis_url, mode)
    removal = storage.hold("removal")
    revoking = asyncio.create_task(revoke(revocation, owner, victim, token))
    assert await reached(removal, revoking)
    await reader.get("/me")  # whatever it answers: the revoke is not done
    removal.go.set()
    assert (await revoking).status_code == 200
    await assert_revoked(reader, redis_client, token, mode)
