"""`OrganizationHooks`: code of the app that runs around creating an organization, inviting, accepting an invitation
and removing a member (better-auth's `organizationHooks`).

```python
async def only_company_addresses(data: dict[str, Any]) -> None:
    if not data["email"].endswith("@example.com"):
        raise AuthError(ErrorCode.BAD_REQUEST, 400, "Only company addresses may be invited")

Organization(OrganizationOptions(hooks=OrganizationHooks(before_create_invitation=only_company_addresses)))
```

A `before_*` hook gets the row about to be written as a dict (JSON names) and may raise an `AuthError` to refuse the
operation, or return a dict of changes merged into the row. An `after_*` hook gets the written rows; its errors are
logged, never answered (the write has happened).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("fastapi_betterauth")

BeforeHook = Callable[[dict[str, Any]], Awaitable[Mapping[str, Any] | None]]
AfterHook = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class OrganizationHooks:
    """Hooks around the organization plugin's main writes. Each gets a dict and may be left out."""

    before_create_organization: BeforeHook | None = None
    after_create_organization: AfterHook | None = None
    before_create_invitation: BeforeHook | None = None
    after_create_invitation: AfterHook | None = None
    before_accept_invitation: BeforeHook | None = None
    after_accept_invitation: AfterHook | None = None
    before_remove_member: BeforeHook | None = None
    after_remove_member: AfterHook | None = None


async def run_before(hook: BeforeHook | None, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the hook's changes merged in (its `AuthError` goes to the client)."""
    if hook is None:
        return data
    changes = await hook(dict(data))
    return {**data, **changes} if changes else data


async def run_after(hook: AfterHook | None, data: dict[str, Any]) -> None:
    """Run an after-hook; its errors are logged (the write is done)."""
    if hook is None:
        return
    try:
        await hook(data)
    except Exception:
        logger.exception("an organization after-hook failed")
