"""The Alembic chain, the CLI, and the models against better-auth's own schema (docs/better-auth.md#data-model).

`alembic check` semantics: after `upgrade head`, autogenerate (server defaults included) finds nothing to do.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, delete, func, inspect, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from fastapi_betterauth import Account, AuthSettings, Session, User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.migrate import VERSION_TABLE, alembic_config, upgrade
from fastapi_betterauth.db.urls import async_url_string
from fastapi_betterauth.schema import shipped_tables
from fastapi_betterauth.settings import resolve_secret

from .services import (
    POSTGRES_HOST,
    POSTGRES_PORT,
    POSTGRES_USER,
    mariadb_url,
    postgres_admin,
    postgres_url,
    require,
)

AUTH_TABLE_NAMES = {table.name for table in shipped_tables()}
REFERENCE_SCHEMA = Path(__file__).parents[1] / "conformance" / "kit" / "core" / "reference" / "schema-postgres.sql"
"""pg_dump of the database better-auth 1.7.25's migrator made for the conformance kit's reference server."""
TWO_FACTOR_REFERENCE = Path(__file__).parent / "fixtures" / "better-auth-1.7.25-two-factor-postgres.sql"
"""What better-auth 1.7.25's migrator adds to that database for its two-factor plugin."""
JWT_REFERENCE = Path(__file__).parent / "fixtures" / "better-auth-1.7.25-jwt-postgres.sql"
ORGANIZATION_REFERENCE = Path(__file__).parent / "fixtures" / "better-auth-1.7.25-organization-postgres.sql"
"""What it adds for its jwt plugin."""
PASSKEY_REFERENCE = Path(__file__).parent / "fixtures" / "better-auth-1.7.25-passkey-postgres.sql"
"""What it adds for `@better-auth/passkey`."""


# --- helpers -------------------------------------------------------------------------------------------------------


def _create_postgres_database() -> str:
    require("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    name = f"fba_migr_{secrets.token_hex(4)}"
    asyncio.run(postgres_admin(f'CREATE DATABASE "{name}"'))
    return name


def _drop_postgres_database(name: str) -> None:
    asyncio.run(postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_db() -> Iterator[str]:
    """The name of a new, empty PostgreSQL database, dropped afterwards."""
    name = _create_postgres_database()
    try:
        yield name
    finally:
        _drop_postgres_database(name)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL or MariaDB database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    if request.param == "mariadb":
        return async_url_string(mariadb_url(request.getfixturevalue("mariadb_db")))
    return postgres_url(request.getfixturevalue("postgres_db"))


def _compare(connection: Connection, tables: set[str]) -> list[Any]:
    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return name in tables if type_ == "table" else True

    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": include,
            "version_table": VERSION_TABLE,
        },
    )
    return list(compare_metadata(context, SQLModel.metadata))


def schema_diff(url: str, tables: set[str] = AUTH_TABLE_NAMES) -> list[Any]:
    """What autogenerate would change to make the database's `tables` match the models (empty: nothing)."""

    async def run() -> list[Any]:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(_compare, tables)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def sql(url: str, *statements: str) -> list[list[tuple[Any, ...]]]:
    """Run statements in one transaction; the rows each one returned."""

    async def run() -> list[list[tuple[Any, ...]]]:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.begin() as connection:
                results = []
                for statement in statements:
                    result = await connection.execute(text(statement))
                    results.append([tuple(row) for row in result] if result.returns_rows else [])
                return results
        finally:
            await engine.dispose()

    return asyncio.run(run())


def table_names(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith("BETTER_AUTH_") and key.upper() not in ("DATABASE_URL", "AUTH_SECRET")
    }
    env.update(extra)
    return env


# --- upgrade / check / downgrade on both databases ----------------------------------------------------------------


