"""`require_permission`: an app's own route guarded by the admin plugin's roles answers 401 without a session, 403
`PERMISSION_DENIED` without the permission, and the session with it; a role taken away counts at once."""

from __future__ import annotations

from typing import Annotated, Any

import httpx2 as httpx
import pytest
from fastapi import Depends, FastAPI

from fastapi_betterauth.admin import require_permission
from fastapi_betterauth.sessions.service import AuthSession

from ..conftest import BASE_URL
from ..test_migrations import fresh_url, postgres_db
from .fixtures import Client, Person, admin, admin_env, app, auth, clock, new_client, user

__all__ = ["admin", "admin_env", "app", "auth", "clock", "fresh_url", "new_client", "postgres_db", "user"]

CanList = Annotated[AuthSession, Depends(require_permission({"user": ["list"]}))]


@pytest.fixture
async def guarded(app: FastAPI, new_client: Client) -> FastAPI:
    @app.get("/reports")
    async def reports(session: CanList) -> dict[str, Any]:
        return {"for": session.user.id}

    return app


async def test_require_permission_guards_an_app_route(
    guarded: FastAPI, new_client: Client, admin: Person, user: Person
) -> None:
    """The route is served by the app the clients talk to (`new_client`'s, running)."""

    async def get(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get(BASE_URL + "/reports")

    nobody = await get(new_client())
    assert (nobody.status_code, nobody.json()["code"]) == (401, "UNAUTHORIZED")
    denied = await get(user.client)
    assert (denied.status_code, denied.json()["code"]) == (403, "PERMISSION_DENIED")
    allowed = await get(admin.client)
    assert allowed.json() == {"for": admin.id}
    await admin.client.post("/admin/set-role", json={"userId": user.id, "role": "admin"})
    assert (await get(user.client)).status_code == 200
    await admin.client.post("/admin/set-role", json={"userId": user.id, "role": "user"})
    assert (await get(user.client)).status_code == 403
