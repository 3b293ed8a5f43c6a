"""Database URLs as hosting platforms write them (docs/concepts/database.md#database-urls): one mapping to the async
drivers, used by the engine, the migrations and the CLI."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from fastapi_betterauth import AuthSettings, BetterAuth, User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.migrate import upgrade
from fastapi_betterauth.db.urls import DatabaseURLError, async_url

from .services import (
    MARIADB_HOST,
    MARIADB_PORT,
    POSTGRES_HOST,
    POSTGRES_PORT,
    POSTGRES_USER,
    mariadb_url,
    new_mariadb_database,
    require,
)
from .test_migrations import _create_postgres_database, _drop_postgres_database, clean_env


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example:5432/app", "postgresql+asyncpg://u:p@db.example:5432/app"),
        ("postgresql://u@db.example/app", "postgresql+asyncpg://u@db.example/app"),
        ("postgresql+psycopg2://u@db.example/app", "postgresql+asyncpg://u@db.example/app"),
        ("postgresql+asyncpg://u@db.example/app", "postgresql+asyncpg://u@db.example/app"),
        ("postgres://u@db.example/app?sslmode=require", "postgresql+asyncpg://u@db.example/app?ssl=require"),
        ("postgresql://u@h/app?sslmode=verify-full&x=1", "postgresql+asyncpg://u@h/app?ssl=verify-full&x=1"),
        ("sqlite:///./app.db", "sqlite+aiosqlite:///./app.db"),
        ("sqlite:////var/data/app.db", "sqlite+aiosqlite:////var/data/app.db"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_urls_map_to_the_async_drivers(given: str, expected: str) -> None:
    assert async_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("mysql://u:p@db.example:3306/app", "mysql+aiomysql://u:p@db.example:3306/app?charset=utf8mb4"),
        ("mariadb://u@db.example/app", "mysql+aiomysql://u@db.example/app?charset=utf8mb4"),
        ("mysql+aiomysql://u@h/app", "mysql+aiomysql://u@h/app?charset=utf8mb4"),
        ("mysql+asyncmy://u@h/app", "mysql+aiomysql://u@h/app?charset=utf8mb4"),
        ("mysql+pymysql://u@h/app?charset=utf8mb4", "mysql+aiomysql://u@h/app?charset=utf8mb4"),
        ("mariadb+mariadbconnector://u@h/app", "mysql+aiomysql://u@h/app?charset=utf8mb4"),
        ("mysql://u@h/app?charset=latin1&ssl_ca=/ca.pem", "mysql+aiomysql://u@h/app?charset=latin1&ssl_ca=%2Fca.pem"),
    ],
)
def test_mysql_and_mariadb_urls_run_on_aiomysql(given: str, expected: str) -> None:
    """Every MySQL/MariaDB URL form runs on the one driver the suite tests, with 4-byte UTF-8 unless it says
    otherwise."""
    assert async_url(given).render_as_string(hide_password=False) == expected


def test_an_unknown_mysql_driver_is_refused_in_one_line() -> None:
    with pytest.raises(DatabaseURLError) as raised:
        async_url("mysql+nosuchdriver://u@h/app")
    assert "\n" not in str(raised.value)
    assert "mysql://" in str(raised.value)


def test_a_malformed_url_says_what_to_write_without_its_password() -> None:
    with pytest.raises(DatabaseURLError) as raised:
        async_url("user:hunter2@localhost/app")
    assert "postgresql://" in str(raised.value)
    assert "hunter2" not in str(raised.value)
    with pytest.raises(DatabaseURLError, match="unsupported database"):
        async_url("oracle://u@h/app")


async def _count_users(url: str) -> int:
    database = Database(url)
    try:
        async with database.reading() as connection:
            return int((await connection.execute(select(func.count()).select_from(User))).scalar_one())
    finally:
        await database.dispose()


def test_a_plain_sqlite_url_migrates_and_serves(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    upgrade(url)
    assert asyncio.run(_count_users(url)) == 0


@pytest.fixture
def postgres_name() -> Iterator[str]:
    require("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    name = _create_postgres_database()
    try:
        yield name
    finally:
        _drop_postgres_database(name)


@pytest.mark.postgres
def test_heroku_style_postgres_urls_migrate_and_serve(postgres_name: str) -> None:
    base = f"{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{postgres_name}"
    upgrade(f"postgres://{base}?sslmode=disable")
    assert asyncio.run(_count_users(f"postgresql://{base}?sslmode=prefer")) == 0

    async def through_settings() -> int:
        auth = BetterAuth(AuthSettings(secret=secrets.token_urlsafe(32), database_url=f"postgres://{base}"))
        try:
            async with auth.database.reading() as connection:
                return int((await connection.execute(text('SELECT count(*) FROM "user"'))).scalar_one())
        finally:
            await auth.database.dispose()

    assert asyncio.run(through_settings()) == 0


@pytest.mark.slow
@pytest.mark.postgres
def test_cli_migrate_takes_a_postgresql_url(postgres_name: str, tmp_path: Path) -> None:
    url = f"postgresql://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{postgres_name}"
    result = subprocess.run(
        [sys.executable, "-m", "fastapi_betterauth", "migrate"],
        cwd=tmp_path,
        env=clean_env(DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert asyncio.run(_count_users(url)) == 0


@pytest.mark.slow
@pytest.mark.mariadb
def test_cli_migrate_takes_a_mysql_url(tmp_path: Path) -> None:
    """`python -m fastapi_betterauth migrate` with `mysql://` creates the schema on MariaDB; `mariadb://` serves it."""
    require("MariaDB", MARIADB_HOST, MARIADB_PORT)
    with new_mariadb_database("fba_url") as name:
        result = subprocess.run(
            [sys.executable, "-m", "fastapi_betterauth", "migrate"],
            cwd=tmp_path,
            env=clean_env(DATABASE_URL=mariadb_url(name)),
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert asyncio.run(_count_users(mariadb_url(name).replace("mysql://", "mariadb://"))) == 0
