"""Shared fixtures: a fresh database per test (SQLite file, or a PostgreSQL database created once per run and
emptied per test), an app with `auth.lifespan` run, and httpx clients at https://testserver that keep cookies."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.message
import email.policy
import inspect
import os
import secrets
import shutil
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword
from aiosmtpd.smtp import Session as SmtpSession
from asgi_lifespan import LifespanManager
from fastapi import Depends, FastAPI
from passlib.context import CryptContext
from sqlalchemy import event, make_url
from sqlmodel import SQLModel

from fastapi_betterauth import (
    AuthSettings,
    BetterAuth,
    CurrentSession,
    CurrentUser,
    ManualClock,
    OptionalUser,
    VerifiedUser,
    fresh_session,
)
from fastapi_betterauth.crypto import passwords
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.schema import shipped_tables
from fastapi_betterauth.storage import MemoryStorage, RedisStorage, SecondaryStorage

from .browser import chromium  # noqa: F401
from .idp_fixture import oidc_provider  # noqa: F401
from .services import (
    MARIADB_HOST,
    MARIADB_PORT,
    POSTGRES_HOST,
    POSTGRES_PORT,
    REDIS_DBS,
    REDIS_HOST,
    REDIS_PORT,
    RedisLease,
    mariadb_url,
    new_mariadb_database,
    postgres_admin,
    postgres_url,
    require,
)

LIFESPAN_TIMEOUTS = {"startup_timeout": 60, "shutdown_timeout": 60}
"""asgi-lifespan's 5 s defaults are too short on a busy 2-core machine (a PostgreSQL connect and the schema check in
start-up); a timeout there leaks the half-opened connections into later tests."""

TEST_CONNECT_TIMEOUT_SECONDS = 30
"""The apps' database connect timeout (3 s by default): on a loaded 2-core machine an event loop waiting for CPU can
see a loopback connect take longer, and a test that is not about outages must not answer 503 for it."""

TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
BASE_URL = "https://testserver"
ORIGIN = {"origin": BASE_URL}
PASSWORD = "correct horse battery"


def _create_auth_tables(url: str) -> None:
    async def create_tables() -> None:
        database = Database(url)
        async with database.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all, tables=list(shipped_tables()))
        await database.dispose()

    asyncio.run(create_tables())


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of this test run, with the auth tables; dropped at the end."""
    require("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    name = f"fba_test_{secrets.token_hex(4)}"
    asyncio.run(postgres_admin(f'CREATE DATABASE "{name}"'))
    url = postgres_url(name)
    _create_auth_tables(url)
    yield url
    asyncio.run(postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def mariadb_database() -> Iterator[str]:
    """A MariaDB database of this test process (each xdist worker has its own), with the auth tables; dropped at the
    end."""
    require("MariaDB", MARIADB_HOST, MARIADB_PORT)
    with new_mariadb_database() as name:
        _create_auth_tables(mariadb_url(name))
        yield mariadb_url(name)


@pytest.fixture
def mariadb_db() -> Iterator[str]:
    """The name of a new, empty MariaDB database (no tables), dropped afterwards: for tests of migrations."""
    require("MariaDB", MARIADB_HOST, MARIADB_PORT)
    with new_mariadb_database("fba_migr") as name:
        yield name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the auth tables, made once per test process; each test gets a copy of it (a byte copy costs
    a few ms, `create_all` on a new file tens of ms: every DDL statement commits and syncs)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "auth.db"

    async def create_tables() -> None:
        database = Database(f"sqlite+aiosqlite:///{path}")
        async with database.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all, tables=list(shipped_tables()))
        await database.dispose()

    asyncio.run(create_tables())
    leftovers = [name for name in ("auth.db-wal", "auth.db-shm") if (path.parent / name).exists()]
    assert not leftovers, f"the template is not checkpointed into one file: {leftovers}"
    return path


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same tests run on SQLite, PostgreSQL and MariaDB (MariaDB: the modules of `MARIADB_SUITES` only, unless
    TEST_MARIADB=all)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}"
    url: str = request.getfixturevalue(f"{request.param}_database")
    return url


