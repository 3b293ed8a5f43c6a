"""The getting-started page, followed as a newcomer would: its app file, its shell commands (a fresh secret,
`migrate`), then its sign-up, protected route, sign-out and sign-in, on SQLite and on PostgreSQL with a
`postgres://` URL as hosting platforms hand them out."""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import secrets
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest

from fastapi_betterauth.testing import auth_client

from ..services import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, postgres_admin, require
from .snippets import Block, blocks, run_shell, runnable_shell

pytestmark = pytest.mark.slow  # each runs the page's shell commands: new interpreters, `migrate`

PAGE = "getting-started.md"
PASSWORD = "correct horse battery"


def page_blocks() -> tuple[Block, Block, Block]:
    found = blocks(PAGE)
    [app_file] = [block for block in found if block.file == "app/main.py"]
    [sqlite] = [block for block in found if runnable_shell(block) and "DATABASE_URL=sqlite" in block.code]
    [postgres] = [block for block in found if "DATABASE_URL=postgres://" in block.code]
    return app_file, sqlite, postgres


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database, named by a `postgres://` URL; dropped afterwards."""
    require("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    name = f"fba_docs_{secrets.token_hex(4)}"
    asyncio.run(postgres_admin(f'CREATE DATABASE "{name}"'))
    yield f"postgres://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{name}"
    asyncio.run(postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def newcomer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory and an environment with nothing of the toolkit's set."""
    for name in list(os.environ):
        if name.startswith("BETTER_AUTH_") or name in ("DATABASE_URL", "AUTH_SECRET"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [name for name in sys.modules if name == "app" or name.startswith("app.")]:
        del sys.modules[name]


async def follow_the_page(workdir: Path, monkeypatch: pytest.MonkeyPatch, database: Block | None = None) -> None:
    app_file, sqlite, _ = page_blocks()
    (workdir / "app").mkdir()
    (workdir / "app" / "main.py").write_text(app_file.code)
    for block in (sqlite, database) if database else (sqlite,):
        for name, value in run_shell(block, workdir).items():
            monkeypatch.setenv(name, value)
    assert len(os.environ["BETTER_AUTH_SECRET"]) >= 32
    assert "BETTER_AUTH_ENVIRONMENT" not in os.environ  # production: the secret is checked, rate limits are on
    main = importlib.import_module("app.main")
    async with auth_client(main.app, main.auth) as client:
        signed_up = await client.post(
            "/api/auth/sign-up/email", json={"name": "Ann", "email": "ann@example.com", "password": PASSWORD}
        )
        assert signed_up.status_code == 200, signed_up.text
        me = await client.get("/me")
        assert me.json() == {"id": signed_up.json()["user"]["id"], "email": "ann@example.com"}
        assert (await client.post("/api/auth/sign-out")).json() == {"success": True}
        refused = await client.get("/me")
        assert (refused.status_code, refused.json()) == (401, {"code": "UNAUTHORIZED", "message": "Unauthorized"})
        signed_in = await client.post(
            "/api/auth/sign-in/email", json={"email": "ann@example.com", "password": PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        assert (await client.get("/me")).json()["email"] == "ann@example.com"


async def test_getting_started_on_sqlite(newcomer: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await follow_the_page(newcomer, monkeypatch)
    assert (newcomer / "app.db").exists()


@pytest.mark.postgres
async def test_getting_started_on_postgres(
    newcomer: Path, monkeypatch: pytest.MonkeyPatch, fresh_postgres_url: str
) -> None:
    _, _, postgres = page_blocks()
    url = re.search(r"postgres://\S+", postgres.code)
    assert url is not None
    await follow_the_page(
        newcomer, monkeypatch, replace(postgres, code=postgres.code.replace(url.group(0), fresh_postgres_url))
    )
    connection = await asyncpg.connect(fresh_postgres_url)
    try:
        assert await connection.fetchval('SELECT email FROM "user"') == "ann@example.com"
    finally:
        await connection.close()
