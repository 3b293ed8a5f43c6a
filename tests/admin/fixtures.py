"""An app with the admin and username plugins switched on from environment settings alone, migrated, served over
HTTP (SQLite and PostgreSQL), its clock in the test's hands; and an admin made as an operator makes the first one
(a signed-up user whose role is set to `admin` in the database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.admin import Admin
from fastapi_betterauth.clock import ManualClock

from ..conftest import PASSWORD
from ..env_app import Client, auth_app, browsers, env_auth

SESSION_COOKIE = "__Secure-better-auth.session_token"  # the test app is served over https
ADMIN_SESSION_COOKIE = "__Secure-better-auth.admin_session"
DONT_REMEMBER_COOKIE = "__Secure-better-auth.dont_remember"

ENVIRONMENT = {"BETTER_AUTH_PLUGINS__ADMIN__ENABLED": "true", "BETTER_AUTH_PLUGINS__USERNAME__ENABLED": "true"}


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
    auth = env_auth(monkeypatch, fresh_url, {**ENVIRONMENT, **admin_env}, clock=clock)
    await auth.migrate()
    return auth


@pytest.fixture
async def app(auth: BetterAuth) -> FastAPI:
    return auth_app(auth)


@pytest.fixture
async def new_client(app: FastAPI) -> AsyncIterator[Client]:
    async with browsers(app) as make:
        yield make


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
    """A signed-in admin: signed up, then given the role `admin` in the database, as docs/plugins/admin.md tells
    operators to make the first one."""
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


def admin_events(caplog: pytest.LogCaptureFixture) -> list[tuple[str, dict[str, Any]]]:
    """The `admin.*` audit events logged so far (docs/security.md L7), with their fields."""
    return [
        (getattr(record, "auth_event"), getattr(record, "auth_fields"))  # noqa: B009 (set by the audit logger)
        for record in caplog.records
        if record.name == "fastapi_betterauth.audit" and getattr(record, "auth_event", "").startswith("admin.")
    ]
