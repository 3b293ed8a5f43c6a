"""One PostgreSQL database shared by a real Node better-auth app and ours, migrated by either first.

`interop` (session scope) makes two databases: `node-first`, which better-auth's own migrator creates and our
`auth.migrate()` then adopts (what the example app does at start-up), and `ours-first`, which our migrate creates and
better-auth's migrator then finds (its plan is kept for the tests). One Node process serves the better-auth
instances below; our app runs in-process (httpx's ASGI transport) with the same secret and cookie prefix.

| name      | database   | secrets                  | cookie cache |
|-----------|------------|--------------------------|--------------|
| plain     | node-first | SECRET                   | off          |
| plain     | ours-first | SECRET                   | off          |
| compact, jwt, jwe | node-first | SECRET           | that strategy |
| rotated   | node-first | 2:NEW_SECRET, 1:SECRET   | jwe          |
| hashed    | node-first | SECRET                   | off          |

Every Node instance runs magic links and email codes; `hashed` stores them hashed (`storeToken` / `storeOTP:
"hashed"`), the others plain (better-auth's default). Ours always stores them hashed.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import Depends, FastAPI

from fastapi_betterauth import BetterAuth, VerifiedApiKey, api_key
from fastapi_betterauth.db.migrate import MigrationResult

from ..conftest import build_app, settings
from ..services import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, postgres_admin, postgres_url, require
from .node import NodeAppConfig, NodeApps, run_node_apps
from .support import HERE_URL, JWT_ISSUER, ROTATED, SECRET, STRATEGIES, Side

ORDERS = ("node-first", "ours-first")
CACHE_MAX_AGE = 300


@dataclass(frozen=True)
class Interop:
    """The running Node app, the shared databases by order ("node-first", "ours-first"), and what each migrator
    did to the database the other one made."""

    node: NodeApps
    databases: dict[str, str]
    """PostgreSQL database names."""
    adoption: MigrationResult
    """What our migrate did on the database better-auth's migrator made."""
    node_plans: dict[str, dict[str, Any]]
    """better-auth's migration plan for each database, by order: on "ours-first" it ran on what our migrate made."""
    node_outbox: Path
    """Where every Node instance mails its verification links (JSON lines: app, to, url, token)."""
    our_outbox: Path
    """Where our app mails (`email.outbox`)."""

    def url(self, order: str) -> str:
        return postgres_url(self.databases[order])

    def node_app(self, variant: str, order: str = "node-first") -> str:
        return self.node.urls[node_app_name(variant, order)]


def node_app_name(variant: str, order: str) -> str:
    return f"{variant}@{order}"


def _node_url(database: str) -> str:
    return f"postgres://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{database}"


def our_settings(variant: str, database_url: str) -> dict[str, Any]:
    """Our app configured like the Node instance `variant` (see the module docstring)."""
    values: dict[str, Any] = {
        "url": HERE_URL,
        "database_url": database_url,
        "shared_with_node": True,
        "plugins": {
            "api_key": {"enabled": True},
            "two_factor": {"enabled": True, "otp_enabled": False, "issuer": "fastapi-betterauth-interop"},
            "magic_link": {"enabled": True},
            "email_otp": {"enabled": True},
            "jwt": {"enabled": True, "issuer": JWT_ISSUER, "audience": JWT_ISSUER},
            "organization": {"enabled": True, "teams": {"enabled": True}},
        },
        # As the Node instances: provider tokens encrypted, GitHub configured (no request ever reaches it).
        "social": {
            "encrypt_oauth_tokens": True,
            "github": {"client_id": "interop-github-client", "client_secret": "interop-github-secret"},
        },
        # Hashing at normal priority: on a busy CI machine, niced hashing threads would only measure the other load.
        "email_and_password": {"password_hash_nice": 0},
    }
    if variant == "rotated":
        values["secret"] = None
        values["secrets"] = [f"{version}:{value}" for version, value in ROTATED]
    else:
        values["secret"] = SECRET
    strategy = "jwe" if variant == "rotated" else variant
    if strategy in STRATEGIES:
        values["session"] = {"cookie_cache": {"enabled": True, "strategy": strategy, "max_age": CACHE_MAX_AGE}}
    return values


