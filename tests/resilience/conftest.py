"""Fixtures of the resilience tests: a throwaway PostgreSQL cluster and redis-server that tests may stop,
start and freeze, and groups of example-app instances (real uvicorn processes) sharing them.

The instance groups, each started once per run and only when a test asks for it:

- `redis_pair`: two instances, sessions in Redis *and* in the `session` table (`store_session_in_database`), rate
  limits in Redis: the setup of the issue, where a Redis outage can fall back to the database.
- `database_pair`: two instances, sessions in the database, rate limits in the database.
- `cache_instance`: sessions in the database behind the `session_data` cookie cache (believed for 2 s).
- `redis_only_instance`: sessions in Redis only (no database copy) behind the same cookie cache.
- `redis_only_pair`: two instances, sessions in Redis only (no database copy, no cookie cache), rate limits in the
  database.
- `stateless_pair`: two instances, stateless sessions with their revocations in Redis (module scope: stopped once
  the revocation races are done).
- `burst_redis_pair`, `burst_database_pair`: the pairs again, with the generous `PATIENT` timeouts, for the bursts
  (module scope: stopped once the bursts are done).

All but the burst pairs use the 1 s connect, command and storage timeouts of `TIMEOUTS`. Missing server binaries
skip these tests with the reason, or fail them with REQUIRE_SERVICES=1. Before each test any stopped or frozen service
is brought back; after each test every instance must still be running (no process exits), else the test errors with
the instance's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import signal
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx2 as httpx
import pytest

from ..services import REQUIRE_SERVICES
from .browser import PUBLIC_URL, fresh_ip, http_client
from .outage import CACHE_MAX_AGE, DATABASE
from .servers import (
    AppInstance,
    PostgresCluster,
    RedisServer,
    migrate,
    postgres_missing,
    redis_missing,
    temporary_directory,
)

SECRET = secrets.token_urlsafe(48)

TIMEOUTS = {
    "BETTER_AUTH_CONNECTIONS__DATABASE_CONNECT_TIMEOUT": "1",
    # Not 1 s: waiting for a pooled connection is what a burst of sign-ups under load does, not an outage.
    "BETTER_AUTH_CONNECTIONS__DATABASE_POOL_TIMEOUT": "5",
    "BETTER_AUTH_CONNECTIONS__DATABASE_COMMAND_TIMEOUT": "1",
    "BETTER_AUTH_CONNECTIONS__DATABASE_PRE_PING": "true",
    "BETTER_AUTH_CONNECTIONS__STORAGE_TIMEOUT": "1",
}


PATIENT = {
    "BETTER_AUTH_CONNECTIONS__DATABASE_CONNECT_TIMEOUT": "10",
    "BETTER_AUTH_CONNECTIONS__DATABASE_POOL_TIMEOUT": "60",
    "BETTER_AUTH_CONNECTIONS__DATABASE_COMMAND_TIMEOUT": "30",
    "BETTER_AUTH_CONNECTIONS__DATABASE_PRE_PING": "true",
    "BETTER_AUTH_CONNECTIONS__STORAGE_TIMEOUT": "10",
}
"""The timeouts of the burst pairs (test_bursts.py), which test that 200 concurrent sign-ins all succeed, not how
fast: with the 1 s of TIMEOUTS, a machine busy with other jobs turned up to half of them into 503s (a statement or a
pool wait past 1 s or 5 s is an outage by design). Nothing is down during a burst, so no timeout should fire."""


def _need(reason: str | None) -> None:
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, and REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
    pytest.skip(f"{reason} (set REQUIRE_SERVICES=1 to make this a failure)")


_services: list[PostgresCluster | RedisServer] = []
_instances: list[AppInstance] = []


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of this run (database `auth`, migrated), on a free port; tests may stop it."""
    _need(postgres_missing())
    cluster = PostgresCluster()
    try:
        cluster.init()
        cluster.start()

        async def create_database() -> None:
            connection = await asyncpg.connect(cluster.dsn("postgres"))
            try:
                await connection.execute(f'CREATE DATABASE "{DATABASE}"')
            finally:
                await connection.close()

        asyncio.run(create_database())
        migrate(cluster.url(DATABASE))
        _services.append(cluster)
        yield cluster
    finally:
        with contextlib.suppress(ValueError):
            _services.remove(cluster)
        cluster.destroy()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of this run on a free port; tests may stop it."""
    _need(redis_missing())
    server = RedisServer()
    try:
        server.start()
        _services.append(server)
        yield server
    finally:
        with contextlib.suppress(ValueError):
            _services.remove(server)
        server.destroy()


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = temporary_directory("fba-resilience-apps-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _base_env(postgres: PostgresCluster, timeouts: dict[str, str] = TIMEOUTS) -> dict[str, str]:
    return {
        "BETTER_AUTH_SECRET": SECRET,
        "BETTER_AUTH_URL": PUBLIC_URL,
        "BETTER_AUTH_ENVIRONMENT": "test",
        "BETTER_AUTH_DATABASE_URL": postgres.url(DATABASE),
        "BETTER_AUTH_RATE_LIMIT__ENABLED": "true",
        # The tests are the load balancer: they say who the client is, one address per simulated client.
        "BETTER_AUTH_ADVANCED__IP_ADDRESS__TRUSTED_PROXIES": '["127.0.0.1"]',
        "BETTER_AUTH_USER__DELETE_USER__ENABLED": "true",
        # Hashing threads at the event loop's priority. Their default, nice 19, gives requests the CPU before hashing
        # inside one busy instance (bench/README.md); on a test machine shared with other jobs it starves hashing:
        # a nice-19 thread gets ~1.5% of a CPU that any other process wants, and under two CPU-bound processes 200
        # sign-ins took minutes. Equal priority is the harder case for the prompt answers these tests ask for.
        "BETTER_AUTH_EMAIL_AND_PASSWORD__PASSWORD_HASH_NICE": "0",
        **timeouts,
    }


@contextlib.contextmanager
def _running(names: list[str], env: dict[str, str], workdir: Path) -> Iterator[list[AppInstance]]:
    """Instances started side by side, each answering `/api/auth/ok`; stopped afterwards (before the services they
    use), failing if one had exited by itself."""
    group = [AppInstance(name, env, workdir) for name in names]
    _instances.extend(group)
    try:
        for instance in group:
            instance.start()
        for instance in group:
            instance.wait_until_up()
        yield group
    finally:
        exited = [(instance, instance.exited()) for instance in group]
        for instance in group:
            instance.stop()
            _instances.remove(instance)
    died = [
        f"{instance.name} exited with {code}:\n{instance.log_tail()}" for instance, code in exited if code is not None
    ]
    assert not died, "instances exited during the run:\n" + "\n".join(died)


@pytest.fixture(scope="session", autouse=True)
def _terminate_like_interrupt() -> Iterator[None]:
    """A SIGTERM to the test run (a CI timeout) ends it like Ctrl-C, so the fixtures still stop what they started."""

    def interrupt(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    installed = (
        signal.getsignal(signal.SIGTERM) is signal.SIG_DFL and threading.current_thread() is threading.main_thread()
    )
    if installed:
        signal.signal(signal.SIGTERM, interrupt)
    yield
    if installed:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _redis_pair_env(postgres: PostgresCluster, redis_server: RedisServer, timeouts: dict[str, str]) -> dict[str, str]:
    return {
        **_base_env(postgres, timeouts),
        "BETTER_AUTH_SECONDARY_STORAGE_URL": redis_server.url(0),
        "BETTER_AUTH_SESSION__STORE_SESSION_IN_DATABASE": "true",
        "BETTER_AUTH_RATE_LIMIT__STORAGE": "secondary-storage",
    }


def _database_pair_env(postgres: PostgresCluster, timeouts: dict[str, str]) -> dict[str, str]:
    return {**_base_env(postgres, timeouts), "BETTER_AUTH_RATE_LIMIT__STORAGE": "database"}


@pytest.fixture(scope="session")
def redis_pair(postgres: PostgresCluster, redis_server: RedisServer, workdir: Path) -> Iterator[list[AppInstance]]:
    with _running(["redis-a", "redis-b"], _redis_pair_env(postgres, redis_server, TIMEOUTS), workdir) as group:
        yield group


@pytest.fixture(scope="session")
def database_pair(postgres: PostgresCluster, workdir: Path) -> Iterator[list[AppInstance]]:
    with _running(["db-a", "db-b"], _database_pair_env(postgres, TIMEOUTS), workdir) as group:
        yield group


@pytest.fixture(scope="module")
def burst_redis_pair(
    postgres: PostgresCluster, redis_server: RedisServer, workdir: Path
) -> Iterator[list[AppInstance]]:
    """`redis_pair` with the PATIENT timeouts, for the bursts (stopped after their module)."""
    env = _redis_pair_env(postgres, redis_server, PATIENT)
    with _running(["burst-redis-a", "burst-redis-b"], env, workdir) as group:
        yield group


@pytest.fixture(scope="module")
def burst_database_pair(postgres: PostgresCluster, workdir: Path) -> Iterator[list[AppInstance]]:
    """`database_pair` with the PATIENT timeouts, for the bursts (stopped after their module)."""
    with _running(["burst-db-a", "burst-db-b"], _database_pair_env(postgres, PATIENT), workdir) as group:
        yield group


@pytest.fixture(scope="session")
def cache_instance(postgres: PostgresCluster, workdir: Path) -> Iterator[AppInstance]:
    env = {
        **_base_env(postgres),
        "BETTER_AUTH_SESSION__COOKIE_CACHE__ENABLED": "true",
        "BETTER_AUTH_SESSION__COOKIE_CACHE__MAX_AGE": str(CACHE_MAX_AGE),
    }
    with _running(["db-cache"], env, workdir) as group:
        yield group[0]


@pytest.fixture(scope="session")
def redis_only_instance(postgres: PostgresCluster, redis_server: RedisServer, workdir: Path) -> Iterator[AppInstance]:
    env = {
        **_base_env(postgres),
        "BETTER_AUTH_SECONDARY_STORAGE_URL": redis_server.url(1),
        "BETTER_AUTH_SESSION__STORE_SESSION_IN_DATABASE": "false",
        "BETTER_AUTH_SESSION__COOKIE_CACHE__ENABLED": "true",
        "BETTER_AUTH_SESSION__COOKIE_CACHE__MAX_AGE": str(CACHE_MAX_AGE),
        "BETTER_AUTH_RATE_LIMIT__STORAGE": "secondary-storage",
    }
    with _running(["redis-only"], env, workdir) as group:
        yield group[0]


@pytest.fixture(scope="session")
def redis_only_pair(postgres: PostgresCluster, redis_server: RedisServer, workdir: Path) -> Iterator[list[AppInstance]]:
    """Two instances, sessions in Redis only (no database copy), no cookie cache, rate limits in the database: with
    Redis down, a request meets the outage in the session store, not in the rate limiter."""
    env = {
        **_base_env(postgres),
        "BETTER_AUTH_SECONDARY_STORAGE_URL": redis_server.url(2),
        "BETTER_AUTH_SESSION__STORE_SESSION_IN_DATABASE": "false",
        "BETTER_AUTH_RATE_LIMIT__STORAGE": "database",
    }
    with _running(["redis-only-a", "redis-only-b"], env, workdir) as group:
        yield group


@pytest.fixture(scope="module")
def stateless_pair(postgres: PostgresCluster, redis_server: RedisServer, workdir: Path) -> Iterator[list[AppInstance]]:
    """Two instances, stateless sessions (encrypted cookies) with their revocations in Redis (stopped after their
    module)."""
    env = {
        **_base_env(postgres),
        "BETTER_AUTH_SECONDARY_STORAGE_URL": redis_server.url(3),
        "BETTER_AUTH_SESSION__STORE": "stateless",
        "BETTER_AUTH_RATE_LIMIT__STORAGE": "secondary-storage",
    }
    with _running(["stateless-a", "stateless-b"], env, workdir) as group:
        yield group


@pytest.fixture(params=["redis", "database"])
def pair(request: pytest.FixtureRequest) -> list[AppInstance]:
    """Both pairs of instances in turn: sessions in Redis (with a database copy), sessions in the database."""
    instances: list[AppInstance] = request.getfixturevalue(f"{request.param}_pair")
    return instances


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with http_client() as client:
        yield client


def _wait_for_database(instances: list[AppInstance], timeout: float = 15) -> None:
    """After a service had to be restored: until every instance reaches the database again (a sign-in attempt for
    an unknown address answers 401), so one failed test does not fail the next ones too."""
    deadline = time.monotonic() + timeout
    for instance in instances:
        while time.monotonic() < deadline:
            try:
                response = httpx.post(
                    f"{instance.base_url}/api/auth/sign-in/email",
                    json={"email": "nobody@example.com", "password": "wrong password"},
                    headers={"origin": PUBLIC_URL, "x-forwarded-for": fresh_ip()},
                    timeout=5,
                    trust_env=False,
                )
                if response.status_code == 401:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)


@pytest.fixture(autouse=True)
def _healthy(request: pytest.FixtureRequest) -> Iterator[None]:
    """Before: every service running and thawed. After: every instance still running; the instances' log lines of
    this test are printed (pytest shows them when the test failed)."""
    restored = False
    for service in _services:
        if service.frozen or not service.running:
            service.ensure_up()
            restored = True
    if restored:
        _wait_for_database([instance for instance in _instances if instance.exited() is None])
    offsets = {instance.name: instance.log_size() for instance in _instances}
    yield
    for instance in _instances:
        lines = instance.log_since(offsets.get(instance.name, 0)).strip()
        if lines:
            print(f"--- {instance.name} log during {request.node.name} ---\n{lines}")
    died = [f"{instance.name} exited with {code}" for instance in _instances if (code := instance.exited()) is not None]
    assert not died, f"no process may exit: {', '.join(died)}"
