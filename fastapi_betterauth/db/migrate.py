"""Run the toolkit's Alembic chain from code or the CLI, from a checkout or an installed package, adopting first a
database that better-auth's own migrator created (docs/concepts/database.md)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from ..schema import shipped_tables
from .diagnose import DatabaseUnreachableError, cannot_connect, unreachable_message
from .schema_check import SchemaConflictError, inspect_schema
from .urls import DatabaseURLError, async_url, async_url_string

if TYPE_CHECKING:
    from ..fields.schema import AuthSchema

T = TypeVar("T")

MYSQL_ID_LENGTH = 255
"""`verification.id` on MySQL (`db/columns.py` `LONG_ID`)."""
MYSQL_LOCK_WAIT_SECONDS = 60
"""How long `migrate` on MySQL waits for another instance's adoption (a named lock, as PostgreSQL's advisory one)."""
VERSION_TABLE = "better_auth_migrations"
"""The toolkit's own Alembic version table, so it can share a database with an app's Alembic history."""

ADOPTED_REVISION = "0006"
"""The revision whose schema is better-auth 1.7's (with its api-key, two-factor, jwt, organization and passkey plugins'
`apikey`, `twoFactor`, `jwks`, `organization`, `team`, `teamMember`, `member`, `invitation` and `passkey` tables and
its `rateLimit` table): an adopted database is recorded at it, then upgraded like any other. `inspect_schema` compares
a database with the models, so a revision after this one must teach it what that revision adds."""


@dataclass(frozen=True)
class MigrationResult:
    """What `upgrade` did besides running the Alembic chain."""

    adopted: bool = False
    """The database was a better-auth database without a revision of ours, and is now recorded at
    `ADOPTED_REVISION`."""
    created: tuple[str, ...] = ()
    """Tables and indexes adopting it created (`apikey`, `rateLimit`, indexes better-auth did not make)."""
    added_columns: tuple[str, ...] = ()
    """Columns of additional fields the database lacked, added (`user.plan`)."""


IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]
"""Alembic's `include_object` hook: `(object, name, type_, reflected, compare_to) -> include it?`."""


def without_auth_tables(*more: str) -> IncludeObject:
    """An `include_object` for your app's own Alembic `env.py`, so its autogenerate leaves the toolkit's tables
    (and their columns, indexes and constraints), its version table and the tables named in `more` (a plugin's)
    alone: they are migrated by `python -m fastapi_betterauth migrate`
    (docs/extra-fields.md#your-own-alembic-migrations)."""
    skipped = {table.name for table in shipped_tables()} | {VERSION_TABLE, *more}

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table":
            return name not in skipped
        table = getattr(obj, "table", None)
        return getattr(table, "name", None) not in skipped

    return include_object


