"""`python -m fastapi_betterauth` (the `fastapi-betterauth-kit` distribution): generate a secret, list the built-in
social providers, show the configuration and the schema's revision, create, upgrade or adopt the schema, administer
users (with the admin plugin enabled: set-role, create-user, ban, unban, list-users)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import sys
from pathlib import Path
from typing import Any

from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from ._version import __version__
from .clock import SystemClock
from .db import migrate
from .db.diagnose import (
    DatabaseUnreachableError,
    is_missing_schema,
    missing_schema_message,
    reason,
    unreachable_message,
)
from .db.engine import Database
from .db.schema_check import SchemaConflictError
from .db.urls import DatabaseURLError
from .errors import is_outage
from .fields import AuthSchema, FieldDeclarationError
from .info import configuration_lines, schema_line
from .plugins.base import Plugin
from .plugins.registry import PluginSettingsError, resolve_plugins
from .settings import AuthSettings, InsecureSecretError
from .verification.service import VerificationService

SHARING_HINT = (
    "If a Node better-auth app still uses this database, set BETTER_AUTH_SHARED_WITH_NODE=true in this app "
    "(docs/migrating/better-auth.md#sharing-a-database)."
)


DISTRIBUTION = "fastapi-betterauth-kit"
"""The name on PyPI; `fastapi-betterauth` there is another project (README "Use it in your app")."""
VERSION = f"{DISTRIBUTION} {__version__} (import name fastapi_betterauth)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fastapi_betterauth", description=__doc__)
    parser.add_argument("--version", action="version", version=VERSION)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("secret", help="print a new random BETTER_AUTH_SECRET")
    info = commands.add_parser(
        "info",
        help="show what the settings configure (secrets never shown) and the database's schema revision against the "
        "heads: whether a migration is pending",
    )
    info.add_argument("--database-url", help="default: DATABASE_URL / BETTER_AUTH_DATABASE_URL, else SQLite")
    commands.add_parser(
        "providers", help="list the built-in social provider ids, one a line (`BETTER_AUTH_SOCIAL__<ID>__CLIENT_ID`)"
    )
    upgrade = commands.add_parser(
        "migrate",
        help="create or upgrade the auth tables (alembic upgrade heads: the core's and the enabled built-in plugins'); "
        "a database better-auth's own migrator created is adopted first",
    )
    upgrade.add_argument("--database-url", help="default: DATABASE_URL / BETTER_AUTH_DATABASE_URL, else SQLite")
    upgrade.add_argument(
        "--revision", default="heads", help="the revision to upgrade to (default: heads); migrate never downgrades"
    )
    sweep = commands.add_parser(
        "sweep", help="delete expired verification rows (tokens, used-link marks, OAuth states, revocations)"
    )
    sweep.add_argument("--database-url", help="default: DATABASE_URL / BETTER_AUTH_DATABASE_URL, else SQLite")
    role = commands.add_parser(
        "set-role", help="give the user with this email a role, e.g. `admin` (needs the admin plugin enabled)"
    )
    role.add_argument("email")
    role.add_argument("role", help="a role, or several comma-joined")
    _add_user_commands(commands)
    args = parser.parse_args(argv)

    if args.command == "secret":
        print(secrets.token_urlsafe(48))
        return 0
    if args.command == "providers":
        from .oauth.config import BUILTIN

        print("\n".join(sorted(BUILTIN)))
        return 0
    try:  # a user-facing command: the reason on one line, not a traceback
        return _run(args, AuthSettings())
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, item['loc']))}: {item['msg']}" for item in error.errors())
        print(f"{args.command} refused: invalid settings: {problems}", file=sys.stderr)
        return 1
    except (DatabaseURLError, InsecureSecretError, PluginSettingsError) as error:
        print(f"{args.command} refused: {error}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: AuthSettings) -> int:
    if args.command == "sweep":
        return _sweep(args.database_url or settings.database_url)
    if args.command in USER_COMMANDS:
        return _user_command(settings, args)
    plugins = resolve_plugins(settings, ())
    versions = [plugin.migrations for plugin in plugins if plugin.migrations is not None]
    if args.command == "info":
        return _info(settings, args.database_url, plugins, versions)
    try:
        schema = AuthSchema.for_settings(settings, plugins)
    except FieldDeclarationError as error:
        print(f"migrate refused: {error}", file=sys.stderr)
        return 1
    return _migrate(args.database_url or settings.database_url, args.revision, versions, schema)


USER_COMMANDS = ("set-role", "create-user", "ban", "unban", "list-users")


def _add_user_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    create = commands.add_parser(
        "create-user",
        help="create a user; the password is prompted for (never echoed), or read from stdin's first line when it "
        "is no terminal, unless given with --password or refused with --no-password (needs the admin plugin)",
    )
    create.add_argument("email")
    create.add_argument("--name", required=True)
    given = create.add_mutually_exclusive_group()
    given.add_argument("--password", help="visible in the shell's history and the process list: prefer the prompt")
    given.add_argument("--no-password", action="store_true", help="no credential account (sign-in by other means)")
    create.add_argument("--role", help="a role, or several comma-joined (default: the plugin's default role)")
    ban = commands.add_parser("ban", help="ban a user: their sessions end and they cannot sign in")
    ban.add_argument("email")
    ban.add_argument("--reason")
    ban.add_argument("--expires-in", type=_seconds, metavar="SECONDS", help="default: the plugin's, else for ever")
    unban = commands.add_parser("unban", help="lift a user's ban")
    unban.add_argument("email")
    listing = commands.add_parser("list-users", help="list users, oldest first: a table, or JSON lines with --json")
    listing.add_argument("--search", help="only users whose email contains this")
    listing.add_argument("--limit", type=int)
    listing.add_argument("--json", action="store_true", help="one JSON object a line, as /admin/list-users has them")


def _seconds(text: str) -> float:
    """A ban's length: a positive, finite number of seconds."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return seconds


