"""A plugin's own Alembic branch is applied by `auth.migrate()` with the core's chain
(docs/plugins/writing-a-plugin.md): its table and a new column on `user`, on SQLite and PostgreSQL; a second run changes
nothing, and the plugin's revision is recorded in the toolkit's version table."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi_betterauth import BetterAuth, Plugin, PluginOptions
from fastapi_betterauth.db.migrate import VERSION_TABLE

from ..conftest import settings
from ..test_migrations import fresh_url, head_revision, postgres_db, sql, table_names

__all__ = ["fresh_url", "postgres_db"]  # fixtures, used by name


class Greeter(Plugin[PluginOptions]):
    id = "greeter"
    options_model = PluginOptions
    migrations = Path(__file__).parent / "greeter_migrations"


def _user_columns(url: str) -> set[str]:
    if url.startswith("sqlite"):
        [rows] = sql(url, 'PRAGMA table_info("user")')
        return {row[1] for row in rows}
    query = "SELECT column_name FROM information_schema.columns WHERE table_name = 'user'"
    if url.startswith("mysql"):  # MySQL's own `mysql.user` is in every server's catalogue
        query += " AND table_schema = DATABASE()"
    [rows] = sql(url, query)
    return {row[0] for row in rows}


def _migrate(auth: BetterAuth) -> None:
    async def run() -> None:
        try:
            await auth.migrate()
        finally:
            await auth.database.dispose()

    asyncio.run(run())


def test_migrate_applies_a_plugins_branch_with_the_core(fresh_url: str) -> None:
    auth = BetterAuth(settings(database_url=fresh_url), plugins=[Greeter()])

    _migrate(auth)
    _migrate(auth)

    assert {"user", "session", "apikey", "test_greeting_log"} <= table_names(fresh_url)
    assert "greeting" in _user_columns(fresh_url)
    [versions] = sql(fresh_url, f"SELECT version_num FROM {VERSION_TABLE}")
    # Alembic records heads: the plugin's branch depends on the core's 0002, so it stands for both until the core
    # has a newer revision.
    core = set() if head_revision() == "0002" else {head_revision()}
    assert {row[0] for row in versions} == {"g001", *core}


def test_without_the_plugin_its_branch_is_not_applied(fresh_url: str) -> None:
    _migrate(BetterAuth(settings(database_url=fresh_url)))

    assert "test_greeting_log" not in table_names(fresh_url)
    assert "greeting" not in _user_columns(fresh_url)
