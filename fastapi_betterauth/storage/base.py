"""The secondary-storage contract (better-auth `SecondaryStorage`, docs/better-auth.md#secondary-storage), explicit
about time and atomicity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class SecondaryStorage(Protocol):
    """A key-value store with expiry, shared by every process of an app (and, on Redis, with a Node better-auth app).

    Values are strings (better-auth stores JSON text). TTLs are whole seconds. The `index_*` operations maintain
    better-auth's per-user session index (`active-sessions-<userId>`, a JSON list of `{"token", "expiresAt"}` sorted
    by `expiresAt` ascending) and, unlike better-auth's get-then-set (#11022, #11073), each one is atomic.
    """

    async def get(self, key: str) -> str | None:
        """The value at `key`, or None when it is missing or expired."""
        ...

    async def set(self, key: str, value: str, ttl: int | None = None) -> None:
        """Store `value` at `key`, replacing any value and expiry.

        `ttl` is in whole seconds; None means no expiry. A `ttl <= 0` means "already expired": the key is deleted,
        never kept forever (better-auth #10992).
        """
        ...

    async def replace(self, key: str, value: str, ttl: int) -> bool:
        """Atomically overwrite `key` only if it still exists (Redis `SET ... XX`); False when it does not.

        Refreshing a session this way can never bring back one that was revoked meanwhile.
        """
        ...

    async def delete(self, key: str) -> None:
        """Remove `key` (no error when it is missing)."""
        ...

    async def get_and_delete(self, key: str) -> str | None:
        """Atomically read and remove `key`: of concurrent callers, exactly one gets the value."""
        ...

    async def increment(self, key: str, ttl: int) -> int:
        """Atomically add 1 to the counter at `key` and return the new value.

        A missing key is created with the value 1 and an expiry of `ttl` seconds (`ttl` must be positive); the
        expiry of an existing counter is left alone.
        """
        ...

    async def index_add(self, key: str, member: str, expires_at_ms: int, now_ms: int) -> None:
        """Atomically add `member` to the index at `key`, or replace its expiry, pruning entries expired at `now_ms`.

        An entry that is already expired (`expires_at_ms <= now_ms`) is not added (and replaces nothing but itself).
        The key's TTL becomes ceil((latest expiresAt - now_ms) / 1000) seconds, at least 1; an empty index is deleted.
        """
        ...

    async def index_remove(self, key: str, members: Sequence[str], now_ms: int) -> None:
        """Atomically remove `members` from the index at `key`, pruning entries expired at `now_ms`."""
        ...

    async def index_members(self, key: str, now_ms: int) -> list[tuple[str, int]]:
        """The live `(member, expires_at_ms)` pairs of the index at `key`, by `expires_at_ms` ascending."""
        ...

    async def close(self) -> None:
        """Release connections this storage opened itself."""
        ...
