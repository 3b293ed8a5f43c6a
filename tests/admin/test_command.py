"""`python -m fastapi_betterauth set-role EMAIL ROLE`: how an operator makes the first admin (README "Admin")."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fastapi_betterauth import AuthSettings, BetterAuth
from fastapi_betterauth.cli import main

from ..conftest import TEST_SECRET
from ..test_migrations import fresh_url, postgres_db
from .fixtures import Client, Person, admin_env, app, auth, clock, new_client, user

__all__ = ["admin_env", "app", "auth", "clock", "fresh_url", "new_client", "postgres_db", "user"]


async def test_set_role_makes_the_first_admin(
    auth: BetterAuth, user: Person, new_client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await user.client.get("/admin/list-users")).status_code == 403
    # the command runs its own event loop: off this test's loop, as from a shell
    code = await asyncio.to_thread(main, ["set-role", "User@Example.com", "admin"])
    assert code == 0, capsys.readouterr().err
    assert (await user.client.get("/admin/list-users")).status_code == 200
    assert await asyncio.to_thread(main, ["set-role", "nobody@example.com", "admin"]) == 1
    assert "no user with the email" in capsys.readouterr().err


def test_set_role_needs_the_admin_plugin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("BETTER_AUTH_PLUGINS__ADMIN__ENABLED", raising=False)
    monkeypatch.setenv("BETTER_AUTH_SECRET", TEST_SECRET)
    monkeypatch.setenv("BETTER_AUTH_ENVIRONMENT", "test")
    monkeypatch.setenv("BETTER_AUTH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}")
    assert AuthSettings().plugins.get("admin") is None
    assert main(["set-role", "someone@example.com", "admin"]) == 1
    assert "admin" in capsys.readouterr().err
