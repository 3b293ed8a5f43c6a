"""Additional user and session fields (better-auth's `additionalFields`), declared through environment settings
alone and used over HTTP end to end: `migrate` adds their columns, sign-up and update-user accept them, get-session
answers them from the database, the cookie cache and Redis, update-session sets the session's, and what a client
may not set or see stays so. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import select

from fastapi_betterauth import AuthSettings, BetterAuth, CurrentUser, User
from fastapi_betterauth.fields import FieldDeclarationError, FieldSpec, additional_values
from fastapi_betterauth.hooks import DatabaseHooks, ModelHooks

from ..conftest import BASE_URL, ORIGIN, PASSWORD, TEST_SECRET
from ..test_migrations import fresh_url, postgres_db

__all__ = ["fresh_url", "postgres_db"]  # fixtures, used by name

USER_FIELDS = {
    "plan": {"type": "string", "defaultValue": "free"},
    "age": {"type": "number", "required": False},
    "newsletter": {"type": "boolean", "required": False},
    "birthday": {"type": "date", "required": False},
    "tags": {"type": "string[]", "required": False},
    "role": {"type": "string", "input": False, "defaultValue": "member"},
    "internalNote": {"type": "string", "required": False, "returned": False, "fieldName": "internal_note"},
    "nickname": {"type": "string", "required": False, "unique": True},
}
SESSION_FIELDS = {
    "deviceName": {"type": "string", "required": False},
    "trusted": {"type": "boolean", "input": False, "defaultValue": False},
}


async def sql(url: str, statement: str) -> list[tuple[Any, ...]]:
    """Run one statement in its own transaction, as another writer would; its rows."""
    engine = create_async_engine(url, poolclass=NullPool)
    if engine.dialect.name == "mysql":  # the statements quote identifiers as standard SQL does
        statement = statement.replace('"', "`")
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


@pytest.fixture
def field_env(monkeypatch: pytest.MonkeyPatch, fresh_url: str) -> str:
    """The fields declared the way a deployment would: environment variables only (JSON values)."""
    monkeypatch.setenv("BETTER_AUTH_USER__ADDITIONAL_FIELDS", json.dumps(USER_FIELDS))
    monkeypatch.setenv("BETTER_AUTH_SESSION__ADDITIONAL_FIELDS", json.dumps(SESSION_FIELDS))
    monkeypatch.setenv("BETTER_AUTH_SECRET", TEST_SECRET)
    monkeypatch.setenv("BETTER_AUTH_URL", BASE_URL)
    monkeypatch.setenv("BETTER_AUTH_DATABASE_URL", fresh_url)
    monkeypatch.setenv("BETTER_AUTH_ENVIRONMENT", "test")
    monkeypatch.setenv("BETTER_AUTH_RATE_LIMIT__ENABLED", "false")
    return fresh_url


def _app(auth: BetterAuth) -> FastAPI:
    app = FastAPI(lifespan=auth.lifespan, exception_handlers=auth.exception_handlers)
    app.include_router(auth.router, prefix="/api/auth")

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, Any]:
        return {"plan": user.plan, "role": user.role, "note": user.internalNote}

    return app


@pytest.fixture
async def open_client() -> AsyncIterator[Callable[..., Any]]:
    """`await open_client(**setting_overrides)`: a migrated app built from the environment (plus overrides)."""
    async with AsyncExitStack() as stack:

        async def new(**overrides: Any) -> tuple[BetterAuth, httpx.AsyncClient]:
            auth = BetterAuth(AuthSettings(**overrides), **overrides.pop("_auth", {}))
            await auth.migrate()
            manager = await stack.enter_async_context(LifespanManager(_app(auth)))
            transport = httpx.ASGITransport(app=manager.app)
            client = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN)
            return auth, await stack.enter_async_context(client)

        yield new


async def _sign_up(client: httpx.AsyncClient, email: str = "ann@example.com", **extra: Any) -> httpx.Response:
    return await client.post(
        "/api/auth/sign-up/email", json={"name": "Ann", "email": email, "password": PASSWORD, **extra}
    )


async def _user_row(url: str, email: str) -> dict[str, Any]:
    columns = '"plan", "age", "role", "internal_note", "nickname"'
    [row] = await sql(url, f"SELECT {columns} FROM \"user\" WHERE email = '{email}'")
    return dict(zip(["plan", "age", "role", "internal_note", "nickname"], row, strict=True))


async def test_fields_from_the_environment_work_end_to_end(field_env: str, open_client: Any) -> None:
    _, client = await open_client()

    signed_up = await _sign_up(
        client, plan="pro", age=41, newsletter=True, birthday="1985-04-01", tags=["a", "b"], nickname="annie"
    )

    assert signed_up.status_code == 200, signed_up.text
    user = signed_up.json()["user"]
    assert user["plan"] == "pro"
    assert user["age"] == 41
    assert user["newsletter"] is True
    assert user["birthday"] == "1985-04-01T00:00:00.000Z"
    assert user["tags"] == ["a", "b"]
    assert user["role"] == "member"  # server-only, its default
    assert "internalNote" not in user  # returned: false
    assert (await _user_row(field_env, "ann@example.com")) == {
        "plan": "pro",
        "age": 41,
        "role": "member",
        "internal_note": None,
        "nickname": "annie",
    }

    session = (await client.get("/api/auth/get-session")).json()
    assert session["user"]["plan"] == "pro"
    assert session["user"]["tags"] == ["a", "b"]
    assert session["session"]["deviceName"] is None
    assert session["session"]["trusted"] is False

    updated = await client.post("/api/auth/update-user", json={"plan": "team", "age": None})
    assert updated.json() == {"status": True}
    again = (await client.get("/api/auth/get-session")).json()["user"]
    assert again["plan"] == "team"
    assert again["age"] is None
    assert (await client.get("/me")).json() == {"plan": "team", "role": "member", "note": None}


async def test_a_created_user_takes_defaults_and_required_fields_are_required(field_env: str, open_client: Any) -> None:
    _, client = await open_client(
        user={"additional_fields": {**USER_FIELDS, "company": {"type": "string"}}},
    )

    missing = await _sign_up(client)
    assert missing.status_code == 400
    assert missing.json() == {"code": "MISSING_FIELD", "message": "company is required"}

    made = await _sign_up(client, company="ACME")
    assert made.json()["user"]["plan"] == "free"  # its default
    assert made.json()["user"]["company"] == "ACME"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"role": "admin"}, "FIELD_NOT_ALLOWED", "role is not allowed to be set"),
        ({"age": "forty"}, "VALIDATION_ERROR", "age: expected a number"),
        ({"age": 4.5}, "VALIDATION_ERROR", "age: expected a whole number"),
        ({"newsletter": "yes"}, "VALIDATION_ERROR", "newsletter: expected a boolean"),
        ({"birthday": "soon"}, "VALIDATION_ERROR", "birthday: expected an ISO 8601 date"),
        ({"tags": ["a", 1]}, "VALIDATION_ERROR", "tags: expected a string"),
        ({"plan": None}, "VALIDATION_ERROR", "plan: a value is required"),
    ],
)
async def test_update_user_refuses_what_a_client_may_not_set(
    field_env: str, open_client: Any, body: dict[str, Any], code: str, message: str
) -> None:
    _, client = await open_client()
    await _sign_up(client)

    refused = await client.post("/api/auth/update-user", json=body)

    assert refused.status_code == 400
    assert refused.json() == {"code": code, "message": message}
    assert (await _user_row(field_env, "ann@example.com"))["role"] == "member"


async def test_sign_up_refuses_a_server_only_value_and_bad_types_without_creating_anyone(
    field_env: str, open_client: Any
) -> None:
    _, client = await open_client()

    wrong = await _sign_up(client, age="forty")
    # better-auth quietly takes the default of a server-only field that has one: a client cannot set it either way.
    defaulted = await _sign_up(client, email="bob@example.com", role="admin")

    assert wrong.status_code == 400
    assert wrong.json()["code"] == "VALIDATION_ERROR"
    [count] = await sql(field_env, "SELECT count(*) FROM \"user\" WHERE email = 'ann@example.com'")
    assert count == (0,)
    assert defaulted.json()["user"]["role"] == "member"


async def test_update_user_with_no_field_is_better_auths_message(field_env: str, open_client: Any) -> None:
    _, client = await open_client()
    await _sign_up(client)

    for body in ({}, {"unknown": 1}, {"role": None}):
        answer = await client.post("/api/auth/update-user", json=body)
        assert (answer.status_code, answer.json()) == (400, {"message": "No fields to update"})


async def test_a_unique_field_refuses_a_second_owner(field_env: str, open_client: Any) -> None:
    _, client = await open_client()
    await _sign_up(client, nickname="annie")

    other = await _sign_up(client, email="bob@example.com", nickname="annie")

    assert other.status_code == 422
    assert other.json()["code"] == "FAILED_TO_CREATE_USER"
    [count] = await sql(field_env, 'SELECT count(*) FROM "user"')
    assert count == (1,)


async def test_the_cookie_cache_carries_the_returned_fields(field_env: str, open_client: Any) -> None:
    auth, client = await open_client(session={"cookie_cache": {"enabled": True, "max_age": 300}})
    await _sign_up(client, plan="pro")

    # Another writer changes the row: a cache hit still answers the copy, which proves it came from the cookie.
    await sql(field_env, "UPDATE \"user\" SET plan = 'changed', internal_note = 'secret'")
    cached = (await client.get("/api/auth/get-session")).json()
    fresh = (await client.get("/api/auth/get-session", params={"disableCookieCache": "true"})).json()

    assert cached["user"]["plan"] == "pro"
    assert "internalNote" not in cached["user"]
    assert fresh["user"]["plan"] == "changed"
    assert "internalNote" not in fresh["user"]
    payload = auth.cookies.session_data
    assert "secret" not in client.cookies.get(payload, "")


async def test_update_session_sets_the_sessions_fields(field_env: str, open_client: Any) -> None:
    _, client = await open_client()
    await _sign_up(client)

    named = await client.post("/api/auth/update-session", json={"deviceName": "laptop", "expiresAt": "2099-01-01"})
    refused = await client.post("/api/auth/update-session", json={"trusted": True})
    empty = await client.post("/api/auth/update-session", json={"token": "x"})

    assert named.status_code == 200, named.text
    assert named.json()["session"]["deviceName"] == "laptop"
    assert named.json()["session"]["expiresAt"] != "2099-01-01T00:00:00.000Z"  # core fields are not a client's
    assert refused.json() == {"code": "FIELD_NOT_ALLOWED", "message": "trusted is not allowed to be set"}
    assert (empty.status_code, empty.json()) == (400, {"message": "No fields to update"})
    session = (await client.get("/api/auth/get-session")).json()["session"]
    assert session["deviceName"] == "laptop"
    listed = (await client.get("/api/auth/list-sessions")).json()
    assert [entry["deviceName"] for entry in listed] == ["laptop"]


async def test_hooks_set_server_only_fields(field_env: str, open_client: Any) -> None:
    async def staff_domain(data: dict[str, Any]) -> dict[str, Any]:
        return {"role": "staff", "internalNote": "hired"} if data["email"].endswith("@corp.example") else {}

    hooks = DatabaseHooks(user=ModelHooks(before_create=staff_domain))
    _, client = await open_client(_auth={"hooks": hooks})

    made = await _sign_up(client, email="eve@corp.example")

    assert made.json()["user"]["role"] == "staff"
    assert (await _user_row(field_env, "eve@corp.example"))["internal_note"] == "hired"
    assert (await client.get("/me")).json() == {"plan": "free", "role": "staff", "note": "hired"}


async def test_sessions_in_redis_carry_the_fields(field_env: str, open_client: Any, redis_url: str) -> None:
    _, client = await open_client(secondary_storage_url=redis_url)
    await _sign_up(client, plan="pro")
    await client.post("/api/auth/update-session", json={"deviceName": "phone"})

    # Sessions live in Redis alone: what get-session answers of them came from the storage copy.
    assert await sql(field_env, 'SELECT count(*) FROM "session"') == [(0,)]
    found = (await client.get("/api/auth/get-session")).json()
    await client.post("/api/auth/update-user", json={"plan": "team"})
    after = (await client.get("/api/auth/get-session")).json()

    assert found["user"]["plan"] == "pro"
    assert found["session"]["deviceName"] == "phone"
    assert after["user"]["plan"] == "team"
    assert after["session"]["deviceName"] == "phone"
    assert (await client.get("/me")).json()["note"] is None


async def test_stateless_sessions_carry_the_fields_in_their_cookie(field_env: str, open_client: Any) -> None:
    _, client = await open_client(session={"store": "stateless"})
    await _sign_up(client, plan="pro")

    named = await client.post("/api/auth/update-session", json={"deviceName": "tablet"})
    await client.post("/api/auth/update-user", json={"age": 30})
    found = (await client.get("/api/auth/get-session")).json()

    assert named.json()["session"]["deviceName"] == "tablet"
    assert found["session"]["deviceName"] == "tablet"
    assert found["user"]["plan"] == "pro"
    assert found["user"]["age"] == 30


def test_a_field_may_not_take_a_core_name_or_be_declared_twice(field_env: str) -> None:
    with pytest.raises(FieldDeclarationError, match="'email' is one of the user model's own"):
        BetterAuth(AuthSettings(user={"additional_fields": {"email": {"type": "string"}}}))
    with pytest.raises(FieldDeclarationError, match="emailVerified"):
        BetterAuth(
            AuthSettings(user={"additional_fields": {"verified": {"type": "boolean", "fieldName": "emailVerified"}}})
        )
    with pytest.raises(ValueError, match="defaultValue does not fit"):
        FieldSpec.model_validate({"type": "number", "defaultValue": "ten"})


def test_values_travel_with_the_model_objects(field_env: str) -> None:
    auth = BetterAuth(AuthSettings())
    user = auth.schema.user.build({"name": "Ann", "email": "ann@example.com", "plan": "pro", "age": 3})

    values = additional_values(user)
    assert values is not None
    assert values["plan"] == "pro"
    assert user.plan == "pro"  # type: ignore[attr-defined]
    assert "plan" not in user.model_dump()  # the model's own columns only


@pytest.mark.parametrize("fields", ["all", "one"])
async def test_a_user_loaded_without_its_values_gets_them_from_its_row(
    field_env: str, open_client: Any, fields: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user read by a query that did not select the fields (an emailed link's user) gets its own row's values, read
    from one `user` table (before: a cartesian product of two, refused here as a warning), with one field as well."""
    if fields == "one":
        monkeypatch.setenv("BETTER_AUTH_USER__ADDITIONAL_FIELDS", json.dumps({"plan": USER_FIELDS["plan"]}))
    auth, client = await open_client()
    await _sign_up(client, plan="pro")
    await _sign_up(client, "bob@example.com")
    async with auth.database.session() as db:
        [bare] = (await db.exec(select(User).where(User.email == "ann@example.com"))).all()
    assert len(auth.users.fields) == (1 if fields == "one" else len(USER_FIELDS))
    loaded = await auth.users.with_values(bare)
    assert (additional_values(loaded) or {}).get("plan") == "pro"
