"""Run the toolkit's Alembic chain from code or the CLI, from a checkout or an installed package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

VERSION_TABLE = "better_auth_migrations"
"""The toolkit's own Alembic version table, so it can share a database with an app's Alembic history."""


def migrations_path() -> Path:
    """The folder with `env.py`: inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "migrations", package.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("fastapi_betterauth's migrations folder is missing from this installation")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """`alembic upgrade <revision>` on `database_url`. Blocking: it runs its own event loop."""
    command.upgrade(alembic_config(database_url), revision)
