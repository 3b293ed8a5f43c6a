"""An app with the organization plugin (teams on) switched on from environment settings alone, migrated, served over
HTTP (SQLite and PostgreSQL), its clock in the test's hands, its mails in a file outbox; and people signed up on it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.clock import ManualClock
from fastapi_betterauth.organization import Organization

from ..conftest import PASSWORD
from ..env_app import Client, auth_app, browsers, env_auth

ENVIRONMENT = {
    "BETTER_AUTH_PLUGINS__ORGANIZATION__ENABLED": "true",
    "BETTER_AUTH_PLUGINS__ORGANIZATION__TEAMS__ENABLED": "true",
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def org_env() -> dict[str, str]:
    """More environment settings for the app (a test overrides this fixture to configure the plugin)."""
    return {}


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox.jsonl"


@pytest.fixture
async def auth(
    monkeypatch: pytest.MonkeyPatch, fresh_url: str, clock: ManualClock, org_env: dict[str, str], outbox: Path
) -> BetterAuth:
    environment = {**ENVIRONMENT, "BETTER_AUTH_EMAIL__OUTBOX": str(outbox), **org_env}
    auth = env_auth(monkeypatch, fresh_url, environment, clock=clock)
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

    async def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(f"/organization/{path}", json=body)

    async def ok(self, path: str, body: dict[str, Any]) -> Any:
        answer = await self.post(path, body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def session(self) -> dict[str, Any]:
        answer = await self.client.get("/get-session")
        assert answer.status_code == 200, answer.text
        session: dict[str, Any] = answer.json()["session"]
        return session


async def sign_up(new_client: Client, email: str) -> Person:
    client = new_client()
    answer = await client.post(
        "/sign-up/email", json={"name": email.split("@")[0], "email": email, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return Person(answer.json()["user"]["id"], email, client)


@pytest.fixture
async def owner(new_client: Client) -> Person:
    return await sign_up(new_client, "owner@example.com")


async def create_org(person: Person, slug: str = "acme", **extra: Any) -> dict[str, Any]:
    created: dict[str, Any] = await person.ok("create", {"name": "Acme", "slug": slug, **extra})
    return created


async def join(inviter: Person, invitee: Person, organization_id: str, role: str = "member") -> dict[str, Any]:
    """Invite `invitee` into the organization with `role` and accept: the member object."""
    invitation = await inviter.ok(
        "invite-member", {"email": invitee.email, "role": role, "organizationId": organization_id}
    )
    accepted = await invitee.ok("accept-invitation", {"invitationId": invitation["id"]})
    member: dict[str, Any] = accepted["member"]
    return member


def mails(outbox: Path, kind: str = "organization-invitation") -> list[dict[str, Any]]:
    if not outbox.exists():
        return []
    lines = [json.loads(line) for line in outbox.read_text().splitlines() if line.strip()]
    return [line for line in lines if line["type"] == kind]


def error(response: httpx.Response) -> tuple[int, str | None]:
    return response.status_code, response.json().get("code") if response.content else None


def plugin(auth: BetterAuth) -> Organization:
    return auth.plugin(Organization)
