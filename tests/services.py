"""Which real services the tests can reach, and what to do when one is missing.

Locally a missing PostgreSQL or Redis skips its tests with a reason; with REQUIRE_SERVICES=1 (CI) it fails them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import IO, NoReturn

import asyncpg
import pytest

POSTGRES_HOST = os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("TEST_POSTGRES_PORT", "5432"))
POSTGRES_USER = os.environ.get("TEST_POSTGRES_USER", "postgres")
POSTGRES_ADMIN_DB = os.environ.get("TEST_POSTGRES_DB", "test")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(name: str, host: str, port: int) -> None:
    if reachable(host, port):
        return
    unavailable(f"{name} is not reachable at {host}:{port}")


def unavailable(message: str) -> NoReturn:
    """Skip (locally) or fail (REQUIRE_SERVICES=1) the requesting test because something it needs is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
    pytest.skip(f"{message} (set REQUIRE_SERVICES=1 to make this a failure)")


def postgres_url(database: str) -> str:
    return f"postgresql+asyncpg://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{database}"


async def postgres_admin(statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the admin database."""
    connection = await asyncpg.connect(
        host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER, database=POSTGRES_ADMIN_DB
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


REDIS_HOST = os.environ.get("TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("TEST_REDIS_PORT", "6379"))
REDIS_TEST_DB = int(os.environ.get("TEST_REDIS_DB", "15"))  # flushed before every test that uses Redis


def stop_process(process: subprocess.Popen[bytes], timeout: float = 5) -> None:
    """Stop a server the tests started: SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def redis_db_pool(spec: str) -> list[int]:
    """`"1-15"`, `"3,5,7-9"` or `"12"`: the Redis database numbers a test process may take, in order of preference."""
    numbers: list[int] = []
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        for number in range(int(low), int(high or low) + 1):
            if number not in numbers:
                numbers.append(number)
    if not numbers:
        raise ValueError(f"no Redis database number in {spec!r}")
    return numbers


# The Redis databases tests may use (each one is flushed before every test that uses Redis). Every test process (a
# plain pytest run, or each pytest-xdist worker) takes one of them for itself, see `RedisLease`. Database 0 is left
# alone: it is where a development app keeps its data. TEST_REDIS_DB=N (the older setting) pins the pool to N.
REDIS_DBS = redis_db_pool(os.environ.get("TEST_REDIS_DBS") or os.environ.get("TEST_REDIS_DB") or "1-15")
REDIS_LEASE_WAIT = float(os.environ.get("TEST_REDIS_WAIT", "600"))
REDIS_LOCK_DIR = Path(os.environ.get("TEST_REDIS_LOCK_DIR", "/tmp"))


class RedisLease:
    """One Redis database of the pool, this process's alone while the lease is held: an exclusive `flock` on a lock
    file per (host, port, database) in REDIS_LOCK_DIR, so another test run (another checkout, another xdist worker)
    on this machine takes another database and no run flushes or reads another's keys. The kernel drops the lock
    when the process ends, however it ends; the file says who holds it, for the message when none is free."""

    def __init__(self, host: str, port: int, pool: list[int], wait: float = REDIS_LEASE_WAIT) -> None:
        self.host, self.port = host, port
        self.db, self._file = self._take(pool, wait)

    def _path(self, db: int) -> Path:
        return REDIS_LOCK_DIR / f"fastapi-betterauth-tests-redis-{self.host}-{self.port}-db{db}.lock"

    def _take(self, pool: list[int], wait: float) -> tuple[int, IO[str]]:
        deadline = time.monotonic() + wait
        while True:
            for db in pool:
                lock = self._try(db)
                if lock is not None:
                    return db, lock
            if time.monotonic() >= deadline:
                holders = "; ".join(f"db {db}: {self._holder(db)}" for db in pool)
                raise RuntimeError(
                    f"every Redis database of the test pool {pool} is held by another test process for {wait:.0f}s"
                    f" ({holders}); widen the pool with TEST_REDIS_DBS or wait for those runs to end"
                )
            time.sleep(0.5)

    def _try(self, db: int) -> IO[str] | None:
        path = self._path(db)
        try:
            file = path.open("a+")
            with contextlib.suppress(OSError):
                os.fchmod(file.fileno(), 0o666)  # other users' runs lock it too
        except PermissionError:
            file = path.open()  # another user's lock file: flock works on a read-only descriptor as well
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return None
        with contextlib.suppress(OSError):
            file.truncate(0)
            file.write(f"pid {os.getpid()} ({os.environ.get('PYTEST_XDIST_WORKER', 'main')}) since {time.ctime()}\n")
            file.flush()
        return file

    def _holder(self, db: int) -> str:
        try:
            return self._path(db).read_text().strip() or "unknown"
        except OSError:
            return "unknown"

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/{self.db}"

    def release(self) -> None:
        self._file.close()  # closing the descriptor drops the lock