def migrations_path() -> Path:
    """The folder with `env.py`: inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "migrations", package.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("fastapi_betterauth's migrations folder is missing from this installation")


def alembic_config(database_url: str, plugin_versions: Sequence[Path] = ()) -> Config:
    """The toolkit's Alembic configuration; `plugin_versions`: the revision folders of plugins, each a branch of
    its own (docs/plugins/writing-a-plugin.md), applied with the core's."""
    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.set_main_option("sqlalchemy.url", async_url_string(database_url).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    folders = [migrations_path() / "versions", *plugin_versions]
    config.set_main_option("version_locations", os.pathsep.join(str(folder).replace("%", "%%") for folder in folders))
    return config


def describe(database_url: str) -> str:
    """The URL without its password, to name a database in messages."""
    try:
        return async_url(database_url).render_as_string(hide_password=True)
    except DatabaseURLError:
        return "the configured database"


@dataclass(frozen=True)
class RevisionStatus:
    """Where a database's schema is, against the Alembic chain (`python -m fastapi_betterauth info`)."""

    current: tuple[str, ...]
    """The revisions recorded in the database's version table; empty when it has none."""
    heads: tuple[str, ...]
    """The heads of the chain: the core's and each plugin branch's."""
    has_tables: bool
    """Whether the `user` table exists (with no revision recorded: better-auth's migrator created it)."""
    known: frozenset[str] = frozenset()
    """Every revision of the chain."""

    @property
    def unknown(self) -> tuple[str, ...]:
        """Recorded revisions this installation does not know (a newer version of the toolkit migrated it)."""
        return tuple(revision for revision in self.current if revision not in self.known)

    @property
    def pending(self) -> bool:
        """Whether `migrate` has something to do."""
        return not set(self.heads) <= set(self.current)


def revision_status(database_url: str, plugin_versions: Sequence[Path] = ()) -> RevisionStatus:
    """Read the database's recorded revisions and compare them with the chain's heads. Reads only: an SQLite file
    that does not exist is reported empty, not created. Raises `DatabaseUnreachableError` when the database cannot be
    reached, `DatabaseURLError` for a URL it cannot use."""
    database_url = async_url_string(database_url)
    script = ScriptDirectory.from_config(alembic_config(database_url, plugin_versions))
    known = frozenset(revision.revision for revision in script.walk_revisions())
    heads = tuple(script.get_heads())
    if _sqlite_file_missing(database_url):
        return RevisionStatus(current=(), heads=heads, has_tables=False, known=known)
    try:
        current, has_tables = asyncio.run(_read(database_url, _recorded_revisions))
    except (OSError, DBAPIError) as error:
        if not cannot_connect(error):
            raise
        raise DatabaseUnreachableError(unreachable_message(describe(database_url), error)) from error
    return RevisionStatus(current=current, heads=heads, has_tables=has_tables, known=known)


def passed_revisions(status: RevisionStatus, revision: str, plugin_versions: Sequence[Path] = ()) -> tuple[str, ...]:
    """The database's revisions that already contain `revision` without being it: non-empty when upgrading to
    `revision` would do nothing because the database is past it (`migrate --revision <older>`). Tables to adopt
    count as `ADOPTED_REVISION`, where adopting puts them."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://", plugin_versions))
    try:
        targets = {found.revision for found in script.get_revisions(revision) if found is not None}
    except (CommandError, RevisionError):  # relative or unknown targets: left to alembic's own upgrade
        return ()
    recorded = status.current
    if not recorded and status.has_tables:
        recorded = (ADOPTED_REVISION,)  # better-auth's tables: adopting them records this revision first
    passed = []
    for current in recorded:
        if current in targets or current not in status.known:
            continue
        below = {found.revision for found in script.walk_revisions("base", current)} - {current}
        if targets & below:
            passed.append(current)
    return tuple(passed)


def _recorded_revisions(connection: Connection) -> tuple[tuple[str, ...], bool]:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return tuple(context.get_current_heads()), inspect(connection).has_table("user")


def _sqlite_file_missing(database_url: str) -> bool:
    url = async_url(database_url)
    name = url.database or ""
    return url.get_backend_name() == "sqlite" and name not in ("", ":memory:") and not Path(name).exists()


async def _read(database_url: str, work: Callable[[Connection], T]) -> T:
    """`work(connection)` on a connection of its own, writing nothing."""
    return await _on_own_connection(database_url, work, transaction=False)


def upgrade(
    database_url: str,
    revision: str = "heads",
    plugin_versions: Sequence[Path] = (),
    schema: AuthSchema | None = None,
) -> MigrationResult:
    """Adopt a better-auth database if that is what `database_url` holds, then `alembic upgrade <revision>` (every
    head: the core's and each plugin branch's in `plugin_versions`), then add the columns of `schema`'s additional
    fields that the database lacks (as better-auth's migrator does).

    Raises `SchemaConflictError`, having changed nothing, when the database holds auth tables that are neither ours
    nor better-auth's; `DatabaseURLError` for a URL it cannot use; `DatabaseUnreachableError` when the database
    cannot be reached. Blocking: it runs its own event loop."""
    database_url = async_url_string(database_url)
    try:
        result = asyncio.run(_adopt(database_url, schema))
    except (OSError, DBAPIError) as error:
        if not cannot_connect(error):
            raise
        raise DatabaseUnreachableError(unreachable_message(describe(database_url), error)) from error
    command.upgrade(alembic_config(database_url, plugin_versions), revision)
    if schema:
        added = asyncio.run(_in_transaction(database_url, schema.add_missing_columns))
        result = replace(result, added_columns=tuple(added))
    return result


async def _adopt(database_url: str, schema: AuthSchema | None) -> MigrationResult:
    written = schema.column_names() if schema else {}
    adopt = partial(_adopt_in_transaction, database_url=database_url, written=written)
    return await _in_transaction(database_url, adopt)


async def _in_transaction(database_url: str, work: Callable[[Connection], T]) -> T:
    """`work(connection)` in one transaction of its own, DDL included (all or nothing on SQLite too)."""
    return await _on_own_connection(database_url, work, transaction=True)


async def _on_own_connection(database_url: str, work: Callable[[Connection], T], *, transaction: bool) -> T:
    engine = create_async_engine(async_url(database_url), poolclass=NullPool)
    if transaction and engine.dialect.name == "sqlite":
        # pysqlite commits DDL as it goes; with BEGIN sent explicitly the work is all or nothing there too.
        event.listen(engine.sync_engine, "connect", _sqlite_autocommit_driver)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    try:
        async with engine.begin() if transaction else engine.connect() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


def _adopt_in_transaction(
    connection: Connection, *, database_url: str, written: Mapping[str, Collection[str]]
) -> MigrationResult:
    # Instances starting together on one database adopt it once; the others then find it managed.
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('fastapi_betterauth.migrate'))"))
    elif connection.dialect.name == "mysql":  # held by the connection, which closes at the end (NullPool)
        connection.execute(text(f"SELECT GET_LOCK('fastapi_betterauth.migrate', {MYSQL_LOCK_WAIT_SECONDS})"))
    report = inspect_schema(connection, VERSION_TABLE, shipped_tables(), written)
    if report.state == "conflict":
        raise SchemaConflictError(describe(database_url), report.problems)
    if report.state != "adoptable":
        return MigrationResult()
    created: list[str] = []
    for table in report.missing_tables:
        table.create(connection)
        created.append(f"table {table.name}")
    for index in report.missing_indexes:
        index.create(connection)
        created.append(f"index {index.name}")
    if connection.dialect.name == "mysql":
        created += _widen_mysql_verification_id(connection)
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    context.stamp(ScriptDirectory.from_config(alembic_config(database_url)), ADOPTED_REVISION)
    return MigrationResult(adopted=True, created=tuple(created))


def _widen_mysql_verification_id(connection: Connection) -> list[str]:
    """better-auth's MySQL `verification.id` is `varchar(36)`; the toolkit's single-use marks have ids of up to 48
    characters, so an adopted table gets the toolkit's `varchar(255)` (docs/design.md)."""
    [column] = [c for c in inspect(connection).get_columns("verification") if c["name"] == "id"]
    if (getattr(column["type"], "length", None) or MYSQL_ID_LENGTH) >= MYSQL_ID_LENGTH:
        return []
    connection.execute(text(f"ALTER TABLE verification MODIFY id VARCHAR({MYSQL_ID_LENGTH}) NOT NULL"))
    return [f"column verification.id as varchar({MYSQL_ID_LENGTH})"]


def _sqlite_autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")