def _node_apps(databases: dict[str, str]) -> list[NodeAppConfig]:
    apps = [NodeAppConfig(node_app_name("plain", order), _node_url(databases[order]), SECRET) for order in ORDERS]
    node_first = _node_url(databases["node-first"])
    for strategy in STRATEGIES:
        cache = {"strategy": strategy, "maxAge": CACHE_MAX_AGE}
        apps.append(NodeAppConfig(node_app_name(strategy, "node-first"), node_first, SECRET, cookie_cache=cache))
    cache = {"strategy": "jwe", "maxAge": CACHE_MAX_AGE}
    apps.append(NodeAppConfig(node_app_name("rotated", "node-first"), node_first, secrets=ROTATED, cookie_cache=cache))
    apps.append(NodeAppConfig(node_app_name("hashed", "node-first"), node_first, SECRET, store_hashed=True))
    return apps


async def _migrate_at_start_up(database_url: str) -> MigrationResult:
    """What the example app does before serving: `await auth.migrate()`."""
    auth = BetterAuth(settings(**our_settings("plain", database_url)))
    try:
        return await auth.migrate()
    finally:
        await auth.database.dispose()


@pytest.fixture(scope="session")
def interop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Interop]:
    require("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    suffix = secrets.token_hex(4)
    databases = {order: f"ba_shared_{order.replace('-', '_')}_{suffix}" for order in ORDERS}
    for name in databases.values():
        asyncio.run(postgres_admin(f'CREATE DATABASE "{name}"'))
    try:
        assert not asyncio.run(_migrate_at_start_up(postgres_url(databases["ours-first"]))).adopted
        folder = tmp_path_factory.mktemp("node-app")
        migrate = [_node_url(databases[order]) for order in ORDERS]
        with run_node_apps(_node_apps(databases), migrate, folder / "server.log", folder / "node-outbox.jsonl") as node:
            adoption = asyncio.run(_migrate_at_start_up(postgres_url(databases["node-first"])))
            plans = {order: node.migrations[_node_url(databases[order])] for order in ORDERS}
            yield Interop(node, databases, adoption, plans, folder / "node-outbox.jsonl", folder / "our-outbox.jsonl")
    finally:
        for name in databases.values():
            asyncio.run(postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=ORDERS)
def order(request: pytest.FixtureRequest) -> str:
    """Which migrator made the shared database: the same behaviour must hold either way."""
    param: str = request.param
    return param


NodeFactory = Callable[..., Side]
HereFactory = Callable[..., Awaitable[Side]]


@pytest.fixture
async def node(interop: Interop) -> AsyncIterator[NodeFactory]:
    """`node("jwe")`, `node("plain", order)`: a client of that better-auth instance."""
    async with AsyncExitStack() as stack:

        def side(variant: str = "plain", order: str = "node-first") -> Side:
            url = interop.node_app(variant, order)
            client = httpx.AsyncClient(base_url=url, timeout=10)
            stack.push_async_callback(client.aclose)
            return Side(f"node:{variant}", client, url)

        yield side


def our_app(auth: BetterAuth) -> FastAPI:
    """The test suite's app (tests/conftest.py) plus a route that requires an API key."""
    app = build_app(auth)

    @app.get("/key-owner")
    async def key_owner(verified: Annotated[VerifiedApiKey, Depends(api_key())]) -> dict[str, str]:
        return {"userId": verified.user.id, "keyId": verified.key.id}

    return app


@pytest.fixture
async def here(interop: Interop) -> AsyncIterator[HereFactory]:
    """`await here("jwe")`, `await here("plain", order)`: a client of our app configured like that Node instance,
    on the same database (its lifespan runs until the test ends)."""
    async with AsyncExitStack() as stack:

        async def side(variant: str = "plain", order: str = "node-first") -> Side:
            auth = BetterAuth(
                settings(**our_settings(variant, interop.url(order)), email={"outbox": str(interop.our_outbox)})
            )
            manager = await stack.enter_async_context(LifespanManager(our_app(auth)))
            transport = httpx.ASGITransport(app=manager.app)
            client = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url=HERE_URL))
            return Side(f"here:{variant}", client, HERE_URL)

        yield side
