"""What a database already holds, compared with the toolkit's tables (docs/concepts/database.md).

`inspect_schema` sorts a database into one of four states:

- `empty`: none of the auth tables; the Alembic chain creates them.
- `managed`: the toolkit's version table holds a revision; the Alembic chain takes it from there.
- `adoptable`: the tables better-auth 1.7's own migrator creates (a Node better-auth app ran first), without a
  revision of ours. Adopting creates what is missing (the `apikey` and `rateLimit` tables, which better-auth makes
  only with the api-key plugin or database rate limits, and missing indexes) and records the revision.
- `conflict`: some of the tables but not all, or tables the toolkit cannot use (missing columns, other types, a
  required column it never writes); `problems` says what. Nothing is written.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    Uuid,
    exc,
    func,
    select,
)
from sqlalchemy import inspect as inspect_database
from sqlalchemy import table as table_clause
from sqlalchemy.engine import Connection, Inspector
from sqlalchemy.types import TypeDecorator, TypeEngine

SchemaState = Literal["empty", "managed", "adoptable", "conflict"]

CORE_TABLES = ("user", "session", "account", "verification")
"""Tables every better-auth database has. The others (`apikey`, `rateLimit`) are added when missing."""

# Which reflected column types can hold what a model column writes. SQLite keeps any value in any column, but the
# declared types must still say what better-auth's SQLite migrator declares (booleans as integer, dates as date).
_ACCEPTED: dict[str, dict[str, frozenset[str]]] = {
    "postgresql": {
        "text": frozenset({"text"}),
        "boolean": frozenset({"boolean"}),
        "timestamptz": frozenset({"timestamptz"}),
        "integer": frozenset({"integer", "bigint"}),
        "bigint": frozenset({"bigint"}),
    },
    "mysql": {  # better-auth's MySQL types: varchar/text, boolean (tinyint(1)), timestamp(3) (ours: datetime(3))
        "text": frozenset({"text"}),
        "boolean": frozenset({"boolean", "integer"}),
        "timestamptz": frozenset({"timestamptz", "timestamp"}),
        "integer": frozenset({"integer", "bigint"}),
        "bigint": frozenset({"bigint"}),
    },
    "sqlite": {
        "text": frozenset({"text"}),
        "boolean": frozenset({"boolean", "integer"}),
        "timestamptz": frozenset({"timestamptz", "timestamp", "date"}),
        "integer": frozenset({"integer", "bigint"}),
        "bigint": frozenset({"bigint", "integer"}),
    },
}
ISSUER_HINT = " (better-auth 1.7.0 to 1.7.2 added it; see better-auth's 1.7 upgrade guide)"
_EXPECTED_TEXT = {
    "text": "text",
    "boolean": "boolean",
    "timestamptz": "timestamp with time zone",
    "integer": "integer",
    "bigint": "bigint",
}


@dataclass(frozen=True)
class SchemaReport:
    """The state of a database (see the module docstring) and, when adoptable, what adopting it creates."""

    state: SchemaState
    problems: tuple[str, ...] = ()
    missing_tables: tuple[Table, ...] = ()
    missing_indexes: tuple[Index, ...] = ()


class SchemaConflictError(RuntimeError):
    """The database holds auth tables the toolkit can neither manage nor adopt. Nothing was changed."""

    def __init__(self, where: str, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"The database {where} already has auth tables, but they are neither managed by fastapi-betterauth (no "
            f"revision recorded) nor the schema better-auth 1.7 creates, so they cannot be adopted:\n{listed}\n"
            "Nothing was changed. Bring the tables to better-auth 1.7's schema (its own migrator, `npx auth "
            "migrate`, does that) or fix what is listed, then run `python -m fastapi_betterauth migrate` again."
        )


def inspect_schema(
    connection: Connection,
    version_table: str,
    tables: Sequence[Table],
    written: Mapping[str, Collection[str]] | None = None,
) -> SchemaReport:
    """Compare the database behind `connection` with the toolkit's `tables`. Reads only. `written`: more columns
    the toolkit writes, by table (those of additional fields), which may be NOT NULL without a default."""
    inspector = inspect_database(connection)
    present = set(inspector.get_table_names())
    if version_table in present:
        versions = select(func.count()).select_from(table_clause(version_table))
        if connection.execute(versions).scalar_one():
            return SchemaReport("managed")
    if not any(table.name in present for table in tables):
        return SchemaReport("empty")
    problems = [f'table "{name}" is missing' for name in CORE_TABLES if name not in present]
    missing_tables: list[Table] = []
    missing_indexes: list[Index] = []
    for table in tables:
        if table.name not in present:
            if table.name not in CORE_TABLES:
                missing_tables.append(table)
            continue
        problems += _table_problems(inspector, table, connection, (written or {}).get(table.name, ()))
        missing_indexes += _missing_indexes(inspector, table)
    if problems:
        return SchemaReport("conflict", tuple(problems))
    return SchemaReport("adoptable", (), tuple(missing_tables), tuple(missing_indexes))


def _table_problems(
    inspector: Inspector, table: Table, connection: Connection, written: Collection[str] = ()
) -> list[str]:
    name = table.name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", exc.SAWarning)  # a type SQLAlchemy does not know is reported below instead
        actual = {column["name"]: column for column in inspector.get_columns(name)}
    problems: list[str] = []
    for column in table.columns:
        found = actual.get(column.name)
        if found is None:
            problems.append(f'table "{name}": column "{column.name}" is missing')
            continue
        expected = _family(column.type)
        accepted = _ACCEPTED.get(connection.dialect.name, _ACCEPTED["postgresql"])[expected]
        if _family(found["type"]) not in accepted:
            problems.append(
                f'table "{name}": column "{column.name}" is {_render(found["type"], connection)}, '
                f"expected {_EXPECTED_TEXT[expected]}"
            )
        if column.nullable and not found["nullable"] and found.get("default") is None:
            problems.append(
                f'table "{name}": column "{column.name}" is NOT NULL without a default, but fastapi-betterauth '
                "leaves it empty when it has no value, so those inserts would fail"
            )
    for extra, found in actual.items():
        if (
            extra in table.columns
            or extra in written
            or found["nullable"]
            or found.get("default") is not None
            or found.get("identity")
        ):
            continue
        hint = ISSUER_HINT if (name, extra) == ("account", "issuer") else ""
        problems.append(
            f'table "{name}": column "{extra}" is NOT NULL without a default and fastapi-betterauth never writes it, '
            f"so every insert would fail{hint}; make it nullable or give it a default"
        )
    if inspector.get_pk_constraint(name).get("constrained_columns") != ["id"]:
        problems.append(f'table "{name}": the primary key is not "id"')
    problems += _unique_problems(inspector, table, connection)
    problems += _foreign_key_problems(inspector, table, connection)
    return problems


def _unique_problems(inspector: Inspector, table: Table, connection: Connection) -> list[str]:
    if connection.dialect.name == "sqlite":
        unique = _sqlite_unique_columns(connection, table.name)
    else:
        unique = [list(c["column_names"]) for c in inspector.get_unique_constraints(table.name)]
        unique += [_names(index["column_names"]) for index in inspector.get_indexes(table.name) if index["unique"]]
    problems = []
    for constraint in table.constraints:
        if not isinstance(constraint, UniqueConstraint):
            continue
        columns = [column.name for column in constraint.columns]
        if columns not in unique:
            listed = ", ".join(f'"{column}"' for column in columns)
            problems.append(f'table "{table.name}": {listed} is not unique (better-auth makes it unique)')
    return problems


def _foreign_key_problems(inspector: Inspector, table: Table, connection: Connection) -> list[str]:
    if connection.dialect.name == "sqlite":
        actual = _sqlite_foreign_keys(connection, table.name)
    else:
        actual = [dict(key) for key in inspector.get_foreign_keys(table.name)]
    problems = []
    for constraint in table.foreign_key_constraints:
        columns = [column.name for column in constraint.columns]
        referred = constraint.referred_table.name
        target = [element.column.name for element in constraint.elements]
        matches = [
            key
            for key in actual
            if key["constrained_columns"] == columns
            and key["referred_table"] == referred
            and key["referred_columns"] == target
        ]
        reference = f'"{columns[0]}" to {referred}.{target[0]}'
        if not matches:
            problems.append(f'table "{table.name}": no foreign key from {reference}')
        elif not any(str(key.get("options", {}).get("ondelete", "")).upper() == "CASCADE" for key in matches):
            problems.append(
                f'table "{table.name}": the foreign key from {reference} is not ON DELETE CASCADE, so deleting a '
                "user would fail"
            )
    return problems


# SQLAlchemy's SQLite reflection reads constraints from the CREATE TABLE text and misses the inline `unique` and
# `references ... on delete cascade` that better-auth's migrator writes; SQLite's own pragmas report them.


def _sqlite_unique_columns(connection: Connection, name: str) -> list[list[str]]:
    unique = []
    for index in connection.exec_driver_sql(f'PRAGMA index_list("{name}")').mappings():
        if index["unique"] and index["origin"] != "pk":
            info = connection.exec_driver_sql(f'PRAGMA index_info("{index["name"]}")').mappings()
            unique.append([row["name"] for row in sorted(info, key=lambda row: row["seqno"])])
    return unique


def _sqlite_foreign_keys(connection: Connection, name: str) -> list[dict[str, Any]]:
    keys: dict[int, dict[str, Any]] = {}
    for row in connection.exec_driver_sql(f'PRAGMA foreign_key_list("{name}")').mappings():
        key = keys.setdefault(
            row["id"],
            {
                "constrained_columns": [],
                "referred_table": row["table"],
                "referred_columns": [],
                "options": {"ondelete": row["on_delete"]},
            },
        )
        key["constrained_columns"].append(row["from"])
        key["referred_columns"].append(row["to"])
    return list(keys.values())


def _missing_indexes(inspector: Inspector, table: Table) -> list[Index]:
    """The table's indexes with no index of any name over the same columns (they only speed lookups up)."""
    existing = [_names(index["column_names"]) for index in inspector.get_indexes(table.name)]
    return [index for index in table.indexes if [column.name for column in index.columns] not in existing]


def _names(columns: Iterable[str | None]) -> list[str]:
    """An index's columns (None stands for an expression, which never matches a column)."""
    return [column if column is not None else "<expression>" for column in columns]


def _family(type_: TypeEngine[Any]) -> str:
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, Boolean):
        return "boolean"
    if isinstance(type_, DateTime):
        return "timestamptz" if type_.timezone else "timestamp"
    if isinstance(type_, Date):
        return "date"
    if isinstance(type_, BigInteger):
        return "bigint"
    if isinstance(type_, Integer):
        return "integer"
    if isinstance(type_, Uuid):
        return "uuid"
    if isinstance(type_, String):
        return "text"
    return type(type_).__name__.lower()


def _render(type_: TypeEngine[Any], connection: Connection) -> str:
    try:
        return str(type_.compile(dialect=connection.dialect)).lower()
    except exc.CompileError:  # a type SQLAlchemy did not recognise when reflecting
        return "of an unknown type"