def test_upgrade_head_creates_the_schema_the_models_describe(fresh_url: str) -> None:
    upgrade(fresh_url)
    names = table_names(fresh_url)
    assert names >= AUTH_TABLE_NAMES
    assert VERSION_TABLE in names
    assert "alembic_version" not in names, "the toolkit keeps its own version table"
    [versions] = sql(fresh_url, f"SELECT version_num FROM {VERSION_TABLE}")
    assert versions == [(head_revision(),)]
    assert schema_diff(fresh_url) == []


def test_upgrade_twice_is_a_no_op(fresh_url: str) -> None:
    upgrade(fresh_url)
    upgrade(fresh_url)
    [versions] = sql(fresh_url, f"SELECT version_num FROM {VERSION_TABLE}")
    assert versions == [(head_revision(),)]
    assert schema_diff(fresh_url) == []


def test_check_notices_drift(fresh_url: str) -> None:
    """Guards the check itself: a missing index, a lost ON DELETE CASCADE or server default is reported."""
    upgrade(fresh_url)
    statements = ["DROP INDEX verification_identifier_idx"]
    if fresh_url.startswith("mysql"):
        statements = [
            "DROP INDEX verification_identifier_idx ON verification",
            "ALTER TABLE `user` ALTER COLUMN `updatedAt` DROP DEFAULT",
        ]
    if fresh_url.startswith("postgresql"):
        statements += [
            'ALTER TABLE session DROP CONSTRAINT "session_userId_fkey"',
            'ALTER TABLE session ADD CONSTRAINT "session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user" (id)',
            'ALTER TABLE "user" ALTER COLUMN "updatedAt" DROP DEFAULT',
        ]
    sql(fresh_url, *statements)
    diff = schema_diff(fresh_url)
    kinds = {entry[0][0] if isinstance(entry, list) else entry[0] for entry in diff}
    assert "add_index" in kinds
    if fresh_url.startswith("postgresql"):
        assert {"remove_fk", "add_fk", "modify_default"} <= kinds
    if fresh_url.startswith("mysql"):
        assert "modify_default" in kinds


def test_downgrade_to_base_drops_the_tables(fresh_url: str) -> None:
    upgrade(fresh_url)
    command.downgrade(alembic_config(fresh_url), "base")
    names = table_names(fresh_url)
    assert not (AUTH_TABLE_NAMES & names)
    [versions] = sql(fresh_url, f"SELECT version_num FROM {VERSION_TABLE}")
    assert versions == []
    upgrade(fresh_url)  # and back up again
    assert schema_diff(fresh_url) == []


def test_upgrade_leaves_an_apps_own_tables_alone(fresh_url: str) -> None:
    sql(fresh_url, "CREATE TABLE app_thing (id integer PRIMARY KEY)", "INSERT INTO app_thing VALUES (7)")
    upgrade(fresh_url)
    command.downgrade(alembic_config(fresh_url), "base")
    assert sql(fresh_url, "SELECT id FROM app_thing") == [[(7,)]]


# --- better-auth's own schema --------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_models_match_better_auth_reference_schema(postgres_db: str) -> None:
    """The schema better-auth 1.7.25's migrator creates on PostgreSQL is exactly our models
    (docs/better-auth.md#data-model).

    The reference has no `rateLimit` table: better-auth creates it only for `rateLimit.storage = "database"`. Its
    `twoFactor`, `jwks`, organization and `passkey` tables are what better-auth's migrator adds for the two-factor,
    jwt, organization and passkey plugins."""

    async def load_reference() -> None:
        connection = await asyncpg.connect(
            host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER, database=postgres_db
        )
        try:
            await connection.execute(REFERENCE_SCHEMA.read_text())  # a plain pg_dump script, many statements
            await connection.execute("SET search_path TO public")  # the dump empties it
            await connection.execute(TWO_FACTOR_REFERENCE.read_text())
            await connection.execute(JWT_REFERENCE.read_text())
            await connection.execute(ORGANIZATION_REFERENCE.read_text())
            await connection.execute(PASSKEY_REFERENCE.read_text())
        finally:
            await connection.close()

    asyncio.run(load_reference())
    url = postgres_url(postgres_db)
    shared = AUTH_TABLE_NAMES - {"rateLimit"}
    assert table_names(url) >= shared
    # the plugin's `user.twoFactorEnabled` is no column of the core model (`migrate` adds it with the plugin on)
    # and the organization plugin's `session.activeOrganizationId`/`activeTeamId` neither
    plugin_columns = {
        ("remove_column", "user", "twoFactorEnabled"),
        ("remove_column", "session", "activeOrganizationId"),
        ("remove_column", "session", "activeTeamId"),
    }
    assert [
        change for change in schema_diff(url, shared) if (change[0], change[2], change[3].name) not in plugin_columns
    ] == []


