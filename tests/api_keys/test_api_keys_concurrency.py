"""Concurrent verifications of one key never spend more than it has: every counter moves by a guarded UPDATE
(compare-and-swap) in a transaction. On PostgreSQL, where requests really run in parallel; and on SQLite."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from fastapi_betterauth import BetterAuth, ManualClock
from fastapi_betterauth.api_keys.plugin import ApiKeys

from ..conftest import AuthFactory
from .api_key_support import keys_auth, stored_key
from .test_api_keys_verify import new_user

pytestmark = pytest.mark.usefixtures("database")
PARALLEL = 50


async def verify_all(auth: BetterAuth, key: str) -> list[str | None]:
    results = await asyncio.gather(*(auth.plugin(ApiKeys).verify_api_key(key) for _ in range(PARALLEL)))
    return [result.error.code if result.error else None for result in results]


async def test_remaining_is_spent_exactly(make_auth: AuthFactory, database: object) -> None:
    """50 parallel verifications of a key with remaining=10: exactly 10 succeed, the others are refused."""
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    created = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, remaining=10, rate_limit_enabled=False)
    codes = await verify_all(auth, created.key)
    assert codes.count(None) == 10
    assert set(codes) <= {None, "USAGE_EXCEEDED", "INVALID_API_KEY"}  # a late one may find it deleted
    row = await stored_key(database, created.api_key.id)  # type: ignore[arg-type]
    assert row is None or row.remaining == 0


async def test_rate_limit_admits_exactly_the_maximum(make_auth: AuthFactory, database: object) -> None:
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    created = await auth.plugin(ApiKeys).create_api_key(
        user_id=user_id, rate_limit_max=10, rate_limit_time_window=60_000
    )
    codes = await verify_all(auth, created.key)
    assert (codes.count(None), codes.count("RATE_LIMITED")) == (10, PARALLEL - 10)
    row = await stored_key(database, created.api_key.id)  # type: ignore[arg-type]
    assert row is not None
    assert row.request_count == 10


async def test_one_refill_for_many_verifications(make_auth: AuthFactory, clock: ManualClock) -> None:
    auth = keys_auth(make_auth)
    user_id = await new_user(auth)
    created = await auth.plugin(ApiKeys).create_api_key(
        user_id=user_id, remaining=0, refill_amount=7, refill_interval=1000, rate_limit_enabled=False
    )
    clock.advance(timedelta(seconds=2))
    codes = await verify_all(auth, created.key)
    assert codes.count(None) == 7
    assert set(codes) == {None, "USAGE_EXCEEDED"}
