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
        if async_url(url).get_backend_name() == "sqlite":
            return cls(url)
        return cls(
            url,
            pool_size=connections.database_pool_size,
            max_overflow=connections.database_max_overflow,
            pool_timeout=connections.database_pool_timeout.total_seconds(),
            pool_pre_ping=connections.database_pre_ping,
            connect_args={
                "timeout": connections.database_connect_timeout.total_seconds(),
                "command_timeout": connections.database_command_timeout.total_seconds(),
            },
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def session(self) -> AsyncSession:
        return self._sessions()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one read-only Core statement on a hot path (`async with database.reading() as conn:`),
        where an ORM session's own work would cost more than the query. On PostgreSQL it runs in autocommit, which
        saves the `BEGIN` and `ROLLBACK` round trips of a transaction; SQLite starts none for a read anyway."""
        async with self.engine.connect() as connection:
            if not self.is_sqlite:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    async def dispose(self) -> None:
        await self.engine.dispose()


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
