"""Secondary storage (docs/better-auth.md#secondary-storage): the same behaviour on `MemoryStorage` and on a real Redis,
including the session index that better-auth gets wrong (#11022 and #11073: lost entries; #10992: a TTL that floors to 0
means forever)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from fastapi_betterauth import ManualClock
from fastapi_betterauth.storage import (
    MemoryStorage,
    RedisStorage,
    SecondaryStorage,
    active_sessions_key,
    storage_from_url,
)

INDEX = active_sessions_key("user-1")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

IndexAdd = Callable[[str, str, int, int], Awaitable[None]]
IndexRemove = Callable[[str, Sequence[str], int], Awaitable[None]]
IndexList = Callable[[str, int], Awaitable[list[tuple[str, int]]]]


def ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


async def ttl_of(storage: SecondaryStorage, key: str) -> int:
    """Redis `TTL` semantics: seconds left, -1 without expiry, -2 missing. Read from the server itself for Redis."""
    if isinstance(storage, RedisStorage):
        return int(await storage.client.ttl(key))
    assert isinstance(storage, MemoryStorage)
    return storage.ttl(key)


async def raw(storage: SecondaryStorage, key: str) -> str | None:
    """The stored string, read by the raw client for Redis (as a Node app sharing the database would)."""
    if isinstance(storage, RedisStorage):
        value = await storage.client.get(key)
        return None if value is None else str(value)
    return await storage.get(key)


def test_storages_satisfy_the_protocol(storage: SecondaryStorage) -> None:
    assert isinstance(storage, SecondaryStorage)


# --- get / set / delete ---


async def test_get_set_delete(storage: SecondaryStorage) -> None:
    assert await storage.get("k") is None
    await storage.set("k", '{"a":1}')
    assert await storage.get("k") == '{"a":1}'
    await storage.set("k", "second")
    assert await storage.get("k") == "second"
    await storage.delete("k")
    assert await storage.get("k") is None
    await storage.delete("k")  # missing: no error


async def test_set_without_ttl_never_expires(storage: SecondaryStorage, clock: ManualClock) -> None:
    await storage.set("k", "v")
    assert await ttl_of(storage, "k") == -1
    clock.advance(timedelta(days=3650))
    assert await storage.get("k") == "v"


async def test_set_with_ttl_expires(storage: SecondaryStorage, clock: ManualClock) -> None:
    await storage.set("k", "v", ttl=60)
    assert await ttl_of(storage, "k") == 60
    if isinstance(storage, MemoryStorage):
        clock.advance(timedelta(seconds=59, milliseconds=999))
        assert await storage.get("k") == "v"
        clock.advance(timedelta(milliseconds=1))
        assert await storage.get("k") is None
        assert await ttl_of(storage, "k") == -2


async def test_set_replaces_value_and_expiry(storage: SecondaryStorage) -> None:
    await storage.set("k", "v", ttl=60)
    await storage.set("k", "w")
    assert await ttl_of(storage, "k") == -1
    await storage.set("k", "x", ttl=5)
    assert await ttl_of(storage, "k") == 5
    assert await storage.get("k") == "x"


@pytest.mark.parametrize("ttl", [0, -1, -3600])
async def test_ttl_of_zero_or_less_deletes_never_keeps_forever(storage: SecondaryStorage, ttl: int) -> None:
    await storage.set("k", "old")
    await storage.set("k", "new", ttl=ttl)
    assert await storage.get("k") is None
    assert await ttl_of(storage, "k") == -2


# --- get_and_delete ---


async def test_get_and_delete(storage: SecondaryStorage) -> None:
    assert await storage.get_and_delete("k") is None
    await storage.set("k", "v", ttl=60)
    assert await storage.get_and_delete("k") == "v"
    assert await storage.get_and_delete("k") is None
    assert await storage.get("k") is None


async def test_get_and_delete_gives_the_value_to_exactly_one_of_50_concurrent_callers(
    storage: SecondaryStorage,
) -> None:
    await storage.set("single-use", "token-row", ttl=60)
    results = await asyncio.gather(*(storage.get_and_delete("single-use") for _ in range(50)))
    assert [r for r in results if r is not None] == ["token-row"]


# --- increment ---


async def test_increment_is_atomic_under_100_concurrent_calls(storage: SecondaryStorage) -> None:
    results = await asyncio.gather(*(storage.increment("127.0.0.1|/sign-in/email", 60) for _ in range(100)))
    assert sorted(results) == list(range(1, 101))
    assert await storage.get("127.0.0.1|/sign-in/email") == "100"
    assert await ttl_of(storage, "127.0.0.1|/sign-in/email") == 60


async def test_increment_leaves_a_counter_without_expiry_alone(storage: SecondaryStorage) -> None:
    await storage.set("c", "0")
    assert await storage.increment("c", 10) == 1
    assert await ttl_of(storage, "c") == -1


async def test_increment_sets_the_ttl_only_on_creation(storage: SecondaryStorage, clock: ManualClock) -> None:
    assert await storage.increment("c", 10) == 1
    clock.advance(timedelta(seconds=6))
    assert await storage.increment("c", 600) == 2
    ttl = await ttl_of(storage, "c")
    assert 0 < ttl <= 10
    if isinstance(storage, MemoryStorage):
        assert ttl == 4
        clock.advance(timedelta(seconds=4))
        assert await storage.get("c") is None
        assert await storage.increment("c", 10) == 1


@pytest.mark.parametrize("ttl", [0, -5])
async def test_increment_needs_a_positive_ttl(storage: SecondaryStorage, ttl: int) -> None:
    with pytest.raises(ValueError, match="positive ttl"):
        await storage.increment("c", ttl)
    assert await storage.get("c") is None


# --- the session index ---


async def test_index_members_sorted_by_expiry(storage: SecondaryStorage, clock: ManualClock) -> None:
    now = ms(clock.now())
    await storage.index_add(INDEX, "b", now + 5_000, now)
    await storage.index_add(INDEX, "a", now + 2_000, now)
    await storage.index_add(INDEX, "c", now + 9_000, now)
    assert await storage.index_members(INDEX, now) == [("a", now + 2_000), ("b", now + 5_000), ("c", now + 9_000)]
    # Adding a member again replaces its expiry (a refreshed session) instead of listing it twice.
    await storage.index_add(INDEX, "b", now + 10_000, now)
    assert await storage.index_members(INDEX, now) == [("a", now + 2_000), ("c", now + 9_000), ("b", now + 10_000)]
    await storage.index_remove(INDEX, ["a", "c", "not-there"], now)
    assert await storage.index_members(INDEX, now) == [("b", now + 10_000)]
    assert await storage.index_members(active_sessions_key("nobody"), now) == []


async def test_index_prunes_expired_entries(storage: SecondaryStorage, clock: ManualClock) -> None:
    now = ms(clock.now())
    await storage.index_add(INDEX, "short", now + 1_000, now)
    await storage.index_add(INDEX, "long", now + 60_000, now)
    later = now + 1_000  # "short" expires at exactly this instant: expiresAt <= now is expired
    assert await storage.index_members(INDEX, later) == [("long", now + 60_000)]
    await storage.index_add(INDEX, "new", now + 30_000, later)
    assert [e["token"] for e in json.loads(await raw(storage, INDEX) or "")] == ["new", "long"]


async def test_index_ignores_an_entry_that_is_already_expired(storage: SecondaryStorage, clock: ManualClock) -> None:
    now = ms(clock.now())
    await storage.index_add(INDEX, "gone", now, now)
    assert await raw(storage, INDEX) is None
    await storage.index_add(INDEX, "a", now + 5_000, now)
    await storage.index_add(INDEX, "a", now - 1, now)  # re-adding as expired drops it
    assert await raw(storage, INDEX) is None


async def test_index_is_stored_in_better_auths_format(storage: SecondaryStorage, clock: ManualClock) -> None:
    now = ms(clock.now())
    far = 10**15  # year 33658: cjson would write 1e+15
    await storage.index_add(INDEX, 'tok/é"\\', now + 7_000, now)
    await storage.index_add(INDEX, "far", far, now)
    await storage.index_add(INDEX, "plain", now + 3_000, now)
    text = await raw(storage, INDEX)
    assert text is not None
    assert f'"expiresAt":{far}}}' in text  # digits, not 1e+15
    stored = json.loads(text)
    assert stored == [
        {"token": "plain", "expiresAt": now + 3_000},
        {"token": 'tok/é"\\', "expiresAt": now + 7_000},
        {"token": "far", "expiresAt": far},
    ]
    assert all(list(entry) == ["token", "expiresAt"] and type(entry["expiresAt"]) is int for entry in stored)


async def test_index_reads_and_rewrites_a_list_written_by_node(storage: SecondaryStorage, clock: ManualClock) -> None:
    """better-auth pushes without re-sorting, may list a token twice, and leaves expired entries behind."""
    now = ms(clock.now())
    node_list = [
        {"token": "b", "expiresAt": now + 9_000},
        {"token": "expired", "expiresAt": now - 5},
        {"token": "a", "expiresAt": now + 4_000},
        {"token": "b", "expiresAt": now + 2_000},
        {"token": 7, "expiresAt": now + 1_000},
        {"token": "no-expiry"},
    ]
    await storage.set(INDEX, json.dumps(node_list), ttl=9)
    assert await storage.index_members(INDEX, now) == [("a", now + 4_000), ("b", now + 9_000)]
    await storage.index_add(INDEX, "c", now + 1_000, now)
    assert json.loads(await raw(storage, INDEX) or "") == [
        {"token": "c", "expiresAt": now + 1_000},
        {"token": "a", "expiresAt": now + 4_000},
        {"token": "b", "expiresAt": now + 9_000},
    ]


@pytest.mark.parametrize("junk", ["not json", "{}", '{"token":"a"}', "42", "null"])
async def test_index_treats_junk_as_empty(storage: SecondaryStorage, clock: ManualClock, junk: str) -> None:
    now = ms(clock.now())
    await storage.set(INDEX, junk)
    assert await storage.index_members(INDEX, now) == []
    await storage.index_add(INDEX, "a", now + 1_000, now)
    assert json.loads(await raw(storage, INDEX) or "") == [{"token": "a", "expiresAt": now + 1_000}]


async def test_an_empty_index_deletes_its_key(storage: SecondaryStorage, clock: ManualClock) -> None:
    now = ms(clock.now())
    await storage.index_add(INDEX, "a", now + 5_000, now)
    await storage.index_add(INDEX, "b", now + 6_000, now)
    await storage.index_remove(INDEX, ["a", "b"], now)
    assert await raw(storage, INDEX) is None
    assert await ttl_of(storage, INDEX) == -2
    # Pruning the last entry deletes the key too (never a stored "[]" or cjson's "{}").
    await storage.index_add(INDEX, "a", now + 5_000, now)
    await storage.index_remove(INDEX, [], now + 5_000)
    assert await raw(storage, INDEX) is None


@pytest.mark.parametrize(
    ("ahead_ms", "ttl"),
    [(1, 1), (400, 1), (999, 1), (1_000, 1), (1_001, 2), (1_500, 2), (59_999, 60), (7 * 86_400_000, 7 * 86_400)],
)
async def test_index_ttl_is_the_latest_expiry_rounded_up_never_zero_or_forever(
    storage: SecondaryStorage, clock: ManualClock, ahead_ms: int, ttl: int
) -> None:
    """better-auth floors (latest - now) / 1000 and, below 1 s, Redis adapters store the list forever (#10992)."""
    now = ms(clock.now())
    await storage.index_add(INDEX, "a", now + ahead_ms, now)
    assert await ttl_of(storage, INDEX) == ttl


async def test_index_ttl_follows_the_latest_entry(storage: SecondaryStorage, clock: ManualClock) -> None:
    now = ms(clock.now())
    await storage.index_add(INDEX, "long", now + 3_600_000, now)
    await storage.index_add(INDEX, "short", now + 10_000, now)
    assert await ttl_of(storage, INDEX) == 3_600
    await storage.index_remove(INDEX, ["long"], now)
    assert await ttl_of(storage, INDEX) == 10


async def test_memory_index_key_expires_with_its_latest_entry(clock: ManualClock) -> None:
    storage = MemoryStorage(clock)
    now = ms(clock.now())
    await storage.index_add(INDEX, "a", now + 400, now)
    clock.advance(timedelta(milliseconds=999))
    assert await storage.get(INDEX) is not None
    clock.advance(timedelta(milliseconds=1))
    assert await storage.get(INDEX) is None


# --- concurrency: better-auth #11022 / #11073 ---


async def sign_in_and_out(add: IndexAdd, remove: IndexRemove, i: int, now: int) -> None:
    """Session i is created; the first 25 are then revoked, while the others are still being created."""
    await add(INDEX, f"session-{i:02}", now + 60_000 + i, now)
    if i < 25:
        await remove(INDEX, [f"session-{i:02}"], now)


async def run_50_sessions(add: IndexAdd, remove: IndexRemove, list_: IndexList, now: int) -> list[str]:
    await asyncio.gather(*(sign_in_and_out(add, remove, i, now) for i in range(50)))
    return [token for token, _ in await list_(INDEX, now)]


async def test_concurrent_index_updates_lose_nothing(storage: SecondaryStorage, clock: ManualClock) -> None:
    now = ms(clock.now())
    remaining = await run_50_sessions(storage.index_add, storage.index_remove, storage.index_members, now)
    assert remaining == [f"session-{i:02}" for i in range(25, 50)]


class NaiveIndex:
    """better-auth's approach (internal-adapter.ts): `get`, change the list, `set`. Not atomic. A demonstration only.

    `asyncio.sleep(0)` between the read and the write stands for the awaits better-auth does there; on Redis the
    network round trips interleave the tasks anyway.
    """

    def __init__(self, storage: SecondaryStorage) -> None:
        self.storage = storage

    async def _rewrite(self, key: str, now_ms: int, drop: set[str], add: tuple[str, int] | None) -> None:
        current = await self.storage.get(key)
        await asyncio.sleep(0)
        entries = [e for e in json.loads(current or "[]") if e["expiresAt"] > now_ms and e["token"] not in drop]
        if add is not None:
            entries.append({"token": add[0], "expiresAt": add[1]})
        entries.sort(key=lambda e: e["expiresAt"])
        await self.storage.set(key, json.dumps(entries), ttl=3600)

    async def add(self, key: str, member: str, expires_at_ms: int, now_ms: int) -> None:
        await self._rewrite(key, now_ms, {member}, (member, expires_at_ms))

    async def remove(self, key: str, members: Sequence[str], now_ms: int) -> None:
        await self._rewrite(key, now_ms, set(members), None)

    async def members(self, key: str, now_ms: int) -> list[tuple[str, int]]:
        return [(e["token"], e["expiresAt"]) for e in json.loads(await self.storage.get(key) or "[]")]


async def test_a_naive_get_then_set_index_loses_entries(storage: SecondaryStorage, clock: ManualClock) -> None:
    """The control for the test above: the same workload through get-then-set ends with the wrong sessions."""
    now = ms(clock.now())
    naive = NaiveIndex(storage)
    remaining = await run_50_sessions(naive.add, naive.remove, naive.members, now)
    assert remaining != [f"session-{i:02}" for i in range(25, 50)]
    lost = {f"session-{i:02}" for i in range(25, 50)} - set(remaining)
    assert lost, f"expected lost sessions, the list kept {remaining}"


# --- construction and closing ---


async def test_storage_from_url_memory(clock: ManualClock) -> None:
    memory = storage_from_url("memory://", clock)
    assert isinstance(memory, MemoryStorage)
    await memory.set("k", "v", ttl=1)
    clock.advance(timedelta(seconds=1))
    assert await memory.get("k") is None
    with pytest.raises(ValueError, match="unsupported"):
        storage_from_url("postgres://localhost/db")


async def test_storage_from_url_redis(redis_url: str) -> None:
    on_redis = storage_from_url(redis_url)
    assert isinstance(on_redis, RedisStorage)
    await on_redis.set("k", "v")
    assert await on_redis.get("k") == "v"
    await on_redis.close()


async def test_redis_storage_leaves_a_given_client_open(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)  # no decode_responses: answers are bytes
    storage = RedisStorage(client)
    await storage.set("k", "välue", ttl=60)
    assert await storage.get("k") == "välue"
    assert await storage.get_and_delete("k") == "välue"
    await storage.index_add(INDEX, "a", 2_000, 1_000)
    assert await storage.index_members(INDEX, 1_000) == [("a", 2_000)]
    await storage.close()
    assert await client.ping()
    await client.aclose()
