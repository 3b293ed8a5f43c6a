"""One window semantics on every storage of the limiter: memory, the `rateLimit` table (SQLite, PostgreSQL) and Redis.

Memory and the table are timed by the test clock. `limits`' Redis storage is timed by Redis (key expiry) and the real
clock, so its tests use one-second windows and wait at most about a second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage as LimitsRedisStorage
from limits.aio.strategies import FixedWindowRateLimiter
from sqlalchemy import insert, select
from sqlmodel import SQLModel

from fastapi_betterauth import ManualClock
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import RateLimit
from fastapi_betterauth.schema import shipped_tables
from fastapi_betterauth.security.ratelimit import DatabaseLimitStorage, LimitBackend, MemoryLimitStorage, limit_backend
from fastapi_betterauth.security.ratelimit.storage import NAMESPACE
from fastapi_betterauth.storage import MemoryStorage, RedisStorage

from ..conftest import AuthFactory
from .ratelimit_support import Servers, empty_rate_limit_table, limits_on

SIGN_IN = "/api/auth/sign-in/email"
WRONG = {"email": "ann@example.com", "password": "wrong password"}
_TABLE = RateLimit.__table__  # type: ignore[attr-defined]


@dataclass
class Counters:
    """A backend under test, and how to let time pass for it."""

    backend: LimitBackend
    advance: Callable[[float], Awaitable[None]]
    clocked: bool


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "redis"])
def counter_store(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """Which storage, and its URL (the session's PostgreSQL database is made synchronously, outside the loop)."""
    if request.param == "sqlite":
        return "database", f"sqlite+aiosqlite:///{tmp_path / 'limits.db'}"
    if request.param == "postgres":
        return "database", request.getfixturevalue("postgres_database")
    if request.param == "redis":
        return "redis", request.getfixturevalue("redis_url")
    return "memory", None


@pytest.fixture
async def counters(counter_store: tuple[str, str | None], clock: ManualClock) -> AsyncIterator[Counters]:
    async def move_clock(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    kind, url = counter_store
    if kind == "memory":
        yield Counters(limit_backend("memory", clock=clock, database=None, secondary=None), move_clock, True)  # type: ignore[arg-type]
    elif kind == "redis":
        assert url is not None
        storage = RedisStorage.from_url(url)
        backend = limit_backend(None, clock=clock, database=None, secondary=storage)  # type: ignore[arg-type]
        yield Counters(backend, asyncio.sleep, False)
        await storage.close()
    else:
        assert url is not None
        database = Database(url)
        async with database.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all, tables=list(shipped_tables()))
        await empty_rate_limit_table(database)
        yield Counters(limit_backend("database", clock=clock, database=database, secondary=None), move_clock, True)
        await database.dispose()


REAL_TIME_ATTEMPTS = 4
"""On Redis (real time) a one-second window only says something if the test's own steps fit in it: a machine busy
with other jobs can stall the test for longer than the ~0.4 s of slack. Such a run is void, not failed: the steps
are timed, and a void run is done again, with new keys, up to this many times in all."""


def stalled(started: float, window: float = 1.0) -> bool:
    """More than a window of real time since `started`: the hits in between may have straddled two windows."""
    return time.monotonic() - started >= window


async def test_a_window_opens_at_the_first_hit_and_does_not_slide(counters: Counters) -> None:
    limiter = FixedWindowRateLimiter(counters.backend.storage)
    item = RateLimitItemPerSecond(2, 1, namespace=NAMESPACE)
    for attempt in range(1 if counters.clocked else REAL_TIME_ATTEMPTS):
        key = f"k{attempt}"
        started = time.monotonic()
        hits = [await limiter.hit(item, key) for _ in range(3)]
        reset = (await limiter.get_window_stats(item, key)).reset_time - counters.backend.now()
        await counters.advance(0.6)
        refused = await limiter.hit(item, key)
        if counters.clocked or not stalled(started):
            break
    else:
        pytest.fail(f"every one of {REAL_TIME_ATTEMPTS} runs stalled past the 1 s window: the machine is too busy")
    assert hits == [True, True, False]
    assert 0 < reset <= 1
    if counters.clocked:
        assert reset == 1
    assert refused is False  # refused hits do not extend the window either
    await counters.advance(0.5)
    for _ in range(1 if counters.clocked else REAL_TIME_ATTEMPTS):
        started = time.monotonic()
        assert await limiter.hit(item, key) is True  # a new window, from this hit
        count = await counters.backend.storage.get(item.key_for(key))
        if counters.clocked or not stalled(started):
            break
        await counters.advance(1.1)  # that window may have ended before it was read: wait for the next one
    else:
        pytest.fail(f"every one of {REAL_TIME_ATTEMPTS} runs stalled past the 1 s window: the machine is too busy")
    assert count == 1


async def test_concurrent_hits_are_counted_exactly(counters: Counters) -> None:
    limiter = FixedWindowRateLimiter(counters.backend.storage)
    item = RateLimitItemPerSecond(10, 60, namespace=NAMESPACE)
    allowed = await asyncio.gather(*(limiter.hit(item, "burst") for _ in range(40)))
    assert allowed.count(True) == 10
    assert await counters.backend.storage.get(item.key_for("burst")) == 40


async def test_clear_forgets_a_key(counters: Counters) -> None:
    limiter = FixedWindowRateLimiter(counters.backend.storage)
    item = RateLimitItemPerSecond(1, 60, namespace=NAMESPACE)
    assert await limiter.hit(item, "a") is True
    assert await limiter.hit(item, "b") is True
    assert await limiter.hit(item, "a") is False
    await limiter.clear(item, "a")
    assert await limiter.hit(item, "a") is True
    assert await limiter.hit(item, "b") is False


async def test_database_rows_hold_the_window_end_and_only_ours_are_swept(
    database: Database, clock: ManualClock
) -> None:
    await empty_rate_limit_table(database)
    storage = DatabaseLimitStorage(database, clock)
    now_ms = int(clock.now().timestamp() * 1000)
    async with database.engine.begin() as connection:
        # A Node better-auth app's row (its key format, its last request time) and an ended window of ours.
        await connection.execute(
            insert(_TABLE).values(id="node", key="127.0.0.1|/sign-in/email", count=2, lastRequest=now_ms - 90_000)
        )
        await connection.execute(
            insert(_TABLE).values(id="ended", key=f"{NAMESPACE}/old", count=5, lastRequest=now_ms - 1)
        )
    assert await storage.incr(f"{NAMESPACE}/new", 10) == 1
    assert await storage.incr(f"{NAMESPACE}/new", 10) == 2
    async with database.engine.connect() as connection:
        rows = dict((await connection.execute(select(_TABLE.c.key, _TABLE.c.lastRequest))).all())
    assert rows == {"127.0.0.1|/sign-in/email": now_ms - 90_000, f"{NAMESPACE}/new": now_ms + 10_000}
    assert await storage.reset() == 1
    assert await storage.check() is True


async def test_a_key_longer_than_the_column_is_counted_and_cleared(database: Database, clock: ManualClock) -> None:
    """Keys carry an email or a path: one longer than MySQL's `varchar(255)` is stored as its start and hash, and
    still counts, reads and clears as itself (never as a neighbour with the same start)."""
    await empty_rate_limit_table(database)
    storage = DatabaseLimitStorage(database, clock)
    long_key, neighbour = f"{NAMESPACE}/{'x' * 400}a", f"{NAMESPACE}/{'x' * 400}b"
    assert await storage.incr(long_key, 60) == 1
    assert await storage.incr(long_key, 60) == 2
    assert await storage.incr(neighbour, 60) == 1
    assert await storage.get(long_key) == 2
    await storage.clear(long_key)
    assert await storage.get(long_key) == 0
    assert await storage.get(neighbour) == 1


async def test_memory_keeps_at_most_max_keys(clock: ManualClock) -> None:
    storage = MemoryLimitStorage(clock, max_keys=3)
    await storage.incr("short", 1)
    for key in ("a", "b"):
        await storage.incr(key, 60)
    clock.advance(timedelta(seconds=2))
    await storage.incr("c", 60)  # the ended window makes room
    await storage.incr("d", 60)  # then the oldest goes
    assert [await storage.get(key) for key in ("a", "b", "c", "d")] == [0, 1, 1, 1]


def test_storage_choice(clock: ManualClock, database: Database) -> None:
    def storage_of(choice: str | None, secondary: object = None) -> object:
        return limit_backend(choice, clock=clock, database=database, secondary=secondary).storage  # type: ignore[arg-type]

    assert isinstance(storage_of(None), MemoryLimitStorage)
    assert isinstance(storage_of("database"), DatabaseLimitStorage)
    assert isinstance(storage_of(None, MemoryStorage(clock)), MemoryLimitStorage)
    assert isinstance(storage_of("memory", RedisStorage.from_url("redis://127.0.0.1:1/0")), MemoryLimitStorage)
    assert isinstance(storage_of(None, RedisStorage.from_url("redis://127.0.0.1:1/0")), LimitsRedisStorage)
    with pytest.raises(ValueError, match="needs secondary storage"):
        storage_of("secondary-storage")
    with pytest.raises(ValueError, match="choose 'database' or 'memory'"):
        storage_of("secondary-storage", object())


# --- over HTTP --------------------------------------------------------------------------------------------------------


@pytest.fixture
async def serve(database: Database) -> AsyncIterator[Servers]:
    await empty_rate_limit_table(database)
    async with Servers.open() as servers:
        yield servers


@pytest.fixture(params=["database", "redis"])
def storage_options(request: pytest.FixtureRequest) -> dict[str, object]:
    """`make_auth` options that put the limiter's counters in the table, or in Redis as secondary storage."""
    if request.param == "database":
        return {"rate_limit": limits_on(storage="database", account={"enabled": False})}
    url = request.getfixturevalue("redis_url")
    return {"rate_limit": limits_on(account={"enabled": False}), "secondary_storage_url": url}


async def statuses(client: httpx.AsyncClient, count: int) -> list[int]:
    return [(await client.post(SIGN_IN, json=WRONG)).status_code for _ in range(count)]


async def test_the_sign_in_rule_on_each_storage(
    make_auth: AuthFactory, serve: Servers, storage_options: dict[str, object]
) -> None:
    client = await serve.client(make_auth(**storage_options))
    assert await statuses(client, 3) == [401, 401, 401]
    refused = await client.post(SIGN_IN, json=WRONG)
    assert refused.status_code == 429
    assert refused.json()["code"] == "RATE_LIMITED"
    # What is left of the 10 s window; Redis counts real seconds, several of which a loaded machine can spend on
    # the four requests.
    assert 1 <= int(refused.headers["retry-after"]) <= 10


async def test_two_app_instances_share_one_limit(
    make_auth: AuthFactory, serve: Servers, storage_options: dict[str, object]
) -> None:
    """Two `BetterAuth` objects (two workers, two hosts) on the same Redis or database count together."""
    first, second = make_auth(**storage_options), make_auth(**storage_options)
    assert first.rate_limiter is not second.rate_limiter
    on_first, on_second = await serve.client(first), await serve.client(second)
    assert await statuses(on_first, 2) == [401, 401]
    assert await statuses(on_second, 2) == [401, 429]
    assert await statuses(on_first, 1) == [429]


@pytest.mark.slow
async def test_redis_windows_end_by_redis_time(make_auth: AuthFactory, serve: Servers, redis_url: str) -> None:
    rules = {"/get-session": {"window": 1, "max": 1}}
    client = await serve.client(make_auth(rate_limit=limits_on(custom_rules=rules), secondary_storage_url=redis_url))
    for _ in range(REAL_TIME_ATTEMPTS):
        started = time.monotonic()
        first = await client.get("/api/auth/get-session")
        refused = await client.get("/api/auth/get-session")
        if not stalled(started):
            break
        await asyncio.sleep(1.1)  # void (see REAL_TIME_ATTEMPTS): let the window end, and again
    else:
        pytest.fail(f"every one of {REAL_TIME_ATTEMPTS} runs stalled past the 1 s window: the machine is too busy")
    assert first.status_code == 200
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "1")
    await asyncio.sleep(1.1)  # a real wait: Redis expires the window
    assert (await client.get("/api/auth/get-session")).status_code == 200
