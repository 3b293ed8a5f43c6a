"""Adopting a database that better-auth's own migrator created (docs/concepts/database.md).

The better-auth schemas are the DDL better-auth 1.7.25's migrator runs on an empty database, printed by that very
migrator (tests/fixtures/better-auth-1.7.25-<dialect>.sql, see tests/node_app/schema.mjs). A database half-way
between is refused with what is wrong and left as it was. The same adoption against a live Node app is in
tests/interop/.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import SQLAlchemyError

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.db.migrate import ADOPTED_REVISION, VERSION_TABLE, upgrade
from fastapi_betterauth.db.schema_check import SchemaConflictError

from .conftest import settings
from .services import postgres_url
from .test_migrations import (
    _create_postgres_database,
    _drop_postgres_database,
    clean_env,
    head_revision,
    schema_diff,
    sql,
    table_names,
)

ORGANIZATION_TABLES = ("organization", "team", "teamMember", "member", "invitation")
"""The organization plugin's tables (revision 0005), made only with that plugin in better-auth."""
ORGANIZATION_CREATED = tuple(f"table {name}" for name in ORGANIZATION_TABLES)
FIXTURES = Path(__file__).parent / "fixtures"
BETTER_AUTH_TABLES = {"user", "session", "account", "verification", "apikey"}
"""What better-auth creates with the api-key plugin and its default (memory) rate-limit storage."""
NODE_USER = (
    'INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt") '
    "VALUES ('node-user-id', 'Nod', 'nod@example.com', {false}, '2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05.678Z')"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new PostgreSQL database (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'adopt.db'}"
        return
    name = _create_postgres_database()
    try:
        yield postgres_url(name)
    finally:
        _drop_postgres_database(name)


def better_auth_statements(url: str, *, rate_limit_table: bool = False, api_key_table: bool = True) -> list[str]:
    """better-auth's DDL for the URL's dialect: with the `rateLimit` table (rateLimit.storage "database") or not,
    with the api-key plugin's `apikey` table or not."""
    dialect = "sqlite" if url.startswith("sqlite") else "postgres"
    text = (FIXTURES / f"better-auth-1.7.25-{dialect}.sql").read_text()
    statements = []
    for chunk in text.split(";\n"):
        statement = "\n".join(line for line in chunk.splitlines() if not line.startswith("--")).strip().rstrip(";")
        if not statement:
            continue
        if not rate_limit_table and '"rateLimit"' in statement:
            continue
        if not api_key_table and '"apikey"' in statement:
            continue
        statements.append(statement)
    return statements


def create_better_auth_schema(url: str, **options: bool) -> None:
    sql(url, *better_auth_statements(url, **options))


def node_user(url: str) -> str:
    return NODE_USER.format(false="0" if url.startswith("sqlite") else "false")


def snapshot(url: str) -> tuple[set[str], list[list[tuple[object, ...]]]]:
    """The tables and the users: what a refused adoption must leave exactly as it was."""
    return table_names(url), sql(url, 'SELECT id, email FROM "user" ORDER BY id')


# --- adoption ------------------------------------------------------------------------------------------------------


def test_migrate_adopts_a_better_auth_database(fresh_url: str) -> None:
    """Before: `relation "user" already exists`. Now the tables and their rows stay, `rateLimit` is added (better-auth
    makes it only for database rate limits), `twoFactor`, `jwks` and `passkey` too (made only with their plugins) and
    the revision is recorded."""
    create_better_auth_schema(fresh_url)
    sql(fresh_url, node_user(fresh_url))
    assert table_names(fresh_url) == BETTER_AUTH_TABLES

    result = upgrade(fresh_url)

    assert result.adopted
    assert result.created == (
        "table rateLimit",
        "table jwks",
        *ORGANIZATION_CREATED,
        "table passkey",
        "table twoFactor",
    )
    assert table_names(fresh_url) == BETTER_AUTH_TABLES | {
        "rateLimit",
        "twoFactor",
        "jwks",
        *ORGANIZATION_TABLES,
        "passkey",
        VERSION_TABLE,
    }
    [versions, users] = sql(fresh_url, f"SELECT version_num FROM {VERSION_TABLE}", 'SELECT id, email FROM "user"')
    assert versions == [(ADOPTED_REVISION,)]
    assert head_revision() == ADOPTED_REVISION, (
        "a revision after the adopted one changes what adoption must compare with: teach db/schema_check.py the "
        "schema better-auth 1.7 creates, then move ADOPTED_REVISION only if better-auth's schema changed too"
    )
    assert users == [("node-user-id", "nod@example.com")]
    if fresh_url.startswith("postgresql"):
        assert schema_diff(fresh_url) == [], "on PostgreSQL better-auth's schema is exactly the models"

    again = upgrade(fresh_url)
    assert not again.adopted
    assert sql(fresh_url, f"SELECT version_num FROM {VERSION_TABLE}") == [[(ADOPTED_REVISION,)]]


def test_adoption_keeps_better_auths_own_rate_limit_table(fresh_url: str) -> None:
    create_better_auth_schema(fresh_url, rate_limit_table=True)
    sql(fresh_url, """INSERT INTO "rateLimit" (id, key, count, "lastRequest") VALUES ('r1', 'k', 3, 1767225600000)""")

    result = upgrade(fresh_url)

    assert result.adopted
    assert result.created == ("table jwks", *ORGANIZATION_CREATED, "table passkey", "table twoFactor")
    assert sql(fresh_url, 'SELECT key, count, "lastRequest" FROM "rateLimit"') == [[("k", 3, 1767225600000)]]


def test_adoption_keeps_better_auths_two_factor_table(fresh_url: str) -> None:
    """A better-auth app with the two-factor plugin made `twoFactor` (and `user.twoFactorEnabled`): adopted as it is,
    and revision 0003, which creates that table, leaves it alone."""
    create_better_auth_schema(fresh_url)
    dialect = "sqlite" if fresh_url.startswith("sqlite") else "postgres"
    two_factor_sql = (FIXTURES / f"better-auth-1.7.25-two-factor-{dialect}.sql").read_text()
    script = "\n".join(line for line in two_factor_sql.splitlines() if not line.startswith("--"))
    sql(fresh_url, *(statement.strip() for statement in script.split(";") if statement.strip()))

    result = upgrade(fresh_url)

    assert result.adopted
    assert result.created == ("table rateLimit", "table jwks", *ORGANIZATION_CREATED, "table passkey")
    assert "twoFactor" in table_names(fresh_url)
    if fresh_url.startswith("postgresql"):
        assert schema_diff(fresh_url, {"twoFactor"}) == []


def test_adoption_keeps_better_auths_jwks_table(fresh_url: str) -> None:
    """A better-auth app with the jwt plugin made `jwks` (with its keys): adopted as it is, and revision 0004, which
    creates that table, leaves it and its rows alone."""
    create_better_auth_schema(fresh_url)
    dialect = "sqlite" if fresh_url.startswith("sqlite") else "postgres"
    jwt_sql = (FIXTURES / f"better-auth-1.7.25-jwt-{dialect}.sql").read_text()
    script = "\n".join(line for line in jwt_sql.splitlines() if not line.startswith("--"))
    sql(fresh_url, *(statement.strip() for statement in script.split(";") if statement.strip()))
    sql(
        fresh_url,
        """INSERT INTO jwks (id, "publicKey", "privateKey", "createdAt") VALUES ('k1', '{}', '""', '2026-01-01')""",
    )

    result = upgrade(fresh_url)

    assert result.adopted
    assert result.created == ("table rateLimit", *ORGANIZATION_CREATED, "table passkey", "table twoFactor")
    assert sql(fresh_url, "SELECT id FROM jwks") == [[("k1",)]]
    if fresh_url.startswith("postgresql"):
        assert schema_diff(fresh_url, {"jwks"}) == []


def test_adoption_adds_the_api_key_table_and_missing_indexes(fresh_url: str) -> None:
    """A better-auth app without the api-key plugin has no `apikey`; an index it lacks is created too."""
    create_better_auth_schema(fresh_url, api_key_table=False)
    sql(fresh_url, 'DROP INDEX "session_userId_idx"')

    result = upgrade(fresh_url)

    assert result.adopted
    assert set(result.created) == {
        "table apikey",
        "table rateLimit",
        "table twoFactor",
        "table jwks",
        *ORGANIZATION_CREATED,
        "table passkey",
        "index session_userId_idx",
    }
    assert {"apikey", "rateLimit"} <= table_names(fresh_url)
    if fresh_url.startswith("postgresql"):
        assert schema_diff(fresh_url) == []


def test_adoption_is_all_or_nothing(fresh_url: str) -> None:
    """Adoption fails half-way (an index name it needs is taken by one of the app's tables): nothing of it stays."""
    create_better_auth_schema(fresh_url, api_key_table=False)
    sql(fresh_url, "CREATE TABLE app_thing (key text)", "CREATE INDEX apikey_key_idx ON app_thing (key)")
    before = snapshot(fresh_url)

    with pytest.raises(SQLAlchemyError, match="apikey_key_idx"):
        upgrade(fresh_url)

    assert snapshot(fresh_url) == before
    assert "apikey" not in table_names(fresh_url)


# --- refusals: a database half-way between -------------------------------------------------------------------------


def _half_way_statements(url: str, case: str) -> tuple[list[str], str]:
    """better-auth's DDL changed into one kind of half-way database, and a phrase the refusal must contain."""
    statements = better_auth_statements(url)
    postgres = url.startswith("postgresql")

    def changed(old: str, new: str) -> list[str]:
        assert sum(old in statement for statement in statements) == 1, old
        return [statement.replace(old, new) for statement in statements]

    if case == "some-tables":
        return [s for s in statements if '"account"' not in s and '"verification"' not in s], (
            'table "account" is missing'
        )
    if case == "missing-column":
        return changed('"image" text, ', ""), 'table "user": column "image" is missing'
    if case == "other-type" and postgres:
        return changed('"expiresAt" timestamptz not null, "token"', '"expiresAt" timestamp not null, "token"'), (
            'table "session": column "expiresAt" is timestamp without time zone, expected timestamp with time zone'
        )
    if case == "other-type":
        return changed('"emailVerified" integer not null', '"emailVerified" text not null'), (
            'table "user": column "emailVerified" is text, expected boolean'
        )
    if case == "required-column":  # what better-auth 1.7.0 to 1.7.2 left behind
        return changed('"providerId" text not null, ', '"providerId" text not null, "issuer" text not null, '), (
            'table "account": column "issuer" is NOT NULL without a default'
        )
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["some-tables", "missing-column", "other-type", "required-column"])
def test_a_half_way_database_is_refused_and_left_alone(fresh_url: str, case: str) -> None:
    statements, expected = _half_way_statements(fresh_url, case)
    sql(fresh_url, *statements)
    before = snapshot(fresh_url)

    with pytest.raises(SchemaConflictError) as raised:
        upgrade(fresh_url)

    message = str(raised.value)
    assert expected in message, message
    assert "Nothing was changed" in message
    assert snapshot(fresh_url) == before
    assert VERSION_TABLE not in table_names(fresh_url)


