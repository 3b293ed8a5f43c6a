"""Database hooks (better-auth's `databaseHooks`, docs/better-auth.md#database-hooks): code that runs around every write
of a user, session, account or verification row, whichever feature makes it.

```python
async def no_banned_domains(data: dict[str, Any]) -> dict[str, Any] | bool | None:
    if data["email"].endswith("@spam.example"):
        return False                      # veto: the write does not happen
    return {"name": data["name"].strip()}  # or change what is written (merged into the row)

auth = BetterAuth(settings, hooks=DatabaseHooks(user=ModelHooks(before_create=no_banned_domains)))
```

- `before_*` hooks get the row (create, delete) or the changes (update) as a dict of snake_case fields. They may
  return `False` to veto, a dict to merge into the write, or `None` to let it through; raising an `AuthError`
  answers the client with it.
- `after_*` hooks run only once the write is committed (never for a rolled-back one); their errors are logged,
  not raised, since the write has happened.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Literal

from .db.unit_of_work import after_commit, unit_of_work

logger = logging.getLogger("fastapi_betterauth")

Model = Literal["user", "session", "account", "verification"]
Operation = Literal["create", "update", "delete"]
BeforeHook = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | bool | None]]
AfterHook = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ModelHooks:
    """Hooks for one table."""

    before_create: BeforeHook | None = None
    after_create: AfterHook | None = None
    before_update: BeforeHook | None = None
    after_update: AfterHook | None = None
    before_delete: BeforeHook | None = None
    after_delete: AfterHook | None = None


@dataclass(frozen=True, slots=True)
class DatabaseHooks:
    """Hooks per table. Pass to `BetterAuth(hooks=...)`."""

    user: ModelHooks = field(default_factory=ModelHooks)
    session: ModelHooks = field(default_factory=ModelHooks)
    account: ModelHooks = field(default_factory=ModelHooks)
    verification: ModelHooks = field(default_factory=ModelHooks)


class HookVetoError(Exception):
    """A `before_*` hook returned False."""

    def __init__(self, model: Model, operation: Operation) -> None:
        super().__init__(f"a before_{operation} hook on {model} refused the write")
        self.model = model
        self.operation = operation


class HookRunner:
    """Runs the configured hooks; services call it around their writes."""

    def __init__(self, hooks: DatabaseHooks | None = None) -> None:
        self._hooks = hooks or DatabaseHooks()

    def has(self, model: Model, operation: Operation) -> bool:
        """Whether any hook is configured for this write (lets hot paths skip the work of preparing data)."""
        hooks: ModelHooks = getattr(self._hooks, model)
        return any(getattr(hooks, f"{when}_{operation}") is not None for when in ("before", "after"))

    async def before(self, model: Model, operation: Operation, data: dict[str, Any]) -> dict[str, Any]:
        """`data` as the hook leaves it; `HookVetoError` when it refuses."""
        hook: BeforeHook | None = getattr(getattr(self._hooks, model), f"before_{operation}")
        if hook is None:
            return data
        outcome = await hook(dict(data))
        if outcome is False:
            raise HookVetoError(model, operation)
        if isinstance(outcome, dict):
            return {**data, **outcome}
        return data

    async def after(self, model: Model, operation: Operation, data: dict[str, Any]) -> None:
        """Run the `after_*` hook once the enclosing unit of work commits (now, outside one)."""
        hook: AfterHook | None = getattr(getattr(self._hooks, model), f"after_{operation}")
        if hook is not None:
            snapshot = dict(data)
            await after_commit(lambda: _run_after(hook, snapshot))

    def unit_of_work(self) -> AbstractAsyncContextManager[None]:
        """Queue `after_*` hooks (and storage writes) raised inside; run them if the block completes."""
        return unit_of_work()


async def _run_after(hook: AfterHook, data: dict[str, Any]) -> None:
    try:
        await hook(data)
    except Exception:
        logger.exception("an after-write database hook failed (the write itself is committed)")