CHEAP_ARGON2 = {"argon2__memory_cost": 256, "argon2__rounds": 1}
"""argon2id parameters of the tests that are not about password hashing: the same code path (CryptContext, the
hashing thread pool) for well under a millisecond per hash instead of ~50 ms of CPU at the production cost (m=19456
KiB, t=2), which thousands of sign-ups and sign-ins would spend. Tests of hashing itself (its parameters, rehashing,
timing) are marked `real_password_hashing` and get the production parameters."""


@pytest.fixture
async def _engines_disposed(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """Every `Database` made during an async test (an app's own, built from its settings, included) has its pooled
    connections closed at the end, in the test's own event loop (`pytest_collection_modifyitems` makes every async
    test ask for it first, so it is torn down last). A pool left to the garbage collector is finalised whenever a
    later test happens to collect it, after this loop is closed: the driver's connection then fails to close ("Event
    loop is closed") and pytest reports that in whichever test was running."""
    made: list[Database] = []
    original = Database.__init__

    def recording(self: Database, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Database, "__init__", recording)
    yield
    for database in made:
        # One made and used in another event loop (a CLI command the test ran in a thread, with its own
        # `asyncio.run`) is closed by whoever made it.
        with contextlib.suppress(RuntimeError):
            await database.dispose()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `PasswordHasher` made during the test hashes with `CHEAP_ARGON2`, unless the test is marked
    `real_password_hashing`. Only the cost changes: hashes are still argon2id, verified and rehashed as in
    production."""
    if request.node.get_closest_marker("real_password_hashing") is not None:
        return

    def cheap_context(**options: Any) -> CryptContext:
        return CryptContext(**{**options, **CHEAP_ARGON2})

    monkeypatch.setattr(passwords, "CryptContext", cheap_context)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))


_EMPTY_TABLES = [table for table in reversed(SQLModel.metadata.sorted_tables) if table in shipped_tables()]
"""Children before parents. On tables this small DELETE takes a few ms where TRUNCATE takes 100-200 ms (it makes new
files for every table and index, and waits for an exclusive lock)."""


@pytest.fixture
def _copied_sqlite_file(database_url: str, sqlite_template: Path) -> bool:
    """A SQLite URL whose file does not exist yet becomes a copy of the template: True when that was done."""
    file = make_url(database_url).database if database_url.startswith("sqlite") else None
    if not file or file == ":memory:" or Path(file).exists():
        return False
    shutil.copyfile(sqlite_template, file)
    return True


@pytest.fixture
async def database(database_url: str, _copied_sqlite_file: bool) -> AsyncIterator[Database]:
    """The test's database, empty, with the auth tables: a new SQLite file is a copy of the template, PostgreSQL's
    tables are emptied."""
    database = Database(database_url)
    if not _copied_sqlite_file:
        async with database.engine.begin() as connection:
            if database.is_sqlite:
                await connection.run_sync(SQLModel.metadata.create_all, tables=list(shipped_tables()))
            else:
                for table in _EMPTY_TABLES:
                    await connection.execute(table.delete())
    yield database
    await database.dispose()


def settings(**overrides: Any) -> AuthSettings:
    """Test settings: a fixed secret, https base URL, and any option overrides (nested dicts allowed)."""
    # The rate limiter is on outside development; tests that exercise it turn it on again explicitly.
    values: dict[str, Any] = {
        "secret": TEST_SECRET,
        "url": BASE_URL,
        "environment": "test",
        "rate_limit": {"enabled": False},
        "connections": {"database_connect_timeout": TEST_CONNECT_TIMEOUT_SECONDS},
    }
    values.update(overrides)
    return AuthSettings(**values)


AuthFactory = Callable[..., BetterAuth]
_BETTER_AUTH_ARGUMENTS = set(inspect.signature(BetterAuth.__init__).parameters) - {"self", "settings"}


@pytest.fixture
def session_store() -> str:
    """How sessions are kept: `database` (rows), or `stateless` (encrypted cookies) in the modules that declare
    `SESSION_STORES = ("database", "stateless")`, where each test runs in both (see `pytest_generate_tests`)."""
    return "database"


MARIADB_SUITES = (
    "tests/sessions/",
    "tests/email_password/",
    "tests/api_keys/",
    "tests/verification/",
    "tests/two_factor/",
    "tests/admin/",
    "tests/username/",
    "tests/fields/",
    "tests/plugins/",
    "tests/jwt/",
    "tests/oauth/test_accounts.py",
    "tests/oauth/test_link_social.py",
    "tests/security/test_rate_limit.py",
    "tests/security/test_rate_limit_storage.py",
    "tests/test_migrations.py",
    "tests/test_database_urls.py",
    "tests/test_outages.py",
    "tests/test_string_comparison.py",
)
"""Where the database-parametrized tests run on MariaDB as well: the tests whose SQL differs by database (upserts, row
locks, unique violations, RETURNING, column types, migrations). TEST_MARIADB=all runs every module on it."""


def _off_the_mariadb_suites(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is None or callspec.params.get("database_url") != "mariadb":
        return False
    path = item.nodeid.split("::", 1)[0]
    return not path.startswith(MARIADB_SUITES)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`), the resilience tests go to one worker, all of them, in order: they share
    the run's throwaway PostgreSQL, redis-server and app instances, which a second worker would start again. The
    MariaDB variants of tests outside `MARIADB_SUITES` are deselected (unless TEST_MARIADB=all)."""
    if os.environ.get("TEST_MARIADB") != "all":
        skipped = [item for item in items if _off_the_mariadb_suites(item)]
        if skipped:
            config.hook.pytest_deselected(items=skipped)
            items[:] = [item for item in items if not _off_the_mariadb_suites(item)]
    for item in items:
        if item.get_closest_marker("resilience") is not None:
            item.add_marker(pytest.mark.xdist_group("resilience"))
        # Async tests only: a sync test may run an event loop of its own (Playwright's, `asyncio.run`). Items of one
        # parametrized test share their list of fixture names.
        if (
            isinstance(item, pytest.Function)
            and inspect.iscoroutinefunction(item.function)
            and "_engines_disposed" not in item.fixturenames
        ):
            item.fixturenames.insert(0, "_engines_disposed")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The same behavioural tests run with database and stateless sessions, in modules that say they apply to both
    (`SESSION_STORES`); a test of such a module marked `database_sessions` needs session rows and runs once."""
    stores = getattr(metafunc.module, "SESSION_STORES", ("database",))
    if "session_store" not in metafunc.fixturenames or len(stores) < 2:
        return
    if metafunc.definition.get_closest_marker("database_sessions") is None:
        metafunc.parametrize("session_store", stores)


@pytest.fixture
def make_auth(database: Database, clock: ManualClock, session_store: str) -> AuthFactory:
    """`make_auth(session={"update_age": 0}, hooks=...)` builds a BetterAuth on the test database and clock:
    setting overrides go to `AuthSettings`, BetterAuth's own keyword arguments (hooks, enricher...) to it."""

    def build(**overrides: Any) -> BetterAuth:
        # `plugins` is both: a list of plugin objects is BetterAuth's, a dict of options by id the settings'.
        own = {
            key: overrides.pop(key)
            for key in list(overrides)
            if key in _BETTER_AUTH_ARGUMENTS and not (key == "plugins" and isinstance(overrides[key], dict))
        }
        if session_store != "database":
            overrides["session"] = {"store": session_store, **overrides.get("session", {})}
        return BetterAuth(settings(database_url=str(database.url), **overrides), clock=clock, database=database, **own)

    return build


def build_app(auth: BetterAuth) -> FastAPI:
    """An app like a user's: the auth router plus routes guarded by every provider."""
    app = FastAPI(lifespan=auth.lifespan, exception_handlers=auth.exception_handlers)
    app.include_router(auth.router, prefix="/api/auth")

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, str]:
        return {"id": user.id, "email": user.email}

    @app.get("/maybe")
    async def maybe(user: OptionalUser) -> dict[str, str | None]:
        return {"id": user.id if user else None}

    @app.get("/session")
    async def session(found: CurrentSession) -> dict[str, str]:
        return {"id": found.session.id, "userId": found.user.id}

    @app.post("/fresh", dependencies=[Depends(fresh_session)])
    async def fresh() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/verified")
    async def verified(user: VerifiedUser) -> dict[str, str]:
        return {"id": user.id}

    @app.post("/profile")
    async def profile(user: CurrentUser) -> dict[str, str]:
        return {"id": user.id}

    return app


