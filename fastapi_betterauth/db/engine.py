"""The async engine and session factory, with the SQLite settings a concurrent web app needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import AuthError, ErrorCode
from ..settings import ConnectionSettings
from .urls import async_url

SQLITE_BUSY_TIMEOUT_SECONDS = 30
MYSQL_INIT_COMMAND = "SET time_zone = '+00:00'"
"""Run on every MySQL/MariaDB connection: `CURRENT_TIMESTAMP` (the `createdAt` defaults) and any `TIMESTAMP` column
(better-auth's own migrator makes them) read and write UTC, as the toolkit's datetimes are (docs/design.md)."""
MYSQL_POOL_RECYCLE_SECONDS = 3600
"""MySQL closes a connection idle for `wait_timeout` (8 hours by default, often less on hosted servers): the pool
replaces its connections well before."""
POOL_SIZE = 20
"""Connections kept open per engine (SQLAlchemy's `pool_size`; `max_overflow` stays 10). `Database(url, pool_size=...)`
overrides it."""


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # ON DELETE CASCADE needs it
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """Owns the engine. `async with database.session() as db:` gives a SQLModel `AsyncSession`.

    Write paths open their transaction with a write, so SQLite never has to upgrade a read lock (which fails
    immediately instead of waiting).
    """

    def __init__(self, url: str | URL, **engine_kwargs: Any) -> None:
        """`url`: any form `async_url` accepts (`postgres://`, `postgresql://`, `sqlite:///x.db`, or with the async
        driver named); raises `DatabaseURLError` for one it cannot use."""
        self.url = async_url(url)
        if self.url.get_backend_name() == "sqlite":
            engine_kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            if self.url.database in (None, "", ":memory:"):
                engine_kwargs.setdefault("poolclass", StaticPool)
        if self.url.get_backend_name() == "mysql":
            for key, value in mysql_engine_options(engine_kwargs.pop("connect_args", {})).items():
                engine_kwargs.setdefault(key, value)
        if engine_kwargs.get("poolclass") is None:
            # SQLAlchemy's default keeps 5 idle connections and closes the others as they come back, so past 5
            # concurrent queries most requests would open a fresh connection (bench/README.md).
            engine_kwargs.setdefault("pool_size", POOL_SIZE)
        self.engine: AsyncEngine = create_async_engine(self.url, **engine_kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_on_connect)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @classmethod
    def from_settings(cls, url: str | URL, connections: ConnectionSettings) -> Database:
        """The engine for `url` with the pool and timeouts of `connections` (PostgreSQL; SQLite keeps its own)."""
        backend = async_url(url).get_backend_name()
        if backend == "sqlite":
            return cls(url)
        connect_args: dict[str, Any] = {
            "timeout": connections.database_connect_timeout.total_seconds(),
            "command_timeout": connections.database_command_timeout.total_seconds(),
        }
        if backend == "mysql":  # aiomysql's name; it has no statement timeout
            connect_args = {"connect_timeout": connections.database_connect_timeout.total_seconds()}
        return cls(
            url,
            pool_size=connections.database_pool_size,
            max_overflow=connections.database_max_overflow,
            pool_timeout=connections.database_pool_timeout.total_seconds(),
            pool_pre_ping=connections.database_pre_ping,
            connect_args=connect_args,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_mysql(self) -> bool:
        """MySQL or MariaDB (one SQLAlchemy dialect, `mysql`, serves both)."""
        return self.url.get_backend_name() == "mysql"

    def session(self) -> AsyncSession:
        return self._sessions()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one read-only Core statement on a hot path (`async with database.reading() as conn:`),
        where an ORM session's own work would cost more than the query. On PostgreSQL and MySQL it runs in
        autocommit, which saves the `BEGIN` and `ROLLBACK` round trips of a transaction; SQLite starts none for a read
        anyway."""
        async with self.engine.connect() as connection:
            if not self.is_sqlite:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    async def dispose(self) -> None:
        await self.engine.dispose()


def mysql_engine_options(connect_args: dict[str, Any]) -> dict[str, Any]:
    """`create_async_engine` options every MySQL/MariaDB engine of the toolkit gets (migrations' too): UTC sessions,
    READ COMMITTED as on PostgreSQL (InnoDB's REPEATABLE READ would show a transaction an old snapshot after it waited
    for a row lock), and connections recycled before the server drops them."""
    return {
        "connect_args": {"init_command": MYSQL_INIT_COMMAND, **connect_args},
        "isolation_level": "READ COMMITTED",
        "pool_recycle": MYSQL_POOL_RECYCLE_SECONDS,
    }


class NoDatabase(Database):
    """Stands in for the database of an app that runs without one (`BetterAuth(database=None)`).

    Nothing is ever stored in its place (no in-memory fallback): whatever would need a database answers 400
    `DATABASE_REQUIRED` instead. Routes are guarded before they start; this is the net under them.
    """

    def __init__(self) -> None:  # no engine, no file, no connection
        self.url = make_url("sqlite://")

    @property
    def is_sqlite(self) -> bool:
        return False

    def session(self) -> AsyncSession:
        raise AuthError(ErrorCode.DATABASE_REQUIRED)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        raise AuthError(ErrorCode.DATABASE_REQUIRED)
        yield  # never reached: makes this the async generator the context manager wraps

    async def dispose(self) -> None:
        """Nothing to close."""
