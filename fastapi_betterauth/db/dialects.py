"""Statements whose SQL differs by database, in one place: `UPDATE ... RETURNING` and `DELETE ... RETURNING`, which
MySQL lacks (MariaDB has `DELETE ... RETURNING` only), and the upsert (docs/design.md "MySQL and MariaDB").

Where a statement returns what it changed on PostgreSQL and SQLite, a database without that RETURNING runs it and
then reads the rows in the same transaction (or locks them first, for a delete): the rows stay locked to the commit,
so what is read is what was written, and a concurrent writer waits as it would for the one statement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, Delete, Row, Table, Update, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from .diagnose import mysql_error_code

MYSQL_DEADLOCK = 1213
MYSQL_DEADLOCK_RETRIES = 3


async def update_returning(
    db: AsyncSession, statement: Update, columns: Sequence[Any], key: ColumnElement[bool]
) -> Row[Any] | None:
    """The first row `statement` updated, as `columns` (`ApiKey`, or columns): one `UPDATE ... RETURNING`, or on MySQL
    the `UPDATE` and then, if it matched a row, a `SELECT` of `columns` where `key` (the updated row's key), with
    the statement's execution options (`populate_existing`)."""
    connection = await db.connection()
    if connection.dialect.update_returning:
        return (await db.exec(statement.returning(*columns))).first()
    if not (await db.exec(statement)).rowcount:
        return None
    reread = select(*columns).where(key).execution_options(**statement.get_execution_options())
    return (await db.exec(reread)).first()  # type: ignore[call-overload,no-any-return]


async def delete_returning(db: AsyncSession, statement: Delete, columns: Sequence[ColumnElement[Any]]) -> list[Any]:
    """The rows `statement` deletes, as `columns`: one `DELETE ... RETURNING`, or on MySQL a `SELECT ... FOR UPDATE`
    of them and then the `DELETE` (a concurrent caller waits for the lock and then finds nothing)."""
    connection = await db.connection()
    if connection.dialect.delete_returning:  # MariaDB too
        return list((await db.exec(statement.returning(*columns))).all())
    found = select(*columns).select_from(statement.table)
    if statement.whereclause is not None:
        found = found.where(statement.whereclause)
    rows = list((await db.exec(found.with_for_update())).all())  # type: ignore[call-overload]
    if rows:
        await db.exec(statement)
    return rows


async def upsert_returning(
    engine: AsyncEngine,
    table: Table,
    values: Mapping[str, Any],
    key: Column[Any],
    set_: Mapping[str, Any],
    returned: Column[Any],
) -> Any:
    """In a transaction of its own: `INSERT values`, or on a conflict on the unique column `key` the update `set_`,
    and the row's `returned` column afterwards. PostgreSQL and SQLite: one `INSERT ... ON CONFLICT (key) DO UPDATE
    ... RETURNING`. MySQL: `INSERT ... ON DUPLICATE KEY UPDATE`, then a `SELECT` of the locked row; there the
    assignments of `set_` run in order, each seeing the ones before it, so none may read a column an earlier one
    changed. InnoDB can pick such an upsert as a deadlock victim when rows with the same new key race: it is retried
    (`MYSQL_DEADLOCK_RETRIES` times)."""
    for attempt in range(MYSQL_DEADLOCK_RETRIES + 1):
        try:
            async with engine.begin() as connection:
                name = connection.dialect.name
                if name != "mysql":
                    insert = postgresql_insert if name == "postgresql" else sqlite_insert
                    statement = insert(table).values(**values).on_conflict_do_update(index_elements=[key], set_=set_)
                    return (await connection.execute(statement.returning(returned))).scalar_one()
                upsert = mysql_insert(table).values(**values).on_duplicate_key_update(list(set_.items()))
                await connection.execute(upsert)
                found = select(returned).where(key == values[key.name])
                return (await connection.execute(found)).scalar_one()
        except DBAPIError as error:
            if mysql_error_code(error) != MYSQL_DEADLOCK or attempt == MYSQL_DEADLOCK_RETRIES:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
