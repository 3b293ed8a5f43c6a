"""`python -m fastapi_betterauth migrate` only upgrades: a downgrade target is refused in one line, not run as a
silent no-op that claims to have reached it (docs/concepts/database.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fastapi_betterauth.cli import main
from fastapi_betterauth.db.migrate import ADOPTED_REVISION, VERSION_TABLE, upgrade


@pytest.mark.parametrize("revision", ["base", "-1", "heads@-1"])
def test_migrate_refuses_a_downgrade_and_leaves_the_schema(
    revision: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "app.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    with sqlite3.connect(database) as connection:
        before = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()

    assert main(["migrate", "--database-url", url, "--revision", revision]) == 1

    error = capsys.readouterr().err
    assert error.strip().count("\n") == 0, error
    assert "only upgrades" in error
    assert "schema at" not in error
    with sqlite3.connect(database) as connection:
        assert connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall() == before


@pytest.mark.parametrize(("at", "older"), [("heads", "0002"), ("heads", "0001"), ("0003", "0002")])
def test_migrate_refuses_a_revision_the_database_is_past(
    at: str, older: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Upgrading to a revision the database already passed would do nothing while claiming to reach it."""
    database = tmp_path / "app.db"
    url = f"sqlite:///{database}"
    upgrade(url, at)
    with sqlite3.connect(database) as connection:
        before = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()

    assert main(["migrate", "--database-url", url, "--revision", older]) == 1

    error = capsys.readouterr().err
    assert error.strip().count("\n") == 0, error
    assert f"past --revision {older}" in error
    assert "only upgrades" in error
    with sqlite3.connect(database) as connection:
        assert connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall() == before


def test_migrate_to_a_later_or_the_current_revision_still_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "app.db"
    url = f"sqlite:///{database}"
    upgrade(url, "0002")

    assert main(["migrate", "--database-url", url, "--revision", "0003"]) == 0
    assert main(["migrate", "--database-url", url, "--revision", "0003"]) == 0
    assert "schema at 0003" in capsys.readouterr().err
    with sqlite3.connect(database) as connection:
        assert connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall() == [("0003",)]


def test_migrate_refuses_a_revision_older_than_adopting_would_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tables without a revision of ours (better-auth's) are adopted at ADOPTED_REVISION: an older target would be
    a silent no-op after adopting, so it is refused before anything is written."""
    database = tmp_path / "app.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    with sqlite3.connect(database) as connection:
        connection.execute(f"DROP TABLE {VERSION_TABLE}")

    assert main(["migrate", "--database-url", url, "--revision", "0002"]) == 1

    assert f"the database is at {ADOPTED_REVISION}, past --revision 0002" in capsys.readouterr().err
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert VERSION_TABLE not in tables
