"""Secondary storage (better-auth `secondaryStorage`): sessions, counters and the per-user session index in a
key-value store. `storage_from_url("memory://")` for one process, `storage_from_url("redis://...")` for many."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..clock import Clock
from .base import SecondaryStorage
from .index import active_sessions_key
from .memory import MemoryStorage
from .redis import RedisStorage

__all__ = ["MemoryStorage", "RedisStorage", "SecondaryStorage", "active_sessions_key", "storage_from_url"]

_REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})


def storage_from_url(url: str, clock: Clock | None = None, *, timeout: float | None = 1.0) -> SecondaryStorage:
    """The storage a URL names: `memory://` (expiring by `clock`), or `redis://`, `rediss://`, `unix://` (Redis keeps
    its own time, so `clock` is not used; `timeout` bounds each connection and command, in seconds)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        return MemoryStorage(clock)
    if scheme in _REDIS_SCHEMES:
        return RedisStorage.from_url(url, timeout=timeout)
    raise ValueError(
        f"unsupported secondary storage URL scheme {scheme!r}: use memory://, redis://, rediss:// or unix://"
    )
