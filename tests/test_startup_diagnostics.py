"""Database problems said in one line that names the fix (docs/concepts/database.md): the auth tables
missing, at start-up and at request time; the database unreachable, at start-up, in `auth.migrate()` and the CLI."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.cli import main
from fastapi_betterauth.db.diagnose import DatabaseUnreachableError
from fastapi_betterauth.db.migrate import upgrade

from .conftest import BASE_URL, ORIGIN, settings
from .services import (
    MARIADB_HOST,
    MARIADB_PORT,
    POSTGRES_HOST,
    POSTGRES_PORT,
    POSTGRES_USER,
    mariadb_url,
    new_mariadb_database,
    postgres_url,
    require,
)
from .test_migrations import _create_postgres_database, _drop_postgres_database, clean_env

HINT = "python -m fastapi_betterauth migrate"
UNREACHABLE = f"postgresql://{POSTGRES_USER}@127.0.0.1:1/nowhere"
UNREACHABLE_URLS = pytest.mark.parametrize(
    ("unreachable", "shown"),
    [
        (UNREACHABLE, "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"),
        ("mysql://root@127.0.0.1:1/nowhere", "mysql+aiomysql://root@127.0.0.1:1/nowhere?charset=utf8mb4"),
    ],
    ids=["postgres", "mysql"],
)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database without the auth tables."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if request.param == "mariadb":
        require("MariaDB", MARIADB_HOST, MARIADB_PORT)
        with new_mariadb_database("fba_empty") as name:
            yield mariadb_url(name)
        return
    require("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    name = _create_postgres_database()
    try:
        yield postgres_url(name)
    finally:
        _drop_postgres_database(name)


def _app(url: str) -> FastAPI:
    auth = BetterAuth(settings(database_url=url))
    app = FastAPI(lifespan=auth.lifespan, exception_handlers=auth.exception_handlers)
    app.include_router(auth.router, prefix="/api/auth")
    return app


def _lines(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno == level and record.name == "fastapi_betterauth"]


async def test_a_missing_schema_is_named_at_start_up_and_at_sign_up(
    empty_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fastapi_betterauth")
    async with LifespanManager(_app(empty_url)) as manager:
        [startup] = _lines(caplog, logging.ERROR)
        assert "auth tables are missing" in startup.getMessage()
        assert HINT in startup.getMessage()
        caplog.clear()
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN) as client:
            response = await client.post(
                "/api/auth/sign-up/email",
                json={"name": "Ann", "email": "ann@example.com", "password": "correct horse battery"},
            )
            session = await client.get("/api/auth/get-session")
    assert response.status_code == 422
    assert response.json()["code"] == "FAILED_TO_CREATE_USER"
    errors = _lines(caplog, logging.ERROR)
    assert errors
    assert all(HINT in record.getMessage() and record.exc_info is None for record in errors)
    assert session.status_code != 503, "a missing table is no outage: retrying will not help"


async def test_a_migrated_database_starts_quietly(empty_url: str, caplog: pytest.LogCaptureFixture) -> None:
    await asyncio.to_thread(upgrade, empty_url)
    caplog.set_level(logging.WARNING, logger="fastapi_betterauth")
    async with LifespanManager(_app(empty_url)):
        pass
    assert _lines(caplog, logging.ERROR) == []
    assert _lines(caplog, logging.WARNING) == []


@UNREACHABLE_URLS
async def test_an_unreachable_database_is_named_at_start_up_and_the_app_still_starts(
    caplog: pytest.LogCaptureFixture, unreachable: str, shown: str
) -> None:
    caplog.set_level(logging.WARNING, logger="fastapi_betterauth")
    async with LifespanManager(_app(unreachable)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            assert (await client.get("/api/auth/ok")).status_code == 200
    [warning] = _lines(caplog, logging.WARNING)
    assert f"cannot reach the database at {shown}" in warning.getMessage()
    assert "DATABASE_URL" in warning.getMessage()


@UNREACHABLE_URLS
async def test_auth_migrate_names_an_unreachable_database(unreachable: str, shown: str) -> None:
    auth = BetterAuth(settings(database_url=unreachable))
    with pytest.raises(DatabaseUnreachableError) as raised:
        await auth.migrate()
    assert f"cannot reach the database at {shown}" in str(raised.value)
    assert "\n" not in str(raised.value)
    await auth.database.dispose()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastapi_betterauth", *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_cli_names_an_unreachable_database_and_a_missing_schema(tmp_path: Path) -> None:
    unreachable = _cli("migrate", "--database-url", UNREACHABLE, cwd=tmp_path)
    assert unreachable.returncode == 1
    assert unreachable.stderr.strip().count("\n") == 0, unreachable.stderr
    assert "cannot reach the database" in unreachable.stderr
    assert "DATABASE_URL" in unreachable.stderr
    missing = _cli("sweep", "--database-url", f"sqlite:///{tmp_path / 'empty.db'}", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0, missing.stderr
    assert HINT in missing.stderr


def test_cli_names_a_missing_secret_and_invalid_settings_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    for name in ("BETTER_AUTH_SECRET", "AUTH_SECRET", "BETTER_AUTH_SECRETS", "BETTER_AUTH_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    assert main(["list-users"]) == 1
    secret = capsys.readouterr().err
    assert secret.strip().count("\n") == 0, secret
    assert "python -m fastapi_betterauth secret" in secret
    monkeypatch.setenv("BETTER_AUTH_SESSION__EXPIRES_IN", "abc")
    assert main(["migrate"]) == 1
    invalid = capsys.readouterr().err
    assert invalid.strip().count("\n") == 0, invalid
    assert "invalid settings: session.expires_in" in invalid
