"""Helpers shared by the API key tests: apps with keys enabled, signed-in clients, and reading the `apikey` table."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
from sqlmodel import select

from fastapi_betterauth import ApiKey, BetterAuth
from fastapi_betterauth.db.engine import Database

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_up

CREATE = "/api/auth/api-key/create"
GET = "/api/auth/api-key/get"
LIST = "/api/auth/api-key/list"
UPDATE = "/api/auth/api-key/update"
DELETE = "/api/auth/api-key/delete"

KEY_FIELDS = [
    "configId",
    "name",
    "start",
    "referenceId",
    "prefix",
    "refillInterval",
    "refillAmount",
    "lastRefillAt",
    "enabled",
    "rateLimitEnabled",
    "rateLimitTimeWindow",
    "rateLimitMax",
    "requestCount",
    "remaining",
    "lastRequest",
    "expiresAt",
    "createdAt",
    "updatedAt",
    "permissions",
    "metadata",
    "id",
]
"""better-auth's API key JSON, in its order (create adds `key` after `prefix`)."""


def keys_auth(make_auth: AuthFactory, **api_key: Any) -> BetterAuth:
    """A BetterAuth with the `/api-key/*` routes mounted and these `api_key` options."""
    overrides = {key: api_key.pop(key) for key in list(api_key) if key in ("session_enricher", "hooks")}
    return make_auth(plugins={"api_key": {"enabled": True, **api_key}}, **overrides)


async def signed_in(
    auth: BetterAuth, make_client: ConfiguredClientFactory, email: str = "ann@example.com"
) -> tuple[httpx.AsyncClient, str]:
    """A client signed up (and in) as `email`, and the user's id."""
    client = await make_client(auth)
    response = await sign_up(client, email=email)
    assert response.status_code == 200, response.text
    return client, response.json()["user"]["id"]


async def key_client(auth: BetterAuth, make_client: ConfiguredClientFactory, key: str) -> httpx.AsyncClient:
    """A machine client: no cookies, no Origin, only the key header."""
    return await make_client(auth, headers={"x-api-key": key})


async def create_key(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post(CREATE, json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def stored_keys(database: Database) -> list[ApiKey]:
    async with database.session() as db:
        return list((await db.exec(select(ApiKey))).all())


async def stored_key(database: Database, key_id: str) -> ApiKey | None:
    async with database.session() as db:
        return await db.get(ApiKey, key_id)
