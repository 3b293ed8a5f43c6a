"""Expired verification rows do not pile up (L5): writes sweep those expired more than a day ago,
at most once an hour per instance, and `python -m fastapi_betterauth sweep` deletes every expired one at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from fastapi_betterauth import ManualClock
from fastapi_betterauth.cli import main
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Verification
from fastapi_betterauth.verification.service import VerificationService


async def _count(database: Database) -> int:
    async with database.session() as db:
        return int((await db.exec(select(func.count()).select_from(Verification))).one())


async def test_writes_sweep_rows_expired_a_day_ago(database: Database, clock: ManualClock) -> None:
    tokens = VerificationService(database, clock)
    await tokens.issue("test", {"n": 1}, timedelta(minutes=10))  # the first write sweeps (nothing yet)
    await tokens.issue("test", {"n": 2}, timedelta(minutes=10))
    assert await _count(database) == 2

    clock.advance(timedelta(minutes=30))
    await tokens.issue("test", {"n": 3}, timedelta(days=3))  # within the hour of the last sweep: no sweep
    assert await _count(database) == 3

    clock.advance(timedelta(days=1, hours=1))
    await tokens.issue("test", {"n": 4}, timedelta(minutes=10))

    assert await _count(database) == 2  # the two expired a day ago are gone; the 3-day one and the new one stay


def test_the_sweep_command_deletes_every_expired_row(
    database_url: str, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """`database` only prepares the tables: each `asyncio.run` below needs an engine of its own event loop."""

    async def run(work: Callable[[Database], Awaitable[int]]) -> int:
        own = Database(database_url)
        try:
            return await work(own)
        finally:
            await own.dispose()

    async def fill(own: Database) -> int:
        tokens = VerificationService(own, ManualClock())
        await tokens.issue("test", {}, timedelta(seconds=-1))  # already expired
        await tokens.issue("test", {}, timedelta(days=1))
        return await _count(own)

    assert asyncio.run(run(fill)) == 2

    assert main(["sweep", "--database-url", database_url]) == 0
    assert "deleted 1 expired verification rows" in capsys.readouterr().err
    assert asyncio.run(run(_count)) == 1