def _user_command(settings: AuthSettings, args: argparse.Namespace) -> int:
    from .admin import commands  # the admin plugin only when a command needs it

    if args.command == "set-role":
        return commands.set_role(settings, args.email, args.role)
    if args.command == "create-user":
        password = None if args.no_password else args.password
        if password is None and not args.no_password:
            password = _read_password()
            if password is None:
                return 1
        return commands.create_user(settings, args.email, args.name, password, args.role)
    if args.command == "ban":
        return commands.ban(settings, args.email, args.reason, args.expires_in)
    if args.command == "unban":
        return commands.unban(settings, args.email)
    return commands.list_users(settings, args.search, args.limit, args.json)


def _read_password() -> str | None:
    """The new user's password: prompted for twice without echo at a terminal, else stdin's first line."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            print("create-user refused: the passwords differ", file=sys.stderr)
            return None
    if not password:
        print("create-user refused: no password given (--no-password for a user without one)", file=sys.stderr)
        return None
    return password


DOWNGRADE_REFUSED = (
    "migrate only upgrades: --revision {revision} would be a downgrade, which drops auth tables and their rows. "
    "To remove them, run `alembic downgrade base` with the toolkit's configuration (the documentation's "
    "'Database and migrations', docs/concepts/database.md)."
)


PASSED_REFUSED = (
    "migrate refused: the database is at {current}, past --revision {revision}, so upgrading to it does nothing; "
    "migrate only upgrades (run it without --revision to reach the heads)."
)


def _migrate(url: str, revision: str, plugin_versions: list[Path], schema: AuthSchema) -> int:
    if revision == "base" or revision.startswith("-") or "@-" in revision:
        print(DOWNGRADE_REFUSED.format(revision=revision), file=sys.stderr)
        return 1
    where = migrate.describe(url)
    try:
        if revision not in ("head", "heads"):
            passed = migrate.passed_revisions(migrate.revision_status(url, plugin_versions), revision, plugin_versions)
            if passed:
                print(PASSED_REFUSED.format(current=", ".join(passed), revision=revision), file=sys.stderr)
                return 1
        result = migrate.upgrade(url, revision, plugin_versions, schema)
    except (SchemaConflictError, DatabaseUnreachableError) as error:
        print(error, file=sys.stderr)
        return 1
    except (SQLAlchemyError, CommandError, OSError, ImportError) as error:
        # A user-facing command: the reason, not a traceback.
        print(f"migrate failed on {where}: {reason(error)}", file=sys.stderr)
        return 1
    if result.adopted:
        created = f"created {', '.join(result.created)}; " if result.created else ""
        print(
            f"adopted the better-auth tables in {where}: {created}recorded revision {migrate.ADOPTED_REVISION}",
            file=sys.stderr,
        )
        print(SHARING_HINT, file=sys.stderr)
    if result.added_columns:
        print(f"added the columns of additional fields: {', '.join(result.added_columns)}", file=sys.stderr)
    print(f"schema at {revision} on {where}", file=sys.stderr)
    return 0


def _info(settings: AuthSettings, url: str | None, plugins: list[Plugin[Any]], versions: list[Path]) -> int:
    """Print the configuration and the schema's state; 1 when the database cannot be read."""
    if url:
        settings = settings.model_copy(update={"database_url": url})
    print("\n".join(configuration_lines(settings, plugins)))
    where = migrate.describe(settings.database_url)
    try:
        status = migrate.revision_status(settings.database_url, versions)
    except DatabaseUnreachableError as error:
        print(f"schema: unknown, {error}")
        return 1
    except (SQLAlchemyError, CommandError, OSError) as error:
        print(f"schema: unknown, reading it from {where} failed: {reason(error)}")
        return 1
    print(schema_line(status))
    return 0


def _sweep(url: str) -> int:
    async def run() -> int:
        database = Database(url)
        try:
            return await VerificationService(database, SystemClock()).delete_expired()
        finally:
            await database.dispose()

    try:
        deleted = asyncio.run(run())
    except (SQLAlchemyError, OSError, ImportError) as error:
        where = migrate.describe(url)
        if is_missing_schema(error):
            print(f"sweep failed: {missing_schema_message(where)}", file=sys.stderr)
        elif is_outage(error):
            print(f"sweep failed: {unreachable_message(where, error)}", file=sys.stderr)
        else:
            print(f"sweep failed on {where}: {reason(error)}", file=sys.stderr)
        return 1
    print(f"deleted {deleted} expired verification rows from {migrate.describe(url)}", file=sys.stderr)
    return 0
