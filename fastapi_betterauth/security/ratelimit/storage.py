"""Where the limiter's counters live: `limits` storages for memory, the `rateLimit` table and Redis.

All three hold fixed-window counters for `limits`' `FixedWindowRateLimiter`: a key's window opens at its first hit,
its count only grows, and the key is gone `expiry` seconds later. So the window semantics are the same whichever
storage is chosen (better-auth's differ by storage).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from limits.aio.storage import RedisStorage as LimitsRedisStorage
from limits.aio.storage import Storage
from sqlalchemy import case, delete, select, true
from sqlalchemy.exc import SQLAlchemyError

from ...clock import Clock
from ...crypto.tokens import generate_id, sha256_base64url
from ...db.dialects import upsert_returning
from ...db.engine import Database
from ...db.models import RateLimit
from ...storage import MemoryStorage, RedisStorage, SecondaryStorage

NAMESPACE = "fastapi-betterauth"
"""Every key the limiter writes starts with this, so a table or Redis database shared with others stays tidy."""
REDIS_KEY_PREFIX = "rate-limit"

StorageChoice = Literal["memory", "database", "secondary-storage"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SWEEP_INTERVAL_MS = 60_000
_TABLE = RateLimit.__table__  # type: ignore[attr-defined]
MYSQL_KEY_LENGTH = 255


def _epoch_seconds(clock: Clock) -> Callable[[], float]:
    return lambda: (clock.now() - _EPOCH) / timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class LimitBackend:
    """A `limits` storage, and the time (epoch seconds) its window ends are measured against."""

    storage: Storage
    now: Callable[[], float]


@dataclass(slots=True)
class _Window:
    count: int
    ends_at: float


class MemoryLimitStorage(Storage):
    """Fixed-window counters in a dict, timed by the auth clock (tests move time instead of sleeping).

    No operation awaits, so each is atomic for the tasks of the event loop. One process only. At most `max_keys`
    counters are kept: past that, ended windows are dropped first, then the oldest (better-auth caps its memory
    store the same way).
    """

    STORAGE_SCHEME = None

    def __init__(self, clock: Clock, *, max_keys: int = 100_000) -> None:
        super().__init__()
        self._now = _epoch_seconds(clock)
        self._max_keys = max_keys
        self._windows: dict[str, _Window] = {}

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def _live(self, key: str, now: float) -> _Window | None:
        window = self._windows.get(key)
        if window is not None and window.ends_at <= now:
            del self._windows[key]
            return None
        return window

    def _make_room(self, now: float) -> None:
        for key in [key for key, window in self._windows.items() if window.ends_at <= now]:
            del self._windows[key]
        while len(self._windows) >= self._max_keys:
            del self._windows[next(iter(self._windows))]  # the dict keeps creation order: the oldest first

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self._now()
        window = self._live(key, now)
        if window is None:
            if len(self._windows) >= self._max_keys:
                self._make_room(now)
            window = self._windows[key] = _Window(0, now + expiry)
        window.count += amount
        return window.count

    async def get(self, key: str) -> int:
        window = self._live(key, self._now())
        return window.count if window else 0

    async def get_expiry(self, key: str) -> float:
        now = self._now()
        window = self._live(key, now)
        return window.ends_at if window else now

    async def check(self) -> bool:
        return True

    async def reset(self) -> int | None:
        count = len(self._windows)
        self._windows.clear()
        return count

    async def clear(self, key: str) -> None:
        self._windows.pop(key, None)


class DatabaseLimitStorage(Storage):
    """Fixed-window counters in better-auth's `rateLimit` table (SQLite, PostgreSQL, MySQL), timed by the auth clock.

    A hit is one `INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING count` (on MySQL `ON DUPLICATE KEY UPDATE`,
    then the locked row's count), atomic on every database: concurrent hits from any number of processes are all
    counted. A row is one window: `count` hits until `lastRequest`, which here holds the window's *end* (epoch ms);
    better-auth writes its last request time there. Writing the end means that a Node better-auth app sweeping the
    same table never deletes a live window of ours. Our keys start with the limiter's namespace, so rows of a Node app
    are never read or swept here. Ended rows are deleted at most once a minute per process.
    """

    STORAGE_SCHEME = None

    def __init__(self, database: Database, clock: Clock) -> None:
        super().__init__()
        self._database = database
        self._now = _epoch_seconds(clock)
        self._next_sweep_ms = 0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def _now_ms(self) -> int:
        return int(self._now() * 1000)

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now_ms = self._now_ms()
        ends_ms = now_ms + expiry * 1000
        ended = _TABLE.c.lastRequest <= now_ms
        count = await upsert_returning(
            self._database.engine,
            _TABLE,
            {"id": generate_id(), "key": self._stored(key), "count": amount, "lastRequest": ends_ms},
            _TABLE.c.key,
            {  # `count` first: on MySQL each assignment sees the ones before it, and this one reads the old end
                "count": case((ended, amount), else_=_TABLE.c.count + amount),
                "lastRequest": case((ended, ends_ms), else_=_TABLE.c.lastRequest),
            },
            _TABLE.c.count,
        )
        if now_ms >= self._next_sweep_ms:
            self._next_sweep_ms = now_ms + _SWEEP_INTERVAL_MS
            await self._delete(_TABLE.c.lastRequest <= now_ms)
        return int(count)

    async def _window(self, key: str) -> tuple[int, int] | None:
        now_ms = self._now_ms()
        query = select(_TABLE.c.count, _TABLE.c.lastRequest).where(
            _TABLE.c.key == self._stored(key), _TABLE.c.lastRequest > now_ms
        )
        async with self._database.engine.connect() as connection:
            row = (await connection.execute(query)).first()
        return (int(row[0]), int(row[1])) if row else None

    async def get(self, key: str) -> int:
        window = await self._window(key)
        return window[0] if window else 0

    async def get_expiry(self, key: str) -> float:
        window = await self._window(key)
        return window[1] / 1000 if window else self._now()

    async def _delete(self, condition: Any) -> int:
        statement = delete(_TABLE).where(_TABLE.c.key.startswith(f"{NAMESPACE}/", autoescape=True), condition)
        async with self._database.engine.begin() as connection:
            result = await connection.execute(statement)
        return int(result.rowcount)

    async def check(self) -> bool:
        try:
            async with self._database.engine.connect() as connection:
                await connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    async def reset(self) -> int | None:
        return await self._delete(true())

    async def clear(self, key: str) -> None:
        await self._delete(_TABLE.c.key == self._stored(key))

    def _stored(self, key: str) -> str:
        """The `key` column's value: on MySQL, where it is a `varchar(255)`, a longer key (an email, a long path)
        keeps its start and ends in its hash instead."""
        if len(key) <= MYSQL_KEY_LENGTH or not self._database.is_mysql:
            return key
        return f"{key[: MYSQL_KEY_LENGTH - 44]}#{sha256_base64url(key)}"


def _redis_storage(storage: RedisStorage) -> LimitsRedisStorage:
    # limits' own Redis storage (its INCR+EXPIRE script) on the connection pool of the secondary storage; its
    # default client library is coredis, which we do not depend on.
    pool = cast(Any, storage.client.connection_pool)
    return LimitsRedisStorage(
        "async+redis://", implementation="redispy", key_prefix=REDIS_KEY_PREFIX, connection_pool=pool
    )


def limit_backend(
    choice: StorageChoice | None, *, clock: Clock, database: Database, secondary: SecondaryStorage | None
) -> LimitBackend:
    """The storage `rate_limit.storage` names; by default secondary storage when configured, else memory.

    `secondary-storage` means Redis (shared by every process and app instance using it; windows end by Redis's
    clock); with the in-process `MemoryStorage` it means process memory.
    """
    if choice is None:
        choice = "secondary-storage" if secondary is not None else "memory"
    if choice == "database":
        return LimitBackend(DatabaseLimitStorage(database, clock), _epoch_seconds(clock))
    if choice == "secondary-storage":
        if isinstance(secondary, RedisStorage):
            return LimitBackend(_redis_storage(secondary), time.time)
        if secondary is None:
            raise ValueError("rate_limit.storage='secondary-storage' needs secondary storage (secondary_storage_url)")
        if not isinstance(secondary, MemoryStorage):
            raise ValueError(
                "rate_limit.storage='secondary-storage' works with RedisStorage or MemoryStorage; "
                f"for {type(secondary).__name__} choose 'database' or 'memory'"
            )
    return LimitBackend(MemoryLimitStorage(clock), _epoch_seconds(clock))
