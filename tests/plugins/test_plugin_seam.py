"""A plugin written outside the package plugs into a running app through `BetterAuth(plugins=[...])` alone: its
options (from code or the environment), a route behind the auth router's checks, an error code, a rate-limit rule,
a session made from its own credential, clean-up when a user is deleted, and a call when a user secures their
account. The built-in API-key plugin is switched on from settings alone."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import Field
from sqlalchemy import delete, func, select
from sqlmodel import Field as ModelField
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from fastapi_betterauth import (
    ApiKeys,
    AuthContext,
    AuthError,
    AuthSettings,
    BetterAuth,
    Plugin,
    PluginOptions,
    RateLimitRule,
    Session,
)
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.plugins import PluginSettingsError, UserCleanup
from fastapi_betterauth.routing import AuthRouter
from fastapi_betterauth.security.ratelimit import RuleValue
from fastapi_betterauth.sessions.deps import SessionSource, require_session
from fastapi_betterauth.sessions.service import AuthSession

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_up


class Greeting(SQLModel, table=True):
    """The plugin's own rows of a user (no foreign key: deleted by its clean-up)."""

    __tablename__ = "test_plugin_greeting"

    id: int | None = ModelField(default=None, primary_key=True)
    user_id: str


class GreeterOptions(PluginOptions):
    greeting: str = "hello"
    shout: bool = False
    allowed_names: list[str] = Field(default_factory=list)


class Greeter(Plugin[GreeterOptions]):
    id = "greeter"
    options_model = GreeterOptions
    error_codes = {"GREETING_REFUSED": "This name is not greeted here."}

    def __init__(self, options: GreeterOptions | None = None) -> None:
        super().__init__(options)
        self.secured: list[str] = []
        """The users who secured their account, in order."""

    def router(self) -> APIRouter:
        router = AuthRouter(tags=["greeter"])
        context = self.context

        @router.post("/greeter/greet")
        async def greet(request: Request, response: Response) -> dict[str, Any]:
            found = await require_session(request, response)
            allowed = self.options.allowed_names
            if allowed and found.user.name not in allowed:
                raise AuthError("GREETING_REFUSED", 403, self.error_codes["GREETING_REFUSED"])
            async with context.database.session() as db, db.begin():
                db.add(Greeting(user_id=found.user.id))
            text = f"{self.options.greeting}, {found.user.name}"
            return {"greeting": text.upper() if self.options.shout else text, "source": found.source}

        return router

    def rate_limit_rules(self) -> dict[str, RuleValue]:
        return {"/greeter/*": RateLimitRule(window=60, max=2)}

    def session_sources(self) -> Sequence[SessionSource]:
        return (_PassphraseSessions(self),)

    def user_cleanups(self) -> Sequence[UserCleanup]:
        async def forget(db: AsyncSession, user_id: str) -> None:
            await db.exec(delete(Greeting).where(Greeting.user_id == user_id))  # type: ignore[call-overload,arg-type]

        return (forget,)

    async def on_account_secured(self, user_id: str) -> None:
        self.secured.append(user_id)


class _PassphraseSessions:
    """`x-passphrase: <user id>` stands for that user's session (a test credential, never do this for real)."""

    kind = "passphrase"

    def __init__(self, plugin: Greeter) -> None:
        self._plugin = plugin

    def credential(self, request: Request) -> str | None:
        return request.headers.get("x-passphrase")

    async def session(self, request: Request, credential: str) -> AuthSession:
        user = await self._plugin.context.users.get(credential)
        if user is None:
            raise AuthError("UNAUTHORIZED", 401)
        session = _transient_session(user.id, self._plugin.context.clock.now())
        return AuthSession(session, user, source=self.kind)

    def refusal(self) -> AuthError:
        return AuthError("PASSPHRASE_NOT_ENOUGH", 403, "Sign in for this.")


def _transient_session(user_id: str, now: datetime) -> Session:
    return Session(id="passphrase", token="", user_id=user_id, expires_at=now, created_at=now, updated_at=now)


async def _greeting_rows(database: Database) -> int:
    async with database.session() as db:
        return int((await db.exec(select(func.count()).select_from(Greeting))).one()[0])  # type: ignore[call-overload]


@pytest.fixture
async def greeting_table(database: Database) -> AsyncIterator[None]:
    table = Greeting.__table__  # type: ignore[attr-defined]
    async with database.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all, tables=[table])
    yield
    async with database.engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all, tables=[table])


GREET = "/api/auth/greeter/greet"


