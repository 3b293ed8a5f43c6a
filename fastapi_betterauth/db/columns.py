"""Column helpers and column types shared by the core's models, the plugins' and the Alembic revisions: better-auth's
SQL names on snake_case attributes, and better-auth's column types on every database.

On PostgreSQL and SQLite every string is `text` and every date `timestamptz`/`DATETIME`, as better-auth's migrator
makes them. MySQL and MariaDB cannot index a `TEXT` column without a prefix length, so there the types follow
better-auth's MySQL mapping (docs/design.md "Column types on MySQL and MariaDB"):

- `ID`: primary keys and the foreign keys to them, `varchar(36)`;
- `INDEXED_TEXT`: a unique or indexed string, `varchar(255)`;
- `TEXT`: any other string, `text`;
- `UTC_DATETIME`: dates, `datetime(3)` holding UTC;
- booleans `tinyint(1)` (SQLAlchemy's `Boolean` there), JSON `json`.

Strings other than ids compare byte for byte on MySQL (`utf8mb4_bin`), as they do on PostgreSQL and SQLite; MySQL's
usual collations would call `Ann` and `ann`, or `é` and `e`, equal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Text
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import TypeEngine
from sqlmodel import Field
from sqlmodel.sql.sqltypes import UTCDateTime

from ..clock import SystemClock

MYSQL_DATETIME_PRECISION = 3
"""Fractional digits of a date on MySQL: milliseconds, as better-auth's `timestamp(3)` and JavaScript dates."""
_CHARSET, _COLLATION = "utf8mb4", "utf8mb4_bin"

ID: TypeEngine[str] = Text().with_variant(mysql.VARCHAR(36), "mysql")
"""Primary keys and foreign keys to them. On MySQL in the table's character set: a foreign key's collation must be
its target's, and a table better-auth created has the database's default."""
INDEXED_TEXT: TypeEngine[str] = Text().with_variant(mysql.VARCHAR(255, charset=_CHARSET, collation=_COLLATION), "mysql")
"""A string with a unique constraint or an index (MySQL indexes at most a few thousand bytes of a key)."""
TEXT: TypeEngine[str] = Text().with_variant(mysql.TEXT(charset=_CHARSET, collation=_COLLATION), "mysql")
"""Any other string."""
LONG_ID: TypeEngine[str] = Text().with_variant(mysql.VARCHAR(255), "mysql")
"""`verification.id`: single-use marks there have ids derived from a hash, longer than 36 characters."""


class UTCDateTimeColumn(UTCDateTime):
    """sqlmodel's aware-UTC datetime, stored as `datetime(3)` on MySQL (its `DATETIME` keeps no fraction by default,
    and `TIMESTAMP` ends in 2038 and shifts values by the session's time zone)."""

    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mysql":
            return dialect.type_descriptor(mysql.DATETIME(fsp=MYSQL_DATETIME_PRECISION))
        return super().load_dialect_impl(dialect)


UTC_DATETIME = UTCDateTimeColumn()


class current_timestamp_default(GenericFunction[datetime]):
    """`CURRENT_TIMESTAMP` as a column default: `CURRENT_TIMESTAMP(3)` on MySQL, whose date columns need a default
    of their own precision."""

    type = UTC_DATETIME
    inherit_cache = True
    name = "current_timestamp"
    _register = False  # `func.current_timestamp` stays SQLAlchemy's


@compiles(current_timestamp_default)
def _current_timestamp(element: current_timestamp_default, compiler: SQLCompiler, **kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


@compiles(current_timestamp_default, "mysql")
def _current_timestamp_mysql(element: current_timestamp_default, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CURRENT_TIMESTAMP({MYSQL_DATETIME_PRECISION})"


utc_now = SystemClock().now
"""Default of `createdAt`/`updatedAt` on a model built outside a service (services set them from their clock)."""


def column_kwargs(name: str, *, default_now: bool = False) -> dict[str, Any]:
    """`sa_column_kwargs` of a column whose SQL name differs from the attribute (`emailVerified`)."""
    kwargs: dict[str, Any] = {"name": name}
    if default_now:
        kwargs["server_default"] = current_timestamp_default()
    return kwargs


def text_field(name: str | None = None, *, indexed: bool = False) -> Any:
    """A required string column, named `name` in SQL when given; `indexed`: it has a unique constraint or index."""
    return Field(sa_type=INDEXED_TEXT if indexed else TEXT, sa_column_kwargs={"name": name} if name else {})


def optional_text_field(name: str | None = None, *, indexed: bool = False) -> Any:
    """A nullable string column, named `name` in SQL when given; `indexed`: it has a unique constraint or index."""
    return Field(
        default=None,
        sa_type=INDEXED_TEXT if indexed else TEXT,
        nullable=True,
        sa_column_kwargs={"name": name} if name else {},
    )


def id_field(name: str | None = None) -> Any:
    """A required foreign key to another table's id (`userId`), named `name` in SQL when given."""
    return Field(sa_type=ID, sa_column_kwargs={"name": name} if name else {})


def date_field(name: str | None = None, *, default_now: bool = False, **field: Any) -> Any:
    """A date column (`default_factory=` or `default=` go to the field), named `name` in SQL when given;
    `default_now`: the database fills it with the current time when an insert leaves it out."""
    kwargs = column_kwargs(name, default_now=default_now) if name else {}
    return Field(sa_type=UTC_DATETIME, sa_column_kwargs=kwargs, **field)
