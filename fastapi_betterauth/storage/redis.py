"""Secondary storage on Redis (redis-py's asyncio client), shareable with a Node better-auth app."""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from . import _lua
from .index import IndexEntry, parse_index


def _text(value: object) -> str | None:
    # A client made without decode_responses=True answers bytes.
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


class RedisStorage:
    """`SecondaryStorage` on Redis ≥ 6.2 (GETDEL). Counters and the session index are updated by Lua scripts.

    Pass a client you own (`RedisStorage(client)`; `close()` leaves it open), or let `from_url` make one that
    `close()` closes.
    """

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client
        self._owns_client = False
        self._increment = client.register_script(_lua.INCREMENT)
        self._index_update = client.register_script(_lua.INDEX_UPDATE)

    @classmethod
    def from_url(cls, url: str, *, max_connections: int = 100, timeout: float | None = 1.0) -> RedisStorage:
        """A storage with its own client for `url` (`redis://`, `rediss://` or `unix://`), closed by `close()`.

        The pool holds at most `max_connections`; further concurrent commands wait for a free connection (redis-py's
        default pool raises "Too many connections" instead). `timeout` (seconds) bounds connecting, each command and
        the wait for a connection; a failed command is retried once at once (a connection left over from before a
        Redis restart), never with redis-py's default backoff of up to 10 s, so an outage fails fast.
        """
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            decode_responses=True,
            max_connections=max_connections,
            timeout=timeout,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )
        storage = cls(aioredis.Redis.from_pool(pool))
        storage._owns_client = True
        return storage

    @property
    def client(self) -> aioredis.Redis:
        """The underlying redis-py client."""
        return self._client

    async def get(self, key: str) -> str | None:
        """The value at `key`, or None."""
        return _text(await self._client.get(key))

    async def set(self, key: str, value: str, ttl: int | None = None) -> None:
        """SET with EX `ttl`; `ttl <= 0` deletes the key (Redis would reject EX 0, some clients mean "forever")."""
        if ttl is None:
            await self._client.set(key, value)
        elif ttl <= 0:
            await self._client.delete(key)
        else:
            await self._client.set(key, value, ex=ttl)

    async def replace(self, key: str, value: str, ttl: int) -> bool:
        """SET ... XX EX `ttl`: only an existing key is overwritten; `ttl <= 0` deletes it."""
        if ttl <= 0:
            await self._client.delete(key)
            return False
        return bool(await self._client.set(key, value, ex=ttl, xx=True))

    async def delete(self, key: str) -> None:
        """DEL `key`."""
        await self._client.delete(key)

    async def get_and_delete(self, key: str) -> str | None:
        """GETDEL `key` (atomic)."""
        return _text(await self._client.getdel(key))

    async def increment(self, key: str, ttl: int) -> int:
        """INCR, plus EXPIRE `ttl` when the key was created, in one script."""
        if ttl <= 0:
            raise ValueError(f"increment needs a positive ttl, got {ttl}")
        value = await self._increment(keys=[key], args=[ttl])
        return int(value)

    async def index_add(self, key: str, member: str, expires_at_ms: int, now_ms: int) -> None:
        """Add or replace `member` in the index, in one script."""
        await self._index_update(keys=[key], args=[now_ms, "add", member, expires_at_ms])

    async def index_remove(self, key: str, members: Sequence[str], now_ms: int) -> None:
        """Remove `members` from the index, in one script."""
        await self._index_update(keys=[key], args=[now_ms, "remove", *members])

    async def index_members(self, key: str, now_ms: int) -> list[IndexEntry]:
        """The live entries of the index (one GET)."""
        return parse_index(await self.get(key), now_ms)

    async def close(self) -> None:
        """Close the client if `from_url` made it."""
        if self._owns_client:
            await self._client.aclose()
