"""Spending one use of a key: its quota (`remaining`, with refills) and its rate limit
(docs/better-auth.md#api-key-verification, steps 5-6).

Every change is a guarded `UPDATE ... RETURNING` (compare-and-swap) in one transaction, so concurrent verifications
of one key can never spend more than it has: of 50 at once on a key with `remaining = 10`, exactly 10 pass. A
request refused by the rate limit rolls its quota decrement back (better-auth keeps it spent). The transaction's
first statement is always a write, so SQLite never has to upgrade a read lock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db.dialects import update_returning
from ..db.engine import Database
from ..errors import AuthError, ErrorCode
from ..security.ratelimit.limiter import retry_after_seconds
from .errors import ApiKeyErrorCode, api_key_error
from .models import ApiKey

_MAX_ATTEMPTS = 8  # lost compare-and-swaps before a verification gives up (fails closed, as rate limited)
RATE_LIMIT_MESSAGE = "Rate limit exceeded."


class RateLimitedError(AuthError):
    """429 `RATE_LIMITED`: the key's window is used up. `try_again_in` is in milliseconds (better-auth's
    `details.tryAgainIn`); the response also carries `Retry-After` in seconds."""

    def __init__(self, try_again_in: int) -> None:
        super().__init__(
            ErrorCode.RATE_LIMITED,
            429,
            RATE_LIMIT_MESSAGE,
            headers={"Retry-After": retry_after_seconds(try_again_in / 1000)},
            extra={"details": {"tryAgainIn": try_again_in}},
        )
        self.try_again_in = try_again_in


@dataclass(frozen=True, slots=True)
class _Decision:
    kind: Literal["skip", "stamp", "start", "reset", "increment", "deny"]
    window_start: datetime | None = None
    try_again_in: int = 0


def _milliseconds(delta: timedelta) -> float:
    return delta / timedelta(milliseconds=1)


def rate_limit_decision(key: ApiKey, now: datetime, *, enabled: bool) -> _Decision:
    """better-auth's per-key rule: the window runs from the last *allowed* request, and a full window refuses
    until `rateLimitTimeWindow` has passed since then."""
    if not enabled or key.rate_limit_enabled is False:
        return _Decision("stamp")
    window, limit = key.rate_limit_time_window, key.rate_limit_max
    if window is None or limit is None:
        return _Decision("skip")
    if key.last_request is None:
        return _Decision("start")
    since = _milliseconds(now - key.last_request)
    window_start = now - timedelta(milliseconds=window)
    if since > window:
        return _Decision("reset", window_start)
    if (key.request_count or 0) >= limit:
        return _Decision("deny", try_again_in=math.ceil(window - since))
    return _Decision("increment", window_start)


async def _update(
    db: AsyncSession, key_id: str, guards: list[ColumnElement[bool]], values: dict[str, Any]
) -> ApiKey | None:
    statement = (
        update(ApiKey)
        .where(col(ApiKey.id) == key_id, *guards)
        .values(**values)
        .execution_options(populate_existing=True)
    )
    row = await update_returning(db, statement, [ApiKey], col(ApiKey.id) == key_id)
    found: ApiKey | None = row[0] if row else None
    return found


async def _reload(db: AsyncSession, key_id: str) -> ApiKey:
    statement = select(ApiKey).where(ApiKey.id == key_id).execution_options(populate_existing=True)
    found = (await db.exec(statement)).first()
    if found is None:  # deleted while we looked
        raise api_key_error(ApiKeyErrorCode.INVALID_API_KEY, 401)
    return found


async def _spend_quota(db: AsyncSession, key: ApiKey, now: datetime) -> ApiKey:
    """One use of `remaining`. A due refill *resets* the balance to `refillAmount` (better-auth); one verification
    wins the refill, the others decrement the refilled balance."""
    if key.refill_interval and key.refill_amount:
        threshold = now - timedelta(milliseconds=key.refill_interval)
        if (key.last_refill_at or key.created_at) < threshold:
            due = or_(
                col(ApiKey.last_refill_at) < threshold,
                and_(col(ApiKey.last_refill_at).is_(None), col(ApiKey.created_at) < threshold),
            )
            values = {"remaining": col(ApiKey.refill_amount) - 1, "last_refill_at": now, "updated_at": now}
            refilled = await _update(db, key.id, [due, col(ApiKey.refill_amount) > 0], values)
            if refilled is not None:
                return refilled
    spent = await _update(
        db, key.id, [col(ApiKey.remaining) > 0], {"remaining": col(ApiKey.remaining) - 1, "updated_at": now}
    )
    if spent is None:
        raise api_key_error(ApiKeyErrorCode.USAGE_EXCEEDED, 429)
    return spent


async def _take_request_slot(db: AsyncSession, key: ApiKey, now: datetime, *, enabled: bool) -> ApiKey | None:
    """Count this request against the key's window; None when nothing was written."""
    for _ in range(_MAX_ATTEMPTS):
        decision = rate_limit_decision(key, now, enabled=enabled)
        if decision.kind == "deny":
            raise RateLimitedError(decision.try_again_in)
        if decision.kind == "skip":
            return None
        if decision.kind == "stamp":
            return await _update(db, key.id, [], {"last_request": now, "updated_at": now})
        last_request = col(ApiKey.last_request)
        if decision.kind == "increment":
            guards = [last_request > decision.window_start, col(ApiKey.request_count) < col(ApiKey.rate_limit_max)]
            values: dict[str, Any] = {"request_count": col(ApiKey.request_count) + 1}
        else:
            window_open = last_request.is_(None) if decision.kind == "start" else last_request <= decision.window_start
            guards, values = [window_open], {"request_count": 1}
        taken = await _update(db, key.id, guards, {**values, "last_request": now, "updated_at": now})
        if taken is not None:
            return taken
        key = await _reload(db, key.id)  # another verification changed the window first: decide again
    raise RateLimitedError(1000)


async def spend(database: Database, key: ApiKey, now: datetime, *, rate_limit_enabled: bool) -> ApiKey:
    """Spend one use of `key` and answer the row as it is now: 429 `USAGE_EXCEEDED` without quota, 429
    `RATE_LIMITED` in a full window, 401 `INVALID_API_KEY` if the key was deleted meanwhile."""
    async with database.session() as db, db.begin():
        current = await _spend_quota(db, key, now) if key.remaining is not None else None
        slot = await _take_request_slot(db, current or key, now, enabled=rate_limit_enabled)
        current = slot or current or await _update(db, key.id, [], {"updated_at": now})
        if current is None:
            raise api_key_error(ApiKeyErrorCode.INVALID_API_KEY, 401)
        return current