# --- the CLI -------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_migrate_creates_the_tables_and_can_run_again(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    args = [sys.executable, "-m", "fastapi_betterauth", "migrate", "--database-url", f"sqlite+aiosqlite:///{database}"]
    for _ in range(2):
        result = subprocess.run(args, cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        versions = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
    assert {"user", "session", "account", "verification", VERSION_TABLE} <= names
    assert "alembic_version" not in names
    assert versions == [(head_revision(),)]
    assert not (tmp_path / "better-auth.db").exists(), "--database-url is used, not the default file"


@pytest.mark.slow
def test_cli_migrate_reads_database_url_from_environment(tmp_path: Path) -> None:
    database = tmp_path / "from-env.db"
    env = clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{database}")
    result = subprocess.run(
        [sys.executable, "-m", "fastapi_betterauth", "migrate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names >= AUTH_TABLE_NAMES


@pytest.mark.slow
def test_cli_secret_prints_a_strong_secret(tmp_path: Path) -> None:
    outputs = []
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "fastapi_betterauth", "secret"],
            cwd=tmp_path,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.strip())
    first, second = outputs
    assert len(first) >= 48
    assert "\n" not in first
    assert first != second
    # The printed secret passes the production policy (T7).
    assert resolve_secret(AuthSettings(secret=first, environment="production")) == first


# --- ON DELETE CASCADE on SQLite -----------------------------------------------------------------------------------


def test_deleting_a_user_cascades_on_sqlite(tmp_path: Path) -> None:
    """The migrated SQLite schema has the FKs, and the engine turns on `PRAGMA foreign_keys` so they act."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cascade.db'}"
    upgrade(url)

    async def scenario() -> tuple[int, dict[str, int], dict[str, int]]:
        database = Database(url)
        try:
            now = datetime.now(UTC)
            ann = User(name="Ann", email="ann@example.com")
            bob = User(name="Bob", email="bob@example.com")
            async with database.session() as db:
                db.add_all([ann, bob])
                await db.flush()
                for user in (ann, bob):
                    db.add(Session(token=secrets.token_hex(16), user_id=user.id, expires_at=now + timedelta(days=1)))
                    db.add(Account(account_id=user.id, provider_id="credential", user_id=user.id, password="x"))
                await db.commit()
            async with database.session() as db:
                pragma = (await db.exec(text("PRAGMA foreign_keys"))).scalar_one()
                await db.exec(delete(User).where(User.id == ann.id))
                await db.commit()

            async def counts(user_id: str) -> dict[str, int]:
                async with database.session() as db:
                    result = {}
                    for model in (Session, Account):
                        query = select(func.count()).select_from(model).where(model.user_id == user_id)
                        result[model.__tablename__] = (await db.exec(query)).one()[0]
                    return result

            return pragma, await counts(ann.id), await counts(bob.id)
        finally:
            await database.dispose()

    pragma, ann_rows, bob_rows = asyncio.run(scenario())
    assert pragma == 1
    assert ann_rows == {"session": 0, "account": 0}
    assert bob_rows == {"session": 1, "account": 1}, "only the deleted user's rows go"