def test_an_app_table_named_user_is_not_taken_for_better_auths(fresh_url: str) -> None:
    """An app's own `user` table (not better-auth's): a refusal that names what does not fit, not a traceback."""
    sql(fresh_url, 'CREATE TABLE "user" (id integer PRIMARY KEY, login text NOT NULL)')

    with pytest.raises(SchemaConflictError) as raised:
        upgrade(fresh_url)

    problems = raised.value.problems
    assert 'table "session" is missing' in problems
    assert 'table "user": column "email" is missing' in problems
    assert any('column "id" is integer, expected text' in problem for problem in problems), problems
    assert any('column "login" is NOT NULL without a default' in problem for problem in problems), problems


# --- the command and BetterAuth.migrate ----------------------------------------------------------------------------


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "fastapi_betterauth", "migrate", *args]
    return subprocess.run(command, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_cli_migrate_adopts_and_says_so(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'node.db'}"
    create_better_auth_schema(url)

    done = run_cli("--database-url", url, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert (
        f"adopted the better-auth tables in {url}: created table rateLimit, table jwks, "
        f"{', '.join(ORGANIZATION_CREATED)}, table passkey, table twoFactor; "
        "recorded revision" in done.stderr
    )
    assert "BETTER_AUTH_SHARED_WITH_NODE=true" in done.stderr
    assert sql(url, f"SELECT version_num FROM {VERSION_TABLE}") == [[(head_revision(),)]]


@pytest.mark.slow
def test_cli_migrate_refuses_a_half_way_database_without_a_traceback(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'half.db'}"
    sql(url, *[s for s in better_auth_statements(url) if '"session"' not in s])

    done = run_cli("--database-url", url, cwd=tmp_path)

    assert done.returncode == 1
    assert 'table "session" is missing' in done.stderr
    assert "Traceback" not in done.stderr
    assert VERSION_TABLE not in table_names(url)


@pytest.mark.slow
def test_cli_migrate_reports_an_unreachable_database_without_a_traceback(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere"  # the discard port: nothing listens there

    done = run_cli("--database-url", url, cwd=tmp_path)

    assert done.returncode == 1
    assert done.stderr.startswith(f"cannot reach the database at {url} ("), done.stderr
    assert "check DATABASE_URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_better_auth_migrate_adopts_and_warns_unless_shared_with_node(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`await auth.migrate()` at start-up (as the example app does) works on a better-auth database, and says that a
    Node app still using it needs `shared_with_node`."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'node.db'}"
    create_better_auth_schema(url)

    async def migrate(shared: bool) -> bool:
        auth = BetterAuth(settings(database_url=url, shared_with_node=shared))
        try:
            return (await auth.migrate()).adopted
        finally:
            await auth.database.dispose()

    with caplog.at_level(logging.INFO, logger="fastapi_betterauth"):
        assert asyncio.run(migrate(False))
    assert "adopted the better-auth tables" in caplog.text
    assert "set BETTER_AUTH_SHARED_WITH_NODE=true" in caplog.text

    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    create_better_auth_schema(url)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="fastapi_betterauth"):
        assert asyncio.run(migrate(True))
    assert "adopted the better-auth tables" in caplog.text
    assert "BETTER_AUTH_SHARED_WITH_NODE" not in caplog.text


def test_a_better_auth_database_with_additional_fields_is_adopted_when_they_are_declared(fresh_url: str) -> None:
    """A Node app with `user.additionalFields: {plan: {type: "string"}}` has a NOT NULL `plan` column without a
    default (better-auth's migrator): refused while nothing here writes it, adopted once the field is declared
    (docs/extra-fields.md), and its values are then read here."""
    statements = better_auth_statements(fresh_url)
    [create_user] = [statement for statement in statements if statement.startswith('create table "user"')]
    statements[statements.index(create_user)] = create_user.replace(
        '"image" text, ', '"image" text, "plan" text not null, '
    )
    sql(fresh_url, *statements)

    with pytest.raises(SchemaConflictError, match='column "plan" is NOT NULL without a default'):
        upgrade(fresh_url)

    auth = BetterAuth(settings(database_url=fresh_url, user={"additional_fields": {"plan": {"type": "string"}}}))
    result = upgrade(fresh_url, schema=auth.schema)

    assert result.adopted
    assert result.added_columns == ()  # it was there
    sql(fresh_url, node_user(fresh_url).replace('"updatedAt")', '"updatedAt", plan)').replace("Z')", "Z', 'pro')"))

    async def read() -> str:
        try:
            user = await auth.users.get("node-user-id")
        finally:
            await auth.database.dispose()
        assert user is not None
        return str(user.plan)  # type: ignore[attr-defined]

    assert asyncio.run(read()) == "pro"
