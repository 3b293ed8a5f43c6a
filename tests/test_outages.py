"""A dependency that cannot be reached is a 503 with a code, never "no session" and never a cleared cookie.

Each test talks to a real service that refuses connections (a closed port on loopback), next to the real ones: a
second app instance on the same database and secret whose PostgreSQL or Redis is out of reach. Whole-process
outages (stopping PostgreSQL and Redis under load, two instances) are in `tests/resilience/`.
"""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import event
from sqlmodel import select

from fastapi_betterauth import Account, BetterAuth, ManualClock, User
from fastapi_betterauth.crypto.tokens import sign_value
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.errors import is_outage
from fastapi_betterauth.storage import RedisStorage

from .conftest import BASE_URL, ORIGIN, TEST_SECRET, build_app, settings, sign_up
from .idp_fixture import IdP
from .oauth.test_social_sign_in import path_of, start

COOKIE = "__Secure-better-auth.session_token"
UNAVAILABLE = "SERVICE_UNAVAILABLE"


def closed_port() -> int:
    """A loopback port nobody listens on: connections to it are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def serve() -> AsyncIterator[Any]:
    managers: list[LifespanManager] = []
    clients: list[httpx.AsyncClient] = []

    async def client_of(auth: BetterAuth) -> httpx.AsyncClient:
        manager = LifespanManager(build_app(auth))
        await manager.__aenter__()
        managers.append(manager)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url=BASE_URL, headers=ORIGIN)
        clients.append(client)
        return client

    yield client_of
    for client in clients:
        await client.aclose()
    for manager in reversed(managers):
        await manager.__aexit__(None, None, None)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["code"] == UNAVAILABLE
    assert response.headers["retry-after"] == "1"
    assert not any(h.startswith(f"{COOKIE}=;") for h in response.headers.get_list("set-cookie"))


async def test_an_unreachable_database_is_503_not_signed_out(serve: Any, clock: ManualClock) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/nothing"
    auth = BetterAuth(
        settings(database_url=url, connections={"database_connect_timeout": 1}), clock=clock, database=Database(url)
    )
    client = await serve(auth)
    client.cookies.set(COOKIE, sign_value(TEST_SECRET, "t" * 32))
    started = time.monotonic()
    assert_unavailable(await client.get("/api/auth/get-session"))
    assert_unavailable(await client.get("/me"))  # a user's route guarded by CurrentUser
    assert_unavailable(await client.post("/api/auth/sign-in/email", json={"email": "a@b.co", "password": "x" * 12}))
    assert time.monotonic() - started < 5
    assert (await client.get("/api/auth/ok")).json() == {"ok": True}  # the health check needs no database


@pytest.fixture
async def signed_in(make_auth: Any, serve: Any, redis_url: str, clock: ManualClock) -> dict[str, str]:
    """Cookies of a user signed in on an instance with Redis and the session table as a second copy."""
    auth = make_auth(secondary_storage=RedisStorage.from_url(redis_url), session={"store_session_in_database": True})
    client = await serve(auth)
    await sign_up(client)
    return dict(client.cookies)


@pytest.mark.parametrize("cookie_cache", [False, True], ids=["store", "cookie-cache"])
async def test_unreachable_redis_falls_back_to_the_session_table(
    make_auth: Any, serve: Any, signed_in: dict[str, str], cookie_cache: bool
) -> None:
    dead = RedisStorage.from_url(f"redis://127.0.0.1:{closed_port()}/0", timeout=0.5)
    auth = make_auth(
        secondary_storage=dead,
        session={"store_session_in_database": True, "cookie_cache": {"enabled": cookie_cache}},
    )
    client = await serve(auth)
    client.cookies.update(signed_in)
    assert (await client.get("/me")).json()["email"] == "ann@example.com"
    assert (await client.get("/api/auth/get-session")).json()["user"]["email"] == "ann@example.com"


@pytest.mark.parametrize("cookie_cache", [False, True], ids=["store", "cookie-cache"])
async def test_unreachable_redis_alone_is_503_fast(
    make_auth: Any, serve: Any, signed_in: dict[str, str], cookie_cache: bool
) -> None:
    dead = RedisStorage.from_url(f"redis://127.0.0.1:{closed_port()}/0", timeout=0.5)
    auth = make_auth(secondary_storage=dead, session={"cookie_cache": {"enabled": cookie_cache}})
    client = await serve(auth)
    client.cookies.update(signed_in)
    started = time.monotonic()
    assert_unavailable(await client.get("/api/auth/get-session"))
    assert_unavailable(await client.get("/me"))
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("in_database", [False, True], ids=["redis", "redis+database"])
async def test_a_sign_up_during_a_redis_outage_leaves_nothing(
    make_auth: Any, serve: Any, redis_url: str, database: Database, in_database: bool
) -> None:
    """L10: the session cannot be written, so the sign-up is a 503 that leaves no user behind, and the same sign-up
    succeeds once Redis is back (it used to leave the user, and the retry found the address taken)."""
    session = {"store_session_in_database": in_database}
    dead = RedisStorage.from_url(f"redis://127.0.0.1:{closed_port()}/0", timeout=0.5)
    during = await serve(make_auth(secondary_storage=dead, session=session))
    assert_unavailable(await sign_up(during))
    async with database.session() as db:
        assert (await db.exec(select(User))).all() == []
        assert (await db.exec(select(Account))).all() == []

    back = await serve(make_auth(secondary_storage=RedisStorage.from_url(redis_url), session=session))
    retried = await sign_up(back)
    assert retried.status_code == 200, retried.text
    assert (await back.get("/me")).json()["email"] == "ann@example.com"


async def test_a_first_social_sign_in_during_a_redis_outage_leaves_nothing(
    make_auth: Any, serve: Any, redis_url: str, database: Database, clock: ManualClock, oidc_provider: IdP
) -> None:
    """L10: a provider's new user, its account and its session are one write: when the session cannot be stored,
    the callback is a 503 that leaves no user, and the next sign-in with the provider creates it as new."""
    clock.set(datetime.now(UTC))  # the IdP signs id tokens with real time
    dead = RedisStorage.from_url(f"redis://127.0.0.1:{closed_port()}/0", timeout=0.5)
    during = await serve(make_auth(social_providers=[oidc_provider.provider()], secondary_storage=dead))
    back = await oidc_provider.login(await start(during, newUserCallbackURL="/welcome"), login="alice")
    assert_unavailable(await during.get(path_of(back)))
    async with database.session() as db:
        assert (await db.exec(select(User))).all() == []
        assert (await db.exec(select(Account))).all() == []

    live = RedisStorage.from_url(redis_url)
    after = await serve(make_auth(social_providers=[oidc_provider.provider()], secondary_storage=live))
    back = await oidc_provider.login(await start(after, newUserCallbackURL="/welcome"), login="alice")
    answer = await after.get(path_of(back))
    assert answer.headers["location"] == "/welcome", answer.text  # a new user
    assert (await after.get("/me")).json()["email"] == "alice@example.test"


def test_outages_are_told_from_bugs() -> None:
    assert is_outage(ConnectionRefusedError())
    assert is_outage(TimeoutError())
    wrapped = RuntimeError("while looking up")
    wrapped.__cause__ = ConnectionResetError()
    assert is_outage(wrapped)
    assert not is_outage(ValueError("a bug"))
    assert not is_outage(KeyError("token"))


async def test_connection_timeouts_reach_the_drivers() -> None:
    """The configured connect and statement timeouts are the ones asyncpg and redis-py get. (The resilience tests time
    their 503s against a bound with room for a busy machine; this says without a clock that no default is used.)"""
    auth = BetterAuth(
        settings(
            database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/nothing",
            secondary_storage_url=f"redis://127.0.0.1:{closed_port()}/0",
            connections={"database_connect_timeout": 1.25, "database_command_timeout": 2.5, "storage_timeout": 0.75},
        )
    )
    given: dict[str, Any] = {}

    def capture(_dialect: Any, _record: Any, _args: Any, parameters: dict[str, Any]) -> None:
        given.update(parameters)

    event.listen(auth.database.engine.sync_engine, "do_connect", capture)
    with pytest.raises(ConnectionRefusedError):  # the closed port refuses: what matters is what the driver got
        async with auth.database.engine.connect():
            pass
    assert (given["timeout"], given["command_timeout"]) == (1.25, 2.5)
    assert isinstance(auth.storage, RedisStorage)
    pool: Any = auth.storage.client.connection_pool
    timeouts = {key: pool.connection_kwargs[key] for key in ("socket_timeout", "socket_connect_timeout")}
    assert timeouts == {"socket_timeout": 0.75, "socket_connect_timeout": 0.75}
    assert pool.timeout == 0.75  # the wait for a free connection
    await auth.storage.close()
    await auth.database.dispose()


def test_connection_settings_reach_the_engine() -> None:
    auth = BetterAuth(
        settings(
            database_url="postgresql+asyncpg://postgres@127.0.0.1:5432/unused",
            connections={"database_pool_size": 7, "database_pool_timeout": 2, "database_pre_ping": False},
        )
    )
    pool: Any = auth.database.engine.pool
    assert pool.size() == 7
    assert pool.timeout() == 2
    assert pool._pre_ping is False


async def test_a_fail_open_rule_lets_requests_through_a_limiter_outage(
    make_auth: Any, serve: Any, signed_in: dict[str, str]
) -> None:
    """The rate limiter counts in Redis; with Redis unreachable it refuses (503), except on routes whose rule says
    `fail_open`, which are answered, here from the session table."""
    dead = RedisStorage.from_url(f"redis://127.0.0.1:{closed_port()}/0", timeout=0.5)
    open_rule = {"window": 10, "max": 100, "fail_open": True}
    auth = make_auth(
        secondary_storage=dead,
        session={"store_session_in_database": True},
        rate_limit={"enabled": True, "storage": "secondary-storage", "custom_rules": {"/get-session": open_rule}},
    )
    client = await serve(auth)
    client.cookies.update(signed_in)

    assert (await client.get("/api/auth/get-session")).json()["user"]["email"] == "ann@example.com"
    assert_unavailable(await client.post("/api/auth/sign-out"))  # the default rule still fails closed
