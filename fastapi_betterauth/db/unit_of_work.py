"""A transaction and what goes with it: after-hooks that must wait for the commit, and writes to secondary storage
made inside it, undone if it rolls back (docs/security.md L10: a sign-up completes or leaves nothing)."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

Action = Callable[[], Awaitable[None]]

logger = logging.getLogger("fastapi_betterauth")


@dataclass
class _Unit:
    after: list[Action] = field(default_factory=list)
    undo: list[Action] = field(default_factory=list)


_current: contextvars.ContextVar[_Unit | None] = contextvars.ContextVar("fastapi_betterauth_unit_of_work", default=None)


async def after_commit(action: Action) -> None:
    """Run `action` when the enclosing `unit_of_work` completes, or now if there is none."""
    unit = _current.get()
    if unit is None:
        await action()
    else:
        unit.after.append(action)


def undo_on_failure(action: Action) -> None:
    """Run `action` if the enclosing `unit_of_work` fails (its transaction rolls back, or its commit fails); nothing
    outside one. For writes outside the database that belong to the transaction: write first, then commit."""
    unit = _current.get()
    if unit is not None:
        unit.undo.append(action)


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[None]:
    """Wrap a transaction: actions queued inside run, in order, once it has completed without an error; undo actions
    run, last first, when it ends with one (which is raised again).

    Nested units belong to the outermost one. Enter it outside the transaction (`async with unit_of_work(),
    db.begin():`) so the actions run after the commit, and the undo actions after a failed commit too.
    """
    if _current.get() is not None:
        yield
        return
    unit = _Unit()
    token = _current.set(unit)
    try:
        yield
    except BaseException:
        _current.reset(token)
        for undo in reversed(unit.undo):
            try:
                await undo()
            except Exception:
                logger.exception("undoing a write of a failed transaction failed")
        raise
    _current.reset(token)
    for action in unit.after:
        await action()
