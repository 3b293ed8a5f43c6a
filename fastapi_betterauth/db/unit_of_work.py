"""Work that must wait for a transaction to commit: after-hooks, and writes to secondary storage that would be
wrong if the database write they belong to rolled back (a session in Redis for a user who was never created)."""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

Action = Callable[[], Awaitable[None]]

_pending: contextvars.ContextVar[list[Action] | None] = contextvars.ContextVar(
    "fastapi_betterauth_after_commit", default=None
)


async def after_commit(action: Action) -> None:
    """Run `action` when the enclosing `unit_of_work` completes, or now if there is none."""
    pending = _pending.get()
    if pending is None:
        await action()
    else:
        pending.append(action)


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[None]:
    """Wrap a transaction: actions queued inside run, in order, once it has completed without an error.

    Nested units belong to the outermost one. Enter it outside the transaction (`async with unit_of_work(),
    db.begin():`) so the actions run after the commit.
    """
    if _pending.get() is not None:
        yield
        return
    pending: list[Action] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for action in pending:
        await action()
