"""Database problems a person can act on, each said in one line that names the fix (docs/concepts/database.md): the auth
tables are missing, or the database cannot be reached."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import TYPE_CHECKING

from asyncpg.exceptions import PostgresConnectionError, UndefinedTableError  # type: ignore[import-untyped]
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:  # errors.py imports this module, and the engine imports errors.py
    from .engine import Database

logger = logging.getLogger("fastapi_betterauth")

MIGRATE_HINT = "run `python -m fastapi_betterauth migrate` (or `await auth.migrate()` at start-up)"
STARTUP_CHECK_SECONDS = 10.0
"""How long the start-up check waits for the database before saying it cannot reach it (and starting anyway)."""


MYSQL_NO_SUCH_TABLE = 1146
MYSQL_CONNECTION_ERRORS = frozenset(
    {1040, 1044, 1045, 1049, 1053, 1077, 1129, 1130, 1152, 1158, 1159, 1160, 1161, 1927, 4031}
    | {2002, 2003, 2005, 2006, 2012, 2013, 2026, 2055}
)
"""MySQL/MariaDB error numbers that mean the connection failed or was lost (too many connections, access denied,
unknown database, server shutdown, connection killed or timed out, client errors 2xxx), as opposed to a statement
the server refused: the driver reports both as `OperationalError`."""


def mysql_error_code(exc: BaseException | None) -> int | None:
    """The MySQL error number of a PyMySQL/aiomysql error (or of the driver error SQLAlchemy wraps), else None. Read
    without importing the driver, which only MySQL users install."""
    if isinstance(exc, DBAPIError):
        exc = exc.orig
    if exc is None or not type(exc).__module__.startswith(("pymysql", "aiomysql")):
        return None
    code = exc.args[0] if exc.args else None
    return code if isinstance(code, int) else None


def is_mysql_refusal(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) is a statement MySQL refused (a trigger's SIGNAL, a bad value, a deadlock
    victim...), not a failed or lost connection."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = mysql_error_code(current)
        if code is not None:
            return code not in MYSQL_CONNECTION_ERRORS
        current = current.__cause__ or current.__context__
    return False


class DatabaseUnreachableError(ConnectionError):
    """The database could not be reached; the message names it (without its password) and what to check."""


def is_missing_schema(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) says an auth table does not exist: the schema was never migrated."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.orig is not None and is_missing_schema(current.orig):
            return True
        if isinstance(current, UndefinedTableError) or mysql_error_code(current) == MYSQL_NO_SUCH_TABLE:
            return True
        if isinstance(current, sqlite3.OperationalError) and str(current).startswith("no such table"):
            return True
        current = current.__cause__ or current.__context__
    return False


def cannot_connect(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) is a failure to connect: refused, unresolvable, timed out, a server that
    turns connections away, an SQLite file that cannot be opened. A statement the database refuses is not."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if (
            isinstance(current, (OSError, PostgresConnectionError))
            or mysql_error_code(current) in MYSQL_CONNECTION_ERRORS
        ):
            return True
        if isinstance(current, sqlite3.OperationalError) and str(current).startswith("unable to open database"):
            return True
        current = current.__cause__ or current.__context__
    return False


def missing_schema_message(where: str) -> str:
    return f"the auth tables are missing in {where}: {MIGRATE_HINT}"


def unreachable_message(where: str, error: BaseException) -> str:
    return (
        f"cannot reach the database at {where} ({reason(error)}): check DATABASE_URL and that the database server "
        "is running and accepts connections"
    )


def log_missing_schema(database: Database) -> None:
    """The one error line a request logs when it meets a missing auth table (instead of a traceback)."""
    logger.error(missing_schema_message(database.url.render_as_string(hide_password=True)))


def reason(error: BaseException) -> str:
    """The driver's own first line, without SQLAlchemy's wrapper and statement."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


async def check_at_startup(database: Database) -> bool:
    """Look for the `user` table once at start-up. Logs one error naming the migrate command when it is missing, one
    warning when the database cannot be reached, and never refuses to start: a migration job may be running beside
    this process, and requests recover by themselves once the database answers. True when all is well."""
    where = database.url.render_as_string(hide_password=True)
    try:
        async with asyncio.timeout(STARTUP_CHECK_SECONDS), database.engine.connect() as connection:
            present = await connection.run_sync(lambda sync: inspect(sync).has_table("user"))
    except (OSError, TimeoutError, DBAPIError) as error:
        logger.warning(unreachable_message(where, error))
        return False
    if not present:
        logger.error(missing_schema_message(where))
    return present
