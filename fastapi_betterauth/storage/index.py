"""better-auth's per-user session index: `active-sessions-<userId>` → `[{"token": ..., "expiresAt": <ms>}, ...]`.

The same rules are implemented here (memory storage, and reading on Redis) and in Lua (`_lua.py`, writing on Redis):
entries that are malformed or expired at `now_ms` are dropped, a token listed twice keeps its latest expiry, and the
list is sorted by `expiresAt` ascending, ties in list order (a stable sort).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

ACTIVE_SESSIONS_PREFIX = "active-sessions-"

IndexEntry = tuple[str, int]
"""`(token, expires_at_ms)`."""


def active_sessions_key(user_id: str) -> str:
    """The storage key of a user's session index, as better-auth names it."""
    return f"{ACTIVE_SESSIONS_PREFIX}{user_id}"


def parse_index(raw: str | None, now_ms: int) -> list[IndexEntry]:
    """The live entries of a stored index, sorted. Tolerant like better-auth's `safeJSONParse`: junk reads as empty."""
    if raw is None:
        return []
    try:
        decoded: object = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(decoded, list):
        return []
    latest: dict[str, int] = {}
    for item in decoded:
        if not isinstance(item, dict):
            continue
        token, expires_at = item.get("token"), item.get("expiresAt")
        if not isinstance(token, str) or isinstance(expires_at, bool) or not isinstance(expires_at, int | float):
            continue
        if not math.isfinite(expires_at):
            continue
        expires_ms = math.floor(expires_at)
        if expires_ms > now_ms and expires_ms > latest.get(token, expires_ms - 1):
            latest[token] = expires_ms
    return sort_index(latest.items())


def sort_index(entries: Iterable[IndexEntry]) -> list[IndexEntry]:
    """Entries by expiry ascending; equal expiries keep their order."""
    return sorted(entries, key=lambda entry: entry[1])


def render_index(entries: Iterable[IndexEntry]) -> str:
    """The JSON text better-auth writes (`JSON.stringify(list)`): compact, integer `expiresAt`."""
    payload = [{"token": token, "expiresAt": expires_ms} for token, expires_ms in entries]
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def index_ttl(entries: Iterable[IndexEntry], now_ms: int) -> int:
    """Seconds the index key lives: until its latest entry expires, rounded up, at least 1 (never 0 or "forever")."""
    latest = max(expires_ms for _, expires_ms in entries)
    return max(1, -((now_ms - latest) // 1000))
