"""User administration from the command line (docs/plugins/admin.md): `set-role` (how an operator makes the first
admin), `create-user`, `ban`, `unban` and `list-users`. Each runs the admin plugin's own service, so the command line
validates, hashes, ends sessions and audits as the `/admin/*` routes do; the operator is the actor (`by=cli` in the
audit log, docs/security.md L7)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from ..errors import AuthError
from ..schemas import user_json
from ..settings import AuthSettings
from .fields import BAN_EXPIRES, ROLE, user_field
from .listing import UserQuery
from .plugin import Admin

if TYPE_CHECKING:
    from ..auth import BetterAuth

Command = Callable[[Admin], Awaitable[str | None]]
"""What a command does with the plugin; the line to print on stderr when done."""


def run_command(settings: AuthSettings, name: str, command: Command) -> int:
    """Run `command` on an app built from `settings` (the admin plugin must be enabled). 0 when done, 1 with the
    reason on stderr otherwise (an `AuthError`'s message, as the route would answer it)."""
    from ..auth import BetterAuth  # the composition root imports the plugins, not the other way round

    async def run() -> int:
        auth: BetterAuth = BetterAuth(settings)
        try:
            plugin = auth.plugin(Admin)
        except LookupError as error:
            print(f"{name} refused: {error}", file=sys.stderr)
            return 1
        try:
            done = await command(plugin)
        except AuthError as error:
            print(f"{name} refused: {error.message} ({error.code})", file=sys.stderr)
            return 1
        finally:
            await auth.database.dispose()
        if done:
            print(done, file=sys.stderr)
        return 0

    try:
        return asyncio.run(run())
    except (SQLAlchemyError, OSError, ValueError) as error:  # settings that cannot start an app say why
        print(f"{name} failed: {error}", file=sys.stderr)
        return 1


def set_role(settings: AuthSettings, email: str, role: str) -> int:
    """Set the role of the user with `email` (one name, or several comma-joined)."""

    async def command(admin: Admin) -> str:
        user = await admin.service.user_by_email(email)
        await admin.service.set_role(None, user.id, role.split(","))
        return f"{user.email} now has the role {role!r}"

    return run_command(settings, "set-role", command)


def create_user(settings: AuthSettings, email: str, name: str, password: str | None, role: str | None) -> int:
    """Create a user (with a credential account when `password` is given, meeting the password policy)."""

    async def command(admin: Admin) -> str:
        roles = role.split(",") if role is not None else None
        user = await admin.service.create_user(None, email=email, name=name, password=password, role=roles, data={})
        return f"created {user.email} (id {user.id}, role {user_field(user, ROLE)!r})"

    return run_command(settings, "create-user", command)


def ban(settings: AuthSettings, email: str, reason: str | None, expires_in: float | None) -> int:
    """Ban the user with `email`: their sessions end and they cannot sign in (until `expires_in` seconds pass)."""

    async def command(admin: Admin) -> str:
        user = await admin.service.user_by_email(email)
        banned = await admin.service.ban(None, user.id, reason, expires_in)
        expires = user_field(banned, BAN_EXPIRES)
        until = expires.isoformat(timespec="seconds") if expires is not None else "the ban is lifted"
        return f"banned {user.email} until {until}; their sessions have ended"

    return run_command(settings, "ban", command)


def unban(settings: AuthSettings, email: str) -> int:
    """Lift the ban of the user with `email`."""

    async def command(admin: Admin) -> str:
        user = await admin.service.user_by_email(email)
        await admin.service.unban(None, user.id)
        return f"lifted the ban of {user.email}"

    return run_command(settings, "unban", command)


LISTED = ("id", "email", "name", "role", "banned", "createdAt")


def list_users(settings: AuthSettings, search: str | None, limit: int | None, as_json: bool) -> int:
    """Print users (those whose email contains `search`, oldest first, at most `limit`) on stdout: a table, or one
    JSON object (the user as `/admin/list-users` answers it) a line."""

    async def command(admin: Admin) -> str:
        page = await admin.listing.page(UserQuery(search_value=search or None, limit=limit))
        users = [user_json(user) for user in page.users]
        if as_json:
            for user in users:
                print(json.dumps(user))
        else:
            print(_table([[_cell(user.get(column)) for column in LISTED] for user in users]))
        return f"{len(users)} of {page.total} users"

    return run_command(settings, "list-users", command)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def _table(rows: list[list[str]]) -> str:
    rows = [list(LISTED), *rows]
    widths = [max(len(row[index]) for row in rows) for index in range(len(LISTED))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )
