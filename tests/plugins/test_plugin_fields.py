"""A plugin written here, outside the package, adds a `user` column through its own Alembic branch and declares it
as a field (`Plugin.user_fields`): the column is migrated, carried on `User`, answered by get-session, set by the
plugin's route through `context.users.update`, and read by its sign-in stage. Plus the app's own typed view of the
user (`UserView`) over the same values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Annotated, Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Depends, FastAPI, Request, Response

from fastapi_betterauth import AuthError, BetterAuth, Plugin, PluginOptions, UserView, user_view
from fastapi_betterauth.routing import AuthRouter, parse_body
from fastapi_betterauth.schemas import RequestBody
from fastapi_betterauth.sessions.deps import require_session
from fastapi_betterauth.sessions.issuer import SignInAttempt, SignInStage

from ..conftest import BASE_URL, ORIGIN, PASSWORD, settings
from ..test_migrations import fresh_url, postgres_db

__all__ = ["fresh_url", "postgres_db"]  # fixtures, used by name


class GreetingBody(RequestBody):
    greeting: str


class Greeter(Plugin[PluginOptions]):
    id = "greeter"
    options_model = PluginOptions
    migrations = Path(__file__).parent / "greeter_migrations"  # adds `user.greeting`
    user_fields = {"greeting": {"type": "string", "required": False, "input": False}}
    error_codes = {"GREETING_BLOCKED": "This greeting may not sign in."}

    def router(self) -> APIRouter:
        router = AuthRouter()

        @router.post("/greeter/set")
        async def set_greeting(request: Request, response: Response) -> dict[str, Any]:
            found = await require_session(request, response)
            body = await parse_body(request, GreetingBody, max_bytes=4096)
            user = await self.context.users.update(found.user, {"greeting": body.greeting})
            return {"greeting": user.greeting}  # type: ignore[attr-defined]

        return router

    def sign_in_stages(self) -> tuple[SignInStage, ...]:
        async def blocked(attempt: SignInAttempt) -> None:
            if getattr(attempt.user, "greeting", None) == "blocked":
                raise AuthError("GREETING_BLOCKED", 403, self.error_codes["GREETING_BLOCKED"])

        return (blocked,)


class AppUser(UserView):
    greeting: str | None = None
    plan: str


@pytest.fixture
async def client(fresh_url: str) -> AsyncIterator[httpx.AsyncClient]:
    auth = BetterAuth(
        settings(
            database_url=fresh_url, user={"additional_fields": {"plan": {"type": "string", "defaultValue": "free"}}}
        ),
        plugins=[Greeter()],
    )
    await auth.migrate()
    app = FastAPI(lifespan=auth.lifespan, exception_handlers=auth.exception_handlers)
    app.include_router(auth.router, prefix="/api/auth")

    @app.get("/me")
    async def me(user: Annotated[AppUser, Depends(user_view(AppUser))]) -> dict[str, Any]:
        return {"greeting": user.greeting, "plan": user.plan, "email": user.email}

    async with AsyncExitStack() as stack:
        manager = await stack.enter_async_context(LifespanManager(app))
        transport = httpx.ASGITransport(app=manager.app)
        yield await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN))


async def test_a_plugins_column_is_carried_answered_and_read_by_its_stage(client: httpx.AsyncClient) -> None:
    body = {"name": "Ann", "email": "ann@example.com", "password": PASSWORD}
    signed_up = await client.post("/api/auth/sign-up/email", json=body)
    assert signed_up.json()["user"]["greeting"] is None

    refused = await client.post("/api/auth/update-user", json={"greeting": "hello"})  # input: false
    set_by_plugin = await client.post("/api/auth/greeter/set", json={"greeting": "hello"})
    found = (await client.get("/api/auth/get-session")).json()
    me = (await client.get("/me")).json()

    assert refused.json()["code"] == "FIELD_NOT_ALLOWED"
    assert set_by_plugin.json() == {"greeting": "hello"}
    assert found["user"]["greeting"] == "hello"
    assert me == {"greeting": "hello", "plan": "free", "email": "ann@example.com"}

    await client.post("/api/auth/greeter/set", json={"greeting": "blocked"})
    await client.post("/api/auth/sign-out")
    blocked = await client.post("/api/auth/sign-in/email", json={"email": "ann@example.com", "password": PASSWORD})
    assert blocked.status_code == 403
    assert blocked.json() == {"code": "GREETING_BLOCKED", "message": "This greeting may not sign in."}


async def test_the_typed_view_needs_a_session(client: httpx.AsyncClient) -> None:
    answer = await client.get("/me")

    assert answer.status_code == 401


def test_a_plugin_and_the_app_may_not_declare_one_field(fresh_url: str) -> None:
    from fastapi_betterauth.fields import FieldDeclarationError

    clash = settings(database_url=fresh_url, user={"additional_fields": {"greeting": {"type": "string"}}})
    with pytest.raises(FieldDeclarationError, match="declared by both the settings and plugin 'greeter'"):
        BetterAuth(clash, plugins=[Greeter()])
