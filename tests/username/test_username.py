"""The username plugin, switched on from environment settings alone, over HTTP: sign-up with a username (kept
normalised, the typed spelling as `displayUsername`), `/sign-in/username`, `/is-username-available`, `update-user`,
their refusals with better-auth's codes and statuses, and one user per username under concurrent sign-ups (on SQLite
and PostgreSQL). Unknown usernames and wrong passwords are refused alike (L1)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.db.models import User
from fastapi_betterauth.db.queries import find_user_by_email

from ..conftest import PASSWORD
from ..env_app import Client, auth_app, browsers, env_auth
from ..test_migrations import fresh_url, postgres_db

__all__ = ["fresh_url", "postgres_db"]  # fixtures, used by name

SESSION_COOKIE = "__Secure-better-auth.session_token"  # the test app is served over https


@pytest.fixture
async def auth(monkeypatch: pytest.MonkeyPatch, fresh_url: str) -> BetterAuth:
    auth = env_auth(monkeypatch, fresh_url, {"BETTER_AUTH_PLUGINS__USERNAME__ENABLED": "true"})
    await auth.migrate()
    return auth


@pytest.fixture
async def new_client(auth: BetterAuth) -> AsyncIterator[Client]:
    async with browsers(auth_app(auth)) as make:
        yield make


async def sign_up(client: httpx.AsyncClient, email: str = "ann@example.com", **extra: Any) -> httpx.Response:
    return await client.post("/sign-up/email", json={"name": "Ann", "email": email, "password": PASSWORD, **extra})


async def user_with_email(auth: BetterAuth, email: str) -> User | None:
    async with auth.database.session() as db:
        return await find_user_by_email(db, email)


def error(response: httpx.Response) -> tuple[int, str | None]:
    return response.status_code, response.json().get("code")


async def test_sign_up_keeps_the_username_normalised_and_the_typed_spelling(new_client: Client) -> None:
    client = new_client()
    answer = await sign_up(client, username="Alice_X")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["user"]["username"], answer.json()["user"]["displayUsername"]) == ("alice_x", "Alice_X")
    me = (await client.get("/get-session")).json()["user"]
    assert (me["username"], me["displayUsername"]) == ("alice_x", "Alice_X")
    plain = (await sign_up(new_client(), "bob@example.com")).json()["user"]
    assert (plain["username"], plain["displayUsername"]) == (None, None)


async def test_display_username_alone_gives_the_username_when_it_is_a_valid_one(new_client: Client) -> None:
    shown = (await sign_up(new_client(), displayUsername="Carol.B")).json()["user"]
    assert (shown["username"], shown["displayUsername"]) == ("carol.b", "Carol.B")
    free_form = (await sign_up(new_client(), "dan@example.com", displayUsername="Shown Name!")).json()["user"]
    assert (free_form["username"], free_form["displayUsername"]) == (None, "Shown Name!")
    both = await sign_up(new_client(), "eve@example.com", username="eve_1", displayUsername="Eve (admin)")
    assert (both.json()["user"]["username"], both.json()["user"]["displayUsername"]) == ("eve_1", "Eve (admin)")


async def test_sign_in_with_the_username_in_any_case(new_client: Client) -> None:
    user_id = (await sign_up(new_client(), username="Frank_")).json()["user"]["id"]
    browser = new_client()
    answer = await browser.post("/sign-in/username", json={"username": "FRANK_", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"redirect", "token", "user"}
    assert body["redirect"] is False
    assert (body["user"]["id"], body["user"]["username"]) == (user_id, "frank_")
    assert answer.cookies[SESSION_COOKIE].startswith(body["token"] + ".")
    assert (await browser.get("/get-session")).json()["user"]["id"] == user_id
    redirected = await new_client().post(
        "/sign-in/username", json={"username": "frank_", "password": PASSWORD, "callbackURL": "/dashboard"}
    )
    assert (redirected.json()["redirect"], redirected.json()["url"]) == (True, "/dashboard")
    assert redirected.headers["location"] == "/dashboard"
    untrusted = await new_client().post(
        "/sign-in/username", json={"username": "frank_", "password": PASSWORD, "callbackURL": "https://evil.example"}
    )
    assert error(untrusted) == (403, "INVALID_CALLBACK_URL")
    forgotten = await new_client().post(
        "/sign-in/username", json={"username": "frank_", "password": PASSWORD, "rememberMe": False}
    )
    session_cookie = next(c for c in forgotten.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "max-age" not in session_cookie.lower()


async def test_sign_in_refusals(new_client: Client) -> None:
    await sign_up(new_client(), username="grace")
    client = new_client()
    for body in (
        {"username": "grace", "password": "wrong password 1"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "", "password": PASSWORD},
        {"username": "grace", "password": ""},
    ):
        answer = await client.post("/sign-in/username", json=body)
        assert answer.json() == {"code": "INVALID_USERNAME_OR_PASSWORD", "message": "Invalid username or password"}
        assert answer.status_code == 401
        assert "set-cookie" not in answer.headers
    assert error(await client.post("/sign-in/username", json={"username": "grace"})) == (400, "VALIDATION_ERROR")
    too_long = await client.post("/sign-in/username", json={"username": "grace", "password": "x" * 129})
    assert error(too_long) == (400, "PASSWORD_TOO_LONG")
    for name, code in (
        ("ab", "USERNAME_TOO_SHORT"),
        ("bad name!", "INVALID_USERNAME"),
        ("a" * 31, "USERNAME_TOO_LONG"),
    ):
        answer = await client.post("/sign-in/username", json={"username": name, "password": PASSWORD})
        assert error(answer) == (422, code)


async def test_is_username_available(new_client: Client) -> None:
    await sign_up(new_client(), username="Heidi_")
    client = new_client()
    for probe in ("Heidi_", "heidi_", "HEIDI_"):
        assert (await client.post("/is-username-available", json={"username": probe})).json() == {"available": False}
    assert (await client.post("/is-username-available", json={"username": "ivan"})).json() == {"available": True}
    assert error(await client.post("/is-username-available", json={"username": ""})) == (422, "INVALID_USERNAME")
    assert error(await client.post("/is-username-available", json={"username": "ab"})) == (422, "USERNAME_TOO_SHORT")
    assert error(await client.post("/is-username-available", json={})) == (400, "VALIDATION_ERROR")
    assert (await client.get("/is-username-available")).status_code == 404


async def test_sign_up_refuses_bad_or_taken_usernames_and_keeps_nothing(new_client: Client, auth: BetterAuth) -> None:
    cases: list[tuple[Any, tuple[int, str]]] = [
        ("ab", (400, "USERNAME_TOO_SHORT")),
        ("", (400, "USERNAME_TOO_SHORT")),
        ("a" * 31, (400, "USERNAME_TOO_LONG")),
        ("dash-name", (400, "INVALID_USERNAME")),
        ("émile_x", (400, "INVALID_USERNAME")),
        (12345, (422, "FAILED_TO_CREATE_USER")),
    ]
    for index, (name, expected) in enumerate(cases):
        assert error(await sign_up(new_client(), f"u{index}@example.com", username=name)) == expected, name
    assert (await sign_up(new_client(), "judy@example.com", username="Judy")).status_code == 200
    taken = await sign_up(new_client(), "other@example.com", username="jUDY")
    assert taken.json() == {
        "code": "USERNAME_IS_ALREADY_TAKEN",
        "message": "Username is already taken. Please try another.",
    }
    assert taken.status_code == 400
    assert "set-cookie" not in taken.headers
    for index in range(len(cases)):
        assert await user_with_email(auth, f"u{index}@example.com") is None
    assert await user_with_email(auth, "other@example.com") is None


async def test_update_user_changes_the_username(new_client: Client) -> None:
    client = new_client()
    await sign_up(client, username="Karl_")
    answer = await client.post("/update-user", json={"username": "Renamed_K"})
    assert answer.json() == {"status": True}
    me = (await client.get("/get-session")).json()["user"]
    assert (me["username"], me["displayUsername"]) == ("renamed_k", "Karl_")  # displayUsername is not changed along
    assert (
        await new_client().post("/sign-in/username", json={"username": "renamed_k", "password": PASSWORD})
    ).is_success
    old = await new_client().post("/sign-in/username", json={"username": "karl_", "password": PASSWORD})
    assert error(old) == (401, "INVALID_USERNAME_OR_PASSWORD")
    await sign_up(new_client(), "liz@example.com", username="liz")
    assert error(await client.post("/update-user", json={"username": "LIZ"})) == (400, "USERNAME_IS_ALREADY_TAKEN")
    assert (await client.post("/update-user", json={"username": "RENAMED_K"})).json() == {"status": True}
    assert error(await client.post("/update-user", json={"username": "x!"})) == (400, "USERNAME_TOO_SHORT")
    assert error(await client.post("/update-user", json={"username": 7})) == (422, "FAILED_TO_UPDATE_USER")


async def test_concurrent_sign_ups_with_one_username_give_one_user(new_client: Client, auth: BetterAuth) -> None:
    answers = await asyncio.gather(
        *(sign_up(new_client(), f"same{index}@example.com", username="SameName") for index in range(20))
    )
    assert [answer.status_code for answer in answers].count(200) == 1
    refused = {error(answer) for answer in answers if answer.status_code != 200}
    assert refused <= {(400, "USERNAME_IS_ALREADY_TAKEN"), (422, "FAILED_TO_CREATE_USER")}, refused
    owners = [await user_with_email(auth, f"same{index}@example.com") for index in range(20)]
    assert sum(owner is not None for owner in owners) == 1


async def test_migrate_adds_the_columns_with_a_unique_index(auth: BetterAuth, fresh_url: str) -> None:
    engine = create_async_engine(fresh_url)
    try:
        async with engine.connect() as connection:
            columns, indexes = await connection.run_sync(
                lambda sync: (
                    {column["name"] for column in inspect(sync).get_columns("user")},
                    inspect(sync).get_indexes("user"),
                )
            )
    finally:
        await engine.dispose()
    assert {"username", "displayUsername"} <= columns
    assert any(index["unique"] and index["column_names"] == ["username"] for index in indexes), indexes
