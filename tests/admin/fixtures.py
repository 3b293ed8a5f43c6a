"""An app with the admin and username plugins switched on from environment settings alone, migrated, served over
HTTP (SQLite and PostgreSQL), its clock in the test's hands; and an admin made as an operator makes the first one
(a signed-up user whose role is set to `admin` in the database)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from fastapi_betterauth import AuthSettings, BetterAuth
from fastapi_betterauth.admin import Admin
from fastapi_betterauth.clock import ManualClock

from ..conftest import BASE_URL, ORIGIN, PASSWORD, TEST_SECRET

SESSION_COOKIE = "__Secure-better-auth.session_token"  # the test app is served over https
ADMIN_SESSION_COOKIE = "__Secure-better-auth.admin_session"
DONT_REMEMBER_COOKIE = "__Secure-better-auth.dont_remember"
Client = Callable[[], httpx.AsyncClient]

ENVIRONMENT = {
    "BETTER_AUTH_PLUGINS__ADMIN__ENABLED": "true",
    "BETTER_AUTH_PLUGINS__USERNAME__ENABLED": "true",
    "BETTER_AUTH_SECRET": TEST_SECRET,
    "BETTER_AUTH_URL": BASE_URL,
    "BETTER_AUTH_ENVIRONMENT": "test",
    "BETTER_AUTH_RATE_LIMIT__ENABLED": "false",
    "BETTER_AUTH_PASSWORD_HASHING__ARGON2__MEMORY_COST": "256",
    "BETTER_AUTH_PASSWORD_HASHING__ARGON2__ROUNDS": "1",
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def admin_env() -> dict[str, str]:
    """More environment settings for the app (a test overrides this fixture to configure the plugin)."""
    return {}


@pytest.fixture
async def auth(
    monkeypatch: pytest.MonkeyPatch, fresh_url: str, clock: ManualClock, admin_env: dict[str, str]
) -> BetterAuth:
    for name, value in {**ENVIRONMENT, "BETTER_AUTH_DATABASE_URL": fresh_url, **admin_env}.items():
        monkeypatch.setenv(name, value)
    auth = BetterAuth(AuthSettings(), clock=clock)
    await auth.migrate()
    return auth


@pytest.fixture
async def app(auth: BetterAuth) -> FastAPI:
    app = FastAPI(lifespan=auth.lifespan, exception_handlers=auth.exception_handlers)
    app.include_router(auth.router, prefix="/api/auth")
    return app


@pytest.fixture
async def new_client(app: FastAPI) -> AsyncIterator[Client]:
    clients: list[httpx.AsyncClient] = []
    async with LifespanManager(app) as manager:

        def make() -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=manager.app)
            client = httpx.AsyncClient(transport=transport, base_url=BASE_URL + "/api/auth", headers=ORIGIN)
            clients.append(client)
            return client

        yield make
        for client in clients:
            await client.aclose()


@dataclass
class Person:
    id: str
    email: str
    client: httpx.AsyncClient


async def sign_up(new_client: Client, email: str, **extra: Any) -> Person:
    client = new_client()
    body = {"name": "Someone", "email": email, "password": PASSWORD, **extra}
    answer = await client.post("/sign-up/email", json=body)
    assert answer.status_code == 200, answer.text
    return Person(answer.json()["user"]["id"], email, client)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/sign-in/email", json={"email": email, "password": password})


@pytest.fixture
async def admin(auth: BetterAuth, new_client: Client) -> Person:
    """A signed-in admin: signed up, then given the role `admin` in the database, as README "Admin" tells operators
    to make the first one."""
    person = await sign_up(new_client, "admin@example.com")
    user = await auth.users.get(person.id)
    assert user is not None
    await auth.users.update(user, {"role": "admin"})
    return person


@pytest.fixture
async def user(new_client: Client) -> Person:
    return await sign_up(new_client, "user@example.com")


def error(response: httpx.Response) -> tuple[int, str | None]:
    return response.status_code, response.json().get("code")


def admin_plugin(auth: BetterAuth) -> Admin:
    return auth.plugin(Admin)