@pytest.fixture
def auth(make_auth: AuthFactory) -> BetterAuth:
    return make_auth()


@pytest.fixture
def app(auth: BetterAuth) -> FastAPI:
    return build_app(auth)


ClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def make_client(app: FastAPI) -> AsyncIterator[ClientFactory]:
    """New cookie-keeping clients (separate browsers) on one running app."""
    clients: list[httpx.AsyncClient] = []
    async with LifespanManager(app, **LIFESPAN_TIMEOUTS) as manager:

        def new_client(**kwargs: Any) -> httpx.AsyncClient:
            """Like a browser on the app's own origin: it sends `Origin` (pass `headers={}` to send none)."""
            kwargs.setdefault("headers", ORIGIN)
            transport = httpx.ASGITransport(app=manager.app)
            client = httpx.AsyncClient(transport=transport, base_url=BASE_URL, **kwargs)
            clients.append(client)
            return client

        yield new_client
        for client in clients:
            await client.aclose()


@pytest.fixture
def client(make_client: ClientFactory) -> httpx.AsyncClient:
    return make_client()


async def sign_up(
    client: httpx.AsyncClient, email: str = "ann@example.com", password: str = PASSWORD, **extra: Any
) -> httpx.Response:
    body = {"name": "Ann", "email": email, "password": password, **extra}
    return await client.post("/api/auth/sign-up/email", json=body)


