"""`python -m fastapi_betterauth info`: the configuration in a few lines, secrets never shown and passwords masked,
and the schema's revision against the heads (README "Use it in your app")."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from fastapi_betterauth.cli import main
from fastapi_betterauth.db.migrate import upgrade

from .services import POSTGRES_USER

MIGRATE = "python -m fastapi_betterauth migrate"
SECRET = "info-test-" + "k3Vq9Zr7" * 5


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment (no .env of the checkout, no BETTER_AUTH_* of the caller) with a fresh SQLite path."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.upper().startswith("BETTER_AUTH_") or name.upper() in ("DATABASE_URL", "AUTH_SECRET"):
            monkeypatch.delenv(name)
    database = tmp_path / "app.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    return database


def _info(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, str]]:
    code = main(["info", *args])
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) <= 12, out
    return code, dict(line.split(": ", 1) for line in lines[1:])


def test_info_names_what_is_configured_without_secrets(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", SECRET)
    monkeypatch.setenv("BETTER_AUTH_URL", "https://auth.example.com")
    monkeypatch.setenv("BETTER_AUTH_SECONDARY_STORAGE_URL", "redis://:redis-password@127.0.0.1:6379/4")
    monkeypatch.setenv("BETTER_AUTH_SESSION__COOKIE_CACHE__ENABLED", "true")
    monkeypatch.setenv("BETTER_AUTH_PLUGINS__ADMIN__ENABLED", "true")
    monkeypatch.setenv("BETTER_AUTH_PLUGINS__USERNAME__ENABLED", "true")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__GITHUB__CLIENT_ID", "github-id")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__GITHUB__CLIENT_SECRET", "github-client-secret")
    monkeypatch.setenv("BETTER_AUTH_EMAIL__SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("BETTER_AUTH_EMAIL__SMTP_PASSWORD", "smtp-password")
    url = f"postgresql://{POSTGRES_USER}:db-password@127.0.0.1:1/app"

    code, info = _info(capsys, "--database-url", url)

    assert code == 1  # that database cannot be reached
    shown = "\n".join(info.values())
    for secret in (SECRET, "redis-password", "github-client-secret", "smtp-password", "db-password"):
        assert secret not in shown
    assert info["base URL"].startswith("https://auth.example.com")
    assert info["database"] == f"postgresql+asyncpg://{POSTGRES_USER}:***@127.0.0.1:1/app"
    assert info["secret"] == "set (BETTER_AUTH_SECRET)"
    assert info["sessions"] == "in secondary storage; cookie cache compact, 300 s"
    assert info["secondary storage"] == "redis://:***@127.0.0.1:6379/4"
    assert set(info["plugins"].split(", ")) == {"admin", "username"}
    assert info["social providers"] == "github"
    assert info["email"] == "SMTP smtp.example.com:587 (STARTTLS)"
    assert info["schema"].startswith("unknown, cannot reach the database at")


def test_info_says_what_is_missing(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Production without a secret or email delivery: both named; an SQLite file that does not exist stays so."""
    code, info = _info(capsys)

    assert code == 0
    assert info["secret"].startswith("NOT SET")
    assert "python -m fastapi_betterauth secret" in info["secret"]
    assert info["email"].startswith("NONE CONFIGURED")
    assert info["plugins"] == "none"
    assert info["social providers"] == "none"
    assert info["sessions"] == "in the database (session table)"
    assert info["schema"] == f"no auth tables (heads 0006): migration pending, run `{MIGRATE}`"
    assert not env.exists()


def test_info_says_a_weak_secret_is_refused(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", "changeme")
    _, info = _info(capsys)
    assert info["secret"] == "set (BETTER_AUTH_SECRET) but one is a placeholder value: start-up refuses it"
    assert "changeme" not in "\n".join(info.values()).replace("is a placeholder", "")


def test_info_compares_the_revision_with_the_heads(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{env}"
    upgrade(url, "0002")
    code, info = _info(capsys)
    assert code == 0
    assert info["schema"] == f"at 0002, heads 0006: migration pending, run `{MIGRATE}`"

    upgrade(url)
    code, info = _info(capsys)
    assert code == 0
    assert info["schema"] == "at 0006 (the heads): up to date"


def test_info_names_tables_to_adopt(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Tables without a recorded revision (better-auth's own migrator made them): `migrate` adopts them."""
    with sqlite3.connect(env) as connection:
        connection.execute('CREATE TABLE "user" (id TEXT PRIMARY KEY)')
    _, info = _info(capsys)
    assert info["schema"].startswith("better-auth tables without a recorded revision")


def test_info_stateless_sessions_and_development(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BETTER_AUTH_ENVIRONMENT", "development")
    monkeypatch.setenv("BETTER_AUTH_SESSION__STORE", "stateless")
    monkeypatch.setenv("BETTER_AUTH_EMAIL__OUTBOX", str(env.parent / "outbox.jsonl"))
    _, info = _info(capsys)
    assert info["secret"].startswith("not set (development")
    assert info["sessions"] == "stateless (an encrypted cookie, no session rows)"
    assert info["email"] == f"file outbox {env.parent / 'outbox.jsonl'}"
