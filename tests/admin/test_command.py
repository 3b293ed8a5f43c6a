"""User administration from the command line (docs/plugins/admin.md): `set-role` (how an operator makes the first
admin), `create-user`, `ban`, `unban`, `list-users`, over the app's real database, with the admin plugin's own
validation, password policy, session ending and audit log (docs/security.md S7, L7)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from pathlib import Path

import pytest

from fastapi_betterauth import AuthSettings, BetterAuth
from fastapi_betterauth.cli import main

from ..conftest import PASSWORD, TEST_SECRET
from ..test_migrations import fresh_url, postgres_db
from .fixtures import Client, Person, admin_env, admin_events, app, auth, clock, error, new_client, sign_in, user

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


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    """The command with `stdin` (no terminal), off this test's loop, as from a shell."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


async def test_create_user_takes_the_password_from_stdin(
    auth: BetterAuth,
    new_client: Client,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="fastapi_betterauth.audit")
    argv = ["create-user", "New@Example.com", "--name", "New One", "--role", "admin"]
    assert await asyncio.to_thread(run, monkeypatch, argv, f"{PASSWORD}\n") == 0
    printed = capsys.readouterr()
    assert "new@example.com" in printed.err
    assert PASSWORD not in printed.out + printed.err
    signed_in = await sign_in(new_client(), "new@example.com")
    assert signed_in.status_code == 200, signed_in.text
    assert (signed_in.json()["user"]["name"], signed_in.json()["user"]["role"]) == ("New One", "admin")
    assert admin_events(caplog) == [("admin.user_created", {"user": signed_in.json()["user"]["id"], "by": "cli"})]
    assert PASSWORD not in "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)


async def test_create_user_refusals(
    user: Person, new_client: Client, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    refusals = [
        (["create-user", "short@example.com", "--name", "S", "--password", "short"], "", "PASSWORD_TOO_SHORT"),
        (["create-user", "User@Example.com", "--name", "U", "--password", PASSWORD], "", "USER_ALREADY_EXISTS"),
        (["create-user", "not-an-address", "--name", "N", "--password", PASSWORD], "", "INVALID_EMAIL"),
        (["create-user", "empty@example.com", "--name", "E"], "\n", "no password given"),
    ]
    for argv, stdin, reason in refusals:
        assert await asyncio.to_thread(run, monkeypatch, argv, stdin) == 1, argv
        assert reason in capsys.readouterr().err
    # a user without a password: none to sign in with
    argv = ["create-user", "sso@example.com", "--name", "S", "--no-password"]
    assert await asyncio.to_thread(run, monkeypatch, argv) == 0
    assert (await sign_in(new_client(), "sso@example.com")).status_code == 401


async def test_ban_ends_the_sessions_and_unban_lets_the_user_back(
    user: Person,
    new_client: Client,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """S7 from the command line: the ban ends every session at once and refuses the next sign-in."""
    caplog.set_level(logging.INFO, logger="fastapi_betterauth.audit")
    assert (await user.client.get("/get-session")).json() is not None
    argv = ["ban", "USER@example.com", "--reason", "spam", "--expires-in", "3600"]
    assert await asyncio.to_thread(run, monkeypatch, argv) == 0
    assert "banned user@example.com until" in capsys.readouterr().err
    assert (await user.client.get("/get-session")).json() is None
    assert error(await sign_in(new_client(), user.email)) == (403, "BANNED_USER")

    assert await asyncio.to_thread(run, monkeypatch, ["unban", user.email]) == 0
    assert (await sign_in(new_client(), user.email)).status_code == 200
    assert admin_events(caplog) == [
        ("admin.user_banned", {"user": user.id, "by": "cli"}),
        ("admin.user_unbanned", {"user": user.id, "by": "cli"}),
    ]
    assert await asyncio.to_thread(run, monkeypatch, ["ban", "nobody@example.com"]) == 1
    assert "no user with the email 'nobody@example.com'" in capsys.readouterr().err
    for length in ("-5", "0", "nan", "soon"):
        with pytest.raises(SystemExit):
            main(["ban", user.email, "--expires-in", length])
        assert "expected a positive number of seconds" in capsys.readouterr().err


async def test_list_users_as_a_table_and_as_json_lines(
    user: Person, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for email in ("ann@example.com", "bob@example.com"):
        argv = ["create-user", email, "--name", email[:3].title(), "--password", PASSWORD]
        assert await asyncio.to_thread(run, monkeypatch, argv) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(run, monkeypatch, ["list-users"]) == 0
    printed = capsys.readouterr()
    header, *rows = printed.out.splitlines()
    assert header.split() == ["id", "email", "name", "role", "banned", "createdAt"]
    assert [row.split()[1:5] for row in rows] == [
        ["user@example.com", "Someone", "user", "no"],
        ["ann@example.com", "Ann", "user", "no"],
        ["bob@example.com", "Bob", "user", "no"],
    ]
    assert "3 of 3 users" in printed.err

    assert (
        await asyncio.to_thread(run, monkeypatch, ["list-users", "--search", "example", "--limit", "2", "--json"]) == 0
    )
    printed = capsys.readouterr()
    users = [json.loads(line) for line in printed.out.splitlines()]
    assert [(u["email"], u["banned"]) for u in users] == [("user@example.com", False), ("ann@example.com", False)]
    assert "2 of 3 users" in printed.err
    assert await asyncio.to_thread(run, monkeypatch, ["list-users", "--search", "bob"]) == 0
    assert [row.split()[1] for row in capsys.readouterr().out.splitlines()[1:]] == ["bob@example.com"]
