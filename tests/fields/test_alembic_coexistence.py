"""Your own Alembic history beside the toolkit's (docs/extra-fields.md#your-own-alembic-migrations): with
`without_auth_tables()` as `include_object`, autogenerate over `SQLModel.metadata` (which holds the toolkit's models
too) proposes your tables only, never to drop or alter the auth tables, not even the columns of additional fields
that the models do not have; and your table's foreign key to `user` works."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.db.migrate import without_auth_tables
from fastapi_betterauth.schema import shipped_tables

from ..conftest import settings
from ..test_migrations import fresh_url, postgres_db

__all__ = ["fresh_url", "postgres_db"]  # fixtures, used by name

AUTH_TABLES = {table.name for table in shipped_tables()} | {"better_auth_migrations"}


class Post(SQLModel, table=True):
    """A table of the app's own, with a foreign key to the toolkit's `user`."""

    __tablename__ = "test_app_post"

    id: int | None = Field(default=None, primary_key=True)
    author_id: str = Field(foreign_key="user.id", ondelete="CASCADE")
    title: str


def _tables_of(diff: Any) -> set[str]:
    """The tables an autogenerate diff entry touches."""
    entries = diff if isinstance(diff, list) else [diff]
    names: set[str] = set()
    for entry in entries:
        for part in entry[1:]:
            table = getattr(part, "table", part)
            name = getattr(table, "name", None)
            if isinstance(part, str) and part in AUTH_TABLES:
                names.add(part)
            elif name is not None:
                names.add(name)
    return names


def _diff(connection: Connection, *, filtered: bool) -> list[Any]:
    opts: dict[str, Any] = {"compare_type": True, "target_metadata": SQLModel.metadata}
    if filtered:
        opts["include_object"] = without_auth_tables()
    return compare_metadata(MigrationContext.configure(connection, opts=opts), SQLModel.metadata)


async def test_autogenerate_leaves_the_auth_tables_alone(fresh_url: str) -> None:
    auth = BetterAuth(settings(database_url=fresh_url, user={"additional_fields": {"plan": {"type": "string"}}}))
    await auth.migrate()
    try:
        async with auth.database.engine.begin() as connection:  # the toolkit's engine: SQLite enforces foreign keys
            unfiltered = await connection.run_sync(_diff, filtered=False)
            filtered = await connection.run_sync(_diff, filtered=True)
            # What the app's own migration would do: its table, with the foreign key to `user`.
            await connection.run_sync(SQLModel.metadata.create_all, tables=[Post.__table__])  # type: ignore[attr-defined]
            quote = "`" if connection.dialect.name == "mysql" else '"'
            insert_user = (
                'INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt", plan) '
                "VALUES ('u1', 'Ann', 'ann@example.com', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'pro')"
            )
            await connection.execute(text(insert_user.replace('"', quote)))
            await connection.execute(text("INSERT INTO test_app_post (author_id, title) VALUES ('u1', 'Hello')"))
            await connection.execute(text("DELETE FROM \"user\" WHERE id = 'u1'".replace('"', quote)))
            posts = (await connection.execute(text("SELECT count(*) FROM test_app_post"))).scalar_one()
    finally:
        await auth.database.dispose()

    # Without the filter, autogenerate would drop the additional field's column (the model has no `plan`).
    assert any(
        entry[0] == "remove_column" and entry[3].name == "plan" for entry in unfiltered if isinstance(entry, tuple)
    )
    touched = set().union(*(_tables_of(entry) for entry in filtered)) if filtered else set()
    assert not touched & AUTH_TABLES, filtered
    assert "test_app_post" in touched  # the app's own table is proposed
    assert posts == 0  # ON DELETE CASCADE from `user`
