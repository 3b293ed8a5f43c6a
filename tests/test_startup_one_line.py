"""A start-up error whose message names the fix (a missing secret, a database URL the toolkit cannot use) reaches a
person running `uvicorn app:app` as that one line, not a traceback; other errors keep theirs
(docs/concepts/database.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

APP = """
from fastapi import FastAPI
from fastapi_betterauth import AuthSettings, BetterAuth

auth = BetterAuth(AuthSettings())
app = FastAPI(lifespan=auth.lifespan)
"""

OTHER_ERROR = """
from fastapi_betterauth import AuthSettings, BetterAuth, InsecureSecretError

try:
    BetterAuth(AuthSettings())
except InsecureSecretError:
    pass  # caught: an ordinary exception
raise RuntimeError("a bug of the app")
"""


def _uvicorn(tmp_path: Path, source: str, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "one_line_app.py").write_text(source)
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith("BETTER_AUTH_") and key.upper() not in ("DATABASE_URL", "AUTH_SECRET")
    }
    clean |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "BETTER_AUTH_ENVIRONMENT": "production", **env}
    return subprocess.run(
        [sys.executable, "-m", "uvicorn", "one_line_app:app", "--port", "0"],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_a_missing_secret_under_uvicorn_is_one_line(tmp_path: Path) -> None:
    done = _uvicorn(tmp_path, APP)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "InsecureSecretError: BETTER_AUTH_SECRET is not set (environment='production'). Generate one with "
        "`python -m fastapi_betterauth secret` and set BETTER_AUTH_SECRET. For local experiments only, set "
        "BETTER_AUTH_ENVIRONMENT=development."
    ]


@pytest.mark.slow
def test_an_unusable_database_url_under_uvicorn_is_one_line(tmp_path: Path) -> None:
    done = _uvicorn(tmp_path, APP, BETTER_AUTH_SECRET="one-line-" + "Qw8zRt5y" * 5, DATABASE_URL="oracle://db/app")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "DatabaseURLError: unsupported database 'oracle' in the database URL: use PostgreSQL (postgresql://...), "
        "MySQL or MariaDB (mysql://...) or SQLite (sqlite:///file.db)"
    ]


@pytest.mark.slow
def test_other_errors_keep_their_traceback(tmp_path: Path) -> None:
    done = _uvicorn(tmp_path, OTHER_ERROR)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert done.stderr.strip().endswith("RuntimeError: a bug of the app")
