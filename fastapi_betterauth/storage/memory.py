"""Secondary storage in process memory: for tests and single-process apps."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..clock import Clock, SystemClock
from .index import IndexEntry, index_ttl, parse_index, render_index, sort_index

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SWEEP_EVERY = 1024


@dataclass(slots=True)
class _Item:
    value: str
    expires_at_ms: int | None


class MemoryStorage:
    """`SecondaryStorage` in a dict, expiring keys by `clock` (so a `ManualClock` moves expiry in tests).

    Every operation runs without awaiting, under a lock, so each is atomic for all tasks and threads of the process.
    Not shared between processes: use `RedisStorage` when several workers serve the app.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._items: dict[str, _Item] = {}
        self._lock = threading.Lock()
        self._writes = 0

    def _now_ms(self) -> int:
        return (self._clock.now() - _EPOCH) // timedelta(milliseconds=1)

    def _live(self, key: str, now_ms: int) -> _Item | None:
        item = self._items.get(key)
        if item is not None and item.expires_at_ms is not None and item.expires_at_ms <= now_ms:
            del self._items[key]
            return None
        return item

    def _put(self, key: str, value: str, ttl: int | None, now_ms: int) -> None:
        if ttl is not None and ttl <= 0:
            self._items.pop(key, None)
            return
        self._items[key] = _Item(value, None if ttl is None else now_ms + ttl * 1000)
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            for stale in [k for k, item in self._items.items() if item.expires_at_ms is not None]:
                self._live(stale, now_ms)

    def ttl(self, key: str) -> int:
        """Like Redis `TTL`: seconds left (rounded up), -1 for a key without expiry, -2 for a missing key."""
        with self._lock:
            now_ms = self._now_ms()
            item = self._live(key, now_ms)
            if item is None:
                return -2
            if item.expires_at_ms is None:
                return -1
            return -((now_ms - item.expires_at_ms) // 1000)

    async def get(self, key: str) -> str | None:
        """The value at `key`, or None when it is missing or expired."""
        with self._lock:
            item = self._live(key, self._now_ms())
            return None if item is None else item.value

    async def set(self, key: str, value: str, ttl: int | None = None) -> None:
        """Store `value` for `ttl` seconds (None: no expiry; `<= 0`: delete)."""
        with self._lock:
            self._put(key, value, ttl, self._now_ms())

    async def replace(self, key: str, value: str, ttl: int) -> bool:
        """Overwrite `key` only if it is present and live."""
        with self._lock:
            now_ms = self._now_ms()
            if self._live(key, now_ms) is None:
                return False
            self._put(key, value, ttl, now_ms)
            return ttl > 0

    async def delete(self, key: str) -> None:
        """Remove `key`."""
        with self._lock:
            self._items.pop(key, None)

    async def get_and_delete(self, key: str) -> str | None:
        """Read and remove `key` atomically."""
        with self._lock:
            item = self._live(key, self._now_ms())
            if item is None:
                return None
            del self._items[key]
            return item.value

    async def increment(self, key: str, ttl: int) -> int:
        """Add 1 to the counter at `key`; a new counter expires after `ttl` seconds."""
        if ttl <= 0:
            raise ValueError(f"increment needs a positive ttl, got {ttl}")
        with self._lock:
            now_ms = self._now_ms()
            item = self._live(key, now_ms)
            if item is None:
                self._put(key, "1", ttl, now_ms)
                return 1
            value = int(item.value) + 1
            item.value = str(value)
            return value

    async def index_add(self, key: str, member: str, expires_at_ms: int, now_ms: int) -> None:
        """Add or replace `member` in the index at `key`."""
        with self._lock:
            entries = self._index(key, now_ms)
            kept = [entry for entry in entries if entry[0] != member]
            if expires_at_ms > now_ms:
                kept.append((member, expires_at_ms))
            self._store_index(key, sort_index(kept), now_ms)

    async def index_remove(self, key: str, members: Sequence[str], now_ms: int) -> None:
        """Remove `members` from the index at `key`."""
        with self._lock:
            drop = set(members)
            kept = [entry for entry in self._index(key, now_ms) if entry[0] not in drop]
            self._store_index(key, kept, now_ms)

    async def index_members(self, key: str, now_ms: int) -> list[IndexEntry]:
        """The live entries of the index at `key`, by expiry."""
        with self._lock:
            return self._index(key, now_ms)

    def _index(self, key: str, now_ms: int) -> list[IndexEntry]:
        item = self._live(key, self._now_ms())
        return parse_index(None if item is None else item.value, now_ms)

    def _store_index(self, key: str, entries: list[IndexEntry], now_ms: int) -> None:
        if not entries:
            self._items.pop(key, None)
            return
        # The TTL counts from the caller's `now_ms`, like Redis's EX counts from the server's clock.
        self._put(key, render_index(entries), index_ttl(entries, now_ms), self._now_ms())

    async def close(self) -> None:
        """Nothing to release."""
