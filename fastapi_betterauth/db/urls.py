"""Database URLs as people and hosting platforms write them, mapped to the async drivers the toolkit runs on
(README "Database URLs"). The one place a URL is read: the engine, the migrations and the CLI all go through
`async_url`."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ..startup_errors import OneLineWhenUncaught

ASYNC_DRIVERS = {"postgresql": "asyncpg", "sqlite": "aiosqlite"}
"""The driver each supported database runs on when the URL names none (`postgres://`, `sqlite:///x.db`)."""
SCHEME_ALIASES = {"postgres": "postgresql"}
"""`postgres://`, as Heroku, Render, Railway and docker-compose examples write it."""
SYNC_DRIVERS = {"psycopg2", "pg8000", "pysqlite"}
"""Blocking drivers an app's own synchronous code may name: the toolkit swaps in the async one."""
NOT_YET = {"mysql": "MySQL", "mariadb": "MariaDB"}


class DatabaseURLError(OneLineWhenUncaught, ValueError):
    """A database URL the toolkit cannot use; the message says why and what to write instead, on one line."""


def async_url(url: str | URL) -> URL:
    """`url` with the async driver of its database: `postgres://` and `postgresql://` become
    `postgresql+asyncpg://`, `sqlite:///x.db` becomes `sqlite+aiosqlite:///x.db`; a URL naming an async driver is
    kept as is. libpq's `sslmode` query parameter becomes asyncpg's `ssl` (same values: `disable`, `prefer`,
    `require`, `verify-ca`, `verify-full`); the other parameters are passed on unchanged.

    Raises `DatabaseURLError` for a URL that does not parse or names a database the toolkit does not support."""
    if isinstance(url, str):
        written = url
        try:
            url = make_url(written.strip())
        except ArgumentError:
            raise DatabaseURLError(
                f"the database URL {_shown(written)!r} is not a URL: expected e.g. "
                "postgresql://user:password@host:5432/dbname or sqlite:///./app.db"
            ) from None
    backend, _, driver = url.drivername.partition("+")
    backend = SCHEME_ALIASES.get(backend, backend)
    if backend in NOT_YET:
        raise DatabaseURLError(
            f"{NOT_YET[backend]} is not supported yet: use PostgreSQL (postgresql://...) or SQLite (sqlite:///file.db)"
        )
    if backend not in ASYNC_DRIVERS:
        raise DatabaseURLError(
            f"unsupported database {url.drivername!r} in the database URL: use PostgreSQL (postgresql://...) or "
            "SQLite (sqlite:///file.db)"
        )
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