async def sign_in(
    client: httpx.AsyncClient, email: str = "ann@example.com", password: str = PASSWORD, **extra: Any
) -> httpx.Response:
    return await client.post("/api/auth/sign-in/email", json={"email": email, "password": password, **extra})


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Raw `Set-Cookie` headers by cookie name (httpx does not check attributes, so tests read them)."""
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


class QueryCounter:
    """Counts SQL statements sent through an engine."""

    def __init__(self, database: Database) -> None:
        self.statements: list[str] = []
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._record)
        self._database = database

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def close(self) -> None:
        event.remove(self._database.engine.sync_engine, "before_cursor_execute", self._record)


@pytest.fixture
def queries(database: Database) -> Iterator[QueryCounter]:
    counter = QueryCounter(database)
    yield counter
    counter.close()


ConfiguredClientFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def make_configured_client(make_auth: AuthFactory) -> AsyncIterator[ConfiguredClientFactory]:
    """`await make_configured_client(email_and_password={"auto_sign_in": False})`: a client of a new app built with
    these option overrides (on the test's database and clock), or `await make_configured_client(auth)` for a
    `BetterAuth` built by the test. Sends `Origin` like `make_client` (pass `headers={}` to send none)."""
    async with AsyncExitStack() as stack:

        async def new_client(
            auth: BetterAuth | None = None, *, headers: Mapping[str, str] = ORIGIN, **overrides: Any
        ) -> httpx.AsyncClient:
            app = build_app(auth if auth is not None else make_auth(**overrides))
            manager = await stack.enter_async_context(LifespanManager(app, **LIFESPAN_TIMEOUTS))
            transport = httpx.ASGITransport(app=manager.app)
            client = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers)
            return await stack.enter_async_context(client)

        yield new_client


# --- Secondary storage: a Redis database of this test process (flushed before each test), and a storage fixture
# over memory and Redis ---


@pytest.fixture(scope="session")
def redis_lease() -> Iterator[RedisLease]:
    """The Redis database this test process took from the pool (tests/services.py `RedisLease`), held to the end."""
    require("Redis", REDIS_HOST, REDIS_PORT)
    lease = RedisLease(REDIS_HOST, REDIS_PORT, REDIS_DBS)
    yield lease
    lease.release()


@pytest.fixture
def redis_url(redis_lease: RedisLease) -> str:
    """This process's Redis database, emptied. Skips (or fails with REQUIRE_SERVICES=1) when Redis is not reachable."""
    require("Redis", REDIS_HOST, REDIS_PORT)
    url = redis_lease.url
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
    return url


@pytest.fixture(params=["memory", "redis"])
async def storage(request: pytest.FixtureRequest, clock: ManualClock) -> AsyncIterator[SecondaryStorage]:
    """A fresh secondary storage: `MemoryStorage` on the test clock, or `RedisStorage` on this process's flushed Redis
    database."""
    backend: SecondaryStorage
    if request.param == "memory":
        backend = MemoryStorage(clock)
    else:
        backend = RedisStorage.from_url(request.getfixturevalue("redis_url"))
    yield backend
    await backend.close()


# --- SMTP: a real aiosmtpd server on 127.0.0.1 (OS-assigned port) that keeps what it receives ---

SMTP_USERNAME = "mailer"
SMTP_PASSWORD = "smtp-password-for-tests"


class _LoopbackController(Controller):
    """aiosmtpd's threaded controller, bound to port 0: the OS picks the port, which is read back once bound."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpEnvelope:
    """The SMTP envelope of a received message, and the user it logged in as (None: no AUTH)."""

    def __init__(self, mail_from: str, rcpt_tos: list[str], login: str | None) -> None:
        self.mail_from = mail_from
        self.rcpt_tos = rcpt_tos
        self.login = login


class SmtpServer:
    """A real SMTP server in its own thread. It accepts every sender and recipient, offers AUTH PLAIN/LOGIN
    (`SMTP_USERNAME`/`SMTP_PASSWORD`) without requiring it or TLS, and parses each message into `messages`
    (with its SMTP envelope in `envelopes`). Pass `tls_context` to offer STARTTLS, or `implicit_tls` to speak TLS
    from the first byte."""

    host = "127.0.0.1"

    def __init__(
        self, tls_context: ssl.SSLContext | None = None, *, implicit_tls: bool = False, require_starttls: bool = False
    ) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[SmtpEnvelope] = []
        self._arrived = threading.Condition()
        options: dict[str, Any] = {"ssl_context": tls_context} if implicit_tls else {"tls_context": tls_context}
        self._controller = _LoopbackController(
            self,
            hostname=self.host,
            port=0,
            server_hostname="smtp.test",
            authenticator=self._authenticate,
            auth_require_tls=False,
            require_starttls=require_starttls,
            **options,
        )

    @property
    def port(self) -> int:
        port: int = self._controller.port
        return port

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def reset(self) -> None:
        """Forget what was received."""
        with self._arrived:
            self.messages.clear()
            self.envelopes.clear()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[email.message.EmailMessage]:
        """Block until `count` messages have arrived (fails the test after `timeout` seconds). For sync tests; an
        async test must use `await received(count)`, or the sends it waits for could never run."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                pytest.fail(f"expected {count} email(s) within {timeout}s, got {len(self.messages)}")
            return list(self.messages)

    async def received(self, count: int, timeout: float = 5.0) -> list[email.message.EmailMessage]:  # noqa: ASYNC109
        """`wait_for` without blocking the event loop."""
        return await asyncio.to_thread(self.wait_for, count, timeout)

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        with self._arrived:
            self.envelopes.append(SmtpEnvelope(envelope.mail_from or "", list(envelope.rcpt_tos), login))
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def _authenticate(
        self, server: SMTP, session: SmtpSession, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        valid = isinstance(auth_data, LoginPassword) and auth_data == (SMTP_USERNAME.encode(), SMTP_PASSWORD.encode())
        return AuthResult(success=valid, handled=False, auth_data=auth_data if valid else None)


@pytest.fixture(scope="session")
def _smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(_smtp_server: SmtpServer) -> SmtpServer:
    """The run's SMTP server (started once), emptied for this test: `.host`, `.port`, `.messages`, `.envelopes`,
    `.wait_for(n)` in sync tests and `await .received(n)` in async ones."""
    _smtp_server.reset()
    return _smtp_server
