"""An app configured the way a deployment configures it, by environment settings alone (plugins switched on with
`BETTER_AUTH_PLUGINS__<ID>__ENABLED`), and browsers on it: what the built-in plugins' tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from fastapi_betterauth import AuthSettings, BetterAuth

from .conftest import BASE_URL, LIFESPAN_TIMEOUTS, ORIGIN, TEST_CONNECT_TIMEOUT_SECONDS, TEST_SECRET

Client = Callable[[], httpx.AsyncClient]
"""A new browser on the app's auth routes (`client.post("/sign-up/email", ...)`), sending the app's `Origin`."""

TEST_ENVIRONMENT = {
    "BETTER_AUTH_SECRET": TEST_SECRET,
    "BETTER_AUTH_URL": BASE_URL,
    "BETTER_AUTH_ENVIRONMENT": "test",
    "BETTER_AUTH_RATE_LIMIT__ENABLED": "false",
    "BETTER_AUTH_PASSWORD_HASHING__ARGON2__MEMORY_COST": "256",
    "BETTER_AUTH_PASSWORD_HASHING__ARGON2__ROUNDS": "1",
    "BETTER_AUTH_CONNECTIONS__DATABASE_CONNECT_TIMEOUT": str(TEST_CONNECT_TIMEOUT_SECONDS),
}
"""What every such app gets: the test secret and URL, no rate limits, cheap password hashing, a connect timeout for
a loaded machine."""


def env_auth(
    monkeypatch: pytest.MonkeyPatch, database_url: str, environment: Mapping[str, str], **arguments: Any
) -> BetterAuth:
    """A `BetterAuth` whose settings are read from the environment (`TEST_ENVIRONMENT`, the database, then
    `environment`); `arguments` are BetterAuth's own (`clock=`, `email_templates=`...)."""
    for name, value in {**TEST_ENVIRONMENT, "BETTER_AUTH_DATABASE_URL": database_url, **environment}.items():
        monkeypatch.setenv(name, value)
    return BetterAuth(AuthSettings(), **arguments)


def auth_app(auth: BetterAuth) -> FastAPI:
    """An app serving `auth`'s routes under `/api/auth`."""
    app = FastAPI(lifespan=auth.lifespan, exception_handlers=auth.exception_handlers)
    app.include_router(auth.router, prefix="/api/auth")
    return app


@asynccontextmanager
async def browsers(app: FastAPI) -> AsyncIterator[Client]:
    """The app started, and a maker of browsers on its auth routes (closed at the end)."""
    clients: list[httpx.AsyncClient] = []
    async with LifespanManager(app, **LIFESPAN_TIMEOUTS) as manager:

        def make() -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=manager.app)
            client = httpx.AsyncClient(transport=transport, base_url=BASE_URL + "/api/auth", headers=ORIGIN)
            clients.append(client)
            return client

        try:
            yield make
        finally:
            for client in clients:
                await client.aclose()
