"""`fastapi_betterauth.testing`, the helpers for the tests of apps built on the toolkit
(docs/front-ends.md#testing-your-app), used here as an app's own tests would use them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi import FastAPI

from fastapi_betterauth import BetterAuth, CurrentUser, User, current_user
from fastapi_betterauth.db.migrate import upgrade
from fastapi_betterauth.testing import auth_client, sign_up

from .conftest import settings


@pytest.fixture
async def my_app(tmp_path: Path) -> tuple[FastAPI, BetterAuth]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    await asyncio.to_thread(upgrade, url)
    auth = BetterAuth(settings(database_url=url))
    app = FastAPI(lifespan=auth.lifespan, exception_handlers=auth.exception_handlers)
    app.include_router(auth.router, prefix="/api/auth")

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, str]:
        return {"email": user.email}

    @app.post("/notes")
    async def add_note(user: CurrentUser) -> dict[str, str]:
        return {"by": user.id}

    return app, auth


async def test_the_client_keeps_the_session_and_passes_the_origin_check(my_app: tuple[FastAPI, BetterAuth]) -> None:
    """docs/security.md C5: an unsafe request signed in by cookie needs a trusted Origin; the client sends the app's."""
    app, auth = my_app
    async with auth_client(app, auth) as client:
        assert (await client.get("/me")).status_code == 401
        body = await sign_up(client, "ann@example.com")
        assert (await client.get("/me")).json() == {"email": "ann@example.com"}
        assert (await client.post("/notes")).json() == {"by": body["user"]["id"]}
    async with auth_client(app, auth, origin="https://elsewhere.example") as stranger:
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await sign_up(stranger, "bob@example.com")
        assert refused.value.response.status_code == 403


async def test_a_provider_can_be_overridden_without_signing_in(my_app: tuple[FastAPI, BetterAuth]) -> None:
    app, auth = my_app
    app.dependency_overrides[current_user] = lambda: User(id="u1", name="Test", email="t@example.com")
    async with auth_client(app, auth) as client:
        assert (await client.get("/me")).json() == {"email": "t@example.com"}
        assert (await client.post("/notes")).json() == {"by": "u1"}
