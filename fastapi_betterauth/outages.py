"""Which failures mean "a dependency cannot be reached right now" (answered 503 and retried), as opposed to a bug or
a configuration error."""

from __future__ import annotations

from asyncpg.exceptions import OperatorInterventionError, PostgresConnectionError  # type: ignore[import-untyped]
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from .db.diagnose import is_missing_schema, is_mysql_refusal


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) says a dependency cannot be reached: a lost or refused connection, a
    timeout, a pool with no free connection. Such a failure is never "no session" and never a 500. A missing table
    (SQLite says so with an `OperationalError` too) is no outage: retrying will not help, migrating will."""
    if is_missing_schema(exc) or is_mysql_refusal(exc):  # MySQL's driver says OperationalError for those too
        return False
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _OUTAGES) or getattr(current, "connection_invalidated", False):
            return True
        current = current.__cause__ or current.__context__
    return False


def describe(exc: BaseException) -> str:
    """The exception's type and the first line of its message, for a log line without a traceback."""
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


_OUTAGES: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted (OSError subclasses)
    TimeoutError,  # asyncio and socket timeouts
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeoutError,
    PostgresConnectionError,
    OperatorInterventionError,  # the server is shutting down or starting up
    RedisConnectionError,
    RedisTimeoutError,
    BusyLoadingError,
)