@pytest.mark.usefixtures("greeting_table")
async def test_a_plugin_adds_a_route_with_its_options_and_error_code(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    auth = make_auth(plugins=[Greeter(GreeterOptions(greeting="hi", shout=True, allowed_names=["Ann"]))])
    client = await make_configured_client(auth)
    assert (await client.post(GREET)).status_code == 401  # behind the session like any auth route
    await sign_up(client)

    response = await client.post(GREET)

    assert response.json() == {"greeting": "HI, ANN", "source": "session"}
    other = await make_configured_client(auth)
    await sign_up(other, email="bob@example.com", name="Bob")
    refused = await other.post(GREET)
    assert (refused.status_code, refused.json()) == (
        403,
        {"code": "GREETING_REFUSED", "message": "This name is not greeted here."},
    )
    assert await _greeting_rows(database) == 1


@pytest.mark.usefixtures("greeting_table")
async def test_its_routes_are_behind_the_origin_check_and_its_rate_limit(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    auth = make_auth(plugins=[Greeter()], rate_limit={"enabled": True})
    client = await make_configured_client(auth)
    await sign_up(client)
    foreign = await client.post(GREET, headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403

    answers = [(await client.post(GREET)).status_code for _ in range(3)]

    assert answers[-1] == 429  # its own rule: 2 a minute (the foreign request counted too)


@pytest.mark.usefixtures("greeting_table")
async def test_its_session_source_signs_a_request_in_and_sensitive_routes_refuse_it(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    auth = make_auth(plugins=[Greeter()])
    user_id = (await sign_up(await make_configured_client(auth))).json()["user"]["id"]
    machine = await make_configured_client(auth, headers={"x-passphrase": user_id})

    greeted = await machine.post(GREET)
    session = await machine.get("/api/auth/get-session")
    sensitive = await machine.post("/api/auth/revoke-sessions", json={})

    assert greeted.json() == {"greeting": "hello, Ann", "source": "passphrase"}
    assert session.json()["user"]["id"] == user_id
    assert (sensitive.status_code, sensitive.json()["code"]) == (403, "PASSPHRASE_NOT_ENOUGH")


@pytest.mark.usefixtures("greeting_table")
async def test_its_rows_go_with_a_deleted_user(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    auth = make_auth(plugins=[Greeter()], user={"delete_user": {"enabled": True}})
    client = await make_configured_client(auth)
    await sign_up(client)
    await client.post(GREET)
    assert await _greeting_rows(database) == 1

    deleted = await client.post("/api/auth/delete-user", json={"password": "correct horse battery"})

    assert deleted.status_code == 200, deleted.text
    assert await _greeting_rows(database) == 0


@pytest.mark.usefixtures("greeting_table")
async def test_it_hears_when_a_user_secures_their_account(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    """K6: revoking the other sessions calls the plugin's `on_account_secured`; deleting the user does not."""
    greeter = Greeter()
    auth = make_auth(plugins=[greeter], user={"delete_user": {"enabled": True}})
    client = await make_configured_client(auth)
    user_id = (await sign_up(client)).json()["user"]["id"]

    assert (await client.post("/api/auth/revoke-other-sessions", json={})).status_code == 200
    assert greeter.secured == [user_id]
    deleted = await client.post("/api/auth/delete-user", json={"password": "correct horse battery"})
    assert deleted.status_code == 200, deleted.text
    assert greeter.secured == [user_id]


def test_options_come_from_settings_and_the_environment(
    make_auth: AuthFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(PluginSettingsError, match="unknown plugin 'greeter'"):
        make_auth(plugins={"greeter": {"greeting": "hey"}})  # settings alone run built-in plugins only

    monkeypatch.setenv("BETTER_AUTH_PLUGINS__GREETER__GREETING", "ahoy")
    monkeypatch.setenv("BETTER_AUTH_PLUGINS__GREETER__ALLOWED_NAMES", '["Ann", "Bob"]')
    greeter = Greeter()
    BetterAuth(AuthSettings(environment="development"), plugins=[greeter], database=None)

    assert (greeter.options.greeting, greeter.options.allowed_names) == ("ahoy", ["Ann", "Bob"])


def test_unknown_plugins_and_clashing_codes_are_refused_at_start_up(make_auth: AuthFactory) -> None:
    class Clashing(Greeter):
        id = "clashing"
        error_codes = {"USER_NOT_FOUND": "mine"}

    with pytest.raises(PluginSettingsError, match="unknown plugin 'greter'"):
        make_auth(plugins={"greter": {"enabled": True}})
    with pytest.raises(PluginSettingsError, match="USER_NOT_FOUND"):
        make_auth(plugins=[Clashing()])
    with pytest.raises(PluginSettingsError, match="given twice"):
        make_auth(plugins=[Greeter(), Greeter()])


def test_a_built_in_plugin_is_switched_on_from_the_environment_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BETTER_AUTH_PLUGINS__API_KEY__ENABLED", "true")
    monkeypatch.setenv("BETTER_AUTH_PLUGINS__API_KEY__HEADERS", '["x-machine-key"]')
    auth = BetterAuth(AuthSettings(environment="development"), database=None)

    assert auth.plugin(ApiKeys).options.headers == ["x-machine-key"]
    assert "/api-key/create" in _paths(auth.router)
    monkeypatch.setenv("BETTER_AUTH_PLUGINS__API_KEY__ENABLED", "false")
    off = BetterAuth(AuthSettings(environment="development"), database=None)
    with pytest.raises(LookupError, match="BETTER_AUTH_PLUGINS__API_KEY__ENABLED"):
        off.plugin(ApiKeys)
    assert "/api-key/create" not in _paths(off.router)


def test_a_plugin_is_given_the_context_not_the_composition_root(make_auth: AuthFactory) -> None:
    greeter = Greeter()
    auth = make_auth(plugins=[greeter])

    assert isinstance(greeter.context, AuthContext)
    assert greeter.context.sessions is auth.sessions
    assert greeter.context.users is auth.users
    assert not hasattr(greeter.context, "plugins")


def _paths(router: APIRouter) -> set[str]:
    app = FastAPI()
    app.include_router(router)
    return set(app.openapi()["paths"])


def test_the_old_api_key_settings_stop_start_up_with_where_they_went(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_API_KEY__ENABLED", "true")
    with pytest.raises(ValueError, match="BETTER_AUTH_PLUGINS__API_KEY__ENABLED"):
        AuthSettings(environment="development")


def test_a_plugin_router_must_answer_errors_as_auth_routes_do(make_auth: AuthFactory) -> None:
    class Plain(Greeter):
        id = "plain"

        def router(self) -> APIRouter:
            return APIRouter()

    with pytest.raises(TypeError, match="AuthRouter"):
        make_auth(plugins=[Plain()])


def test_one_plugin_object_serves_one_instance(make_auth: AuthFactory) -> None:
    greeter = Greeter()
    make_auth(plugins=[greeter])

    with pytest.raises(RuntimeError, match="create one per instance"):
        make_auth(plugins=[greeter])
