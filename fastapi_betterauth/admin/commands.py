"""`python -m fastapi_betterauth set-role EMAIL ROLE`: give a user a role from the command line, the way to make the
first admin (README "Admin")."""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy.exc import SQLAlchemyError

from ..db.queries import find_user_by_email
from ..settings import AuthSettings
from .fields import ROLE
from .plugin import Admin


def set_role(settings: AuthSettings, email: str, role: str) -> int:
    """Set the role of the user with `email` (the admin plugin must be enabled in `settings`). 0 when done, 1 with
    the reason on stderr otherwise."""
    from ..auth import BetterAuth  # the composition root imports the plugins, not the other way round

    async def run() -> int:
        auth = BetterAuth(settings)
        try:
            auth.plugin(Admin)
        except LookupError as error:
            print(f"set-role refused: {error}", file=sys.stderr)
            return 1
        try:
            async with auth.database.session() as db:
                found = await find_user_by_email(db, email)
            user = await auth.users.get(found.id) if found is not None else None
            if user is None:
                print(f"set-role refused: no user with the email {email.lower()!r}", file=sys.stderr)
                return 1
            await auth.users.update(user, {ROLE: role})
        finally:
            await auth.database.dispose()
        print(f"{email.lower()} now has the role {role!r}", file=sys.stderr)
        return 0

    try:
        return asyncio.run(run())
    except (SQLAlchemyError, OSError, ValueError) as error:  # settings that cannot start an app say why
        print(f"set-role failed: {error}", file=sys.stderr)
        return 1
