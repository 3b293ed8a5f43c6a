"""Database URLs as people and hosting platforms write them, mapped to the async drivers the toolkit runs on
(docs/concepts/database.md#database-urls). The one place a URL is read: the engine, the migrations and the CLI all go
through `async_url`."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ..startup_errors import OneLineWhenUncaught

ASYNC_DRIVERS = {"postgresql": "asyncpg", "sqlite": "aiosqlite", "mysql": "aiomysql"}
"""The driver each supported database runs on (`postgres://`, `sqlite:///x.db`, `mysql://`): MySQL and MariaDB always
run on aiomysql, whatever driver the URL names (docs/concepts/database.md#database-urls says why that one)."""
SCHEME_ALIASES = {"postgres": "postgresql", "mariadb": "mysql"}
"""`postgres://`, as Heroku, Render, Railway and docker-compose examples write it; `mariadb://`, which SQLAlchemy's
MySQL dialect serves too (it tells MariaDB from MySQL by the server's version once connected)."""
SYNC_DRIVERS = {"psycopg2", "pg8000", "pysqlite"}
"""Blocking drivers an app's own synchronous code may name: the toolkit swaps in the async one."""
MYSQL_DRIVERS = {"aiomysql", "asyncmy", "pymysql", "mysqldb", "mysqlconnector", "mariadbconnector", "cymysql"}
"""Drivers a MySQL/MariaDB URL may name (async or not): each becomes aiomysql, so one driver's behaviour is tested."""
EXAMPLES = "postgresql://user:password@host:5432/dbname, mysql://user:password@host:3306/dbname or sqlite:///./app.db"


class DatabaseURLError(OneLineWhenUncaught, ValueError):
    """A database URL the toolkit cannot use; the message says why and what to write instead, on one line."""


def async_url(url: str | URL) -> URL:
    """`url` with the async driver of its database: `postgres://` and `postgresql://` become
    `postgresql+asyncpg://`, `sqlite:///x.db` becomes `sqlite+aiosqlite:///x.db`, `mysql://` and `mariadb://` (with
    any MySQL driver named) become `mysql+aiomysql://` with `charset=utf8mb4` unless the URL sets a charset; a URL
    naming an async driver is kept as is. libpq's `sslmode` query parameter becomes asyncpg's `ssl` (same values:
    `disable`, `prefer`, `require`, `verify-ca`, `verify-full`); the other parameters are passed on unchanged.

    Raises `DatabaseURLError` for a URL that does not parse or names a database the toolkit does not support."""
    if isinstance(url, str):
        written = url
        try:
            url = make_url(written.strip())
        except ArgumentError:
            raise DatabaseURLError(
                f"the database URL {_shown(written)!r} is not a URL: expected e.g. {EXAMPLES}"
            ) from None
    backend, _, driver = url.drivername.partition("+")
    backend = SCHEME_ALIASES.get(backend, backend)
    if backend not in ASYNC_DRIVERS:
        raise DatabaseURLError(
            f"unsupported database {url.drivername!r} in the database URL: use PostgreSQL (postgresql://...), "
            "MySQL or MariaDB (mysql://...) or SQLite (sqlite:///file.db)"
        )
    if backend == "mysql":
        if driver and driver not in MYSQL_DRIVERS:
            raise DatabaseURLError(f"unknown MySQL driver {driver!r} in the database URL: write mysql://...")
        driver = ""
        if "charset" not in url.query:
            url = url.update_query_dict({"charset": "utf8mb4"})
    if not driver or driver in SYNC_DRIVERS:
        driver = ASYNC_DRIVERS[backend]
    url = url.set(drivername=f"{backend}+{driver}")
    if driver == "asyncpg" and "sslmode" in url.query:
        query = dict(url.query)
        query.setdefault("ssl", query.pop("sslmode"))
        url = url.set(query=query)
    return url


def async_url_string(url: str | URL) -> str:
    """`async_url(url)` as a string with its password (for Alembic's configuration)."""
    return async_url(url).render_as_string(hide_password=False)


def _shown(text: str) -> str:
    """A malformed URL for a message: whatever comes before its last `@` (a password, maybe) hidden."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    if "@" in rest:
        rest = "***@" + rest.rsplit("@", 1)[1]
    return f"{scheme}{sep}{rest}"
