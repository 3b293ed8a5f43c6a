"""`POST /sign-up/email` (docs/better-auth.md#sign-up): better-auth's wire shape, duplicates,
the options that change what sign-up answers, and what it writes to the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import httpx2 as httpx
import pytest
from sqlalchemy import text
from sqlmodel import select

from fastapi_betterauth import ManualClock
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Account, Session, User

from ..conftest import PASSWORD, TEST_SECRET, ConfiguredClientFactory, set_cookies, sign_in, sign_up

SESSION_COOKIE = "__Secure-better-auth.session_token"
DONT_REMEMBER_COOKIE = "__Secure-better-auth.dont_remember"
TOKEN = re.compile(r"^[A-Za-z0-9]{32}$")
USER_KEYS = ["name", "email", "emailVerified", "image", "createdAt", "updatedAt", "id"]
ALREADY_EXISTS = {"code": "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "message": "User already exists. Use another email."}


def signature(value: str) -> str:
    """better-call's cookie signature, computed independently of the package."""
    return base64.b64encode(hmac.new(TEST_SECRET.encode(), value.encode(), hashlib.sha256).digest()).decode()


def utc(moment: datetime) -> datetime:
    """A database timestamp as aware UTC (SQLite hands back naive datetimes)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def rows(database: Database) -> tuple[list[User], list[Account], list[Session]]:
    async with database.session() as db:
        users = list((await db.exec(select(User))).all())
        accounts = list((await db.exec(select(Account))).all())
        sessions = list((await db.exec(select(Session))).all())
    return users, accounts, sessions


async def test_success_shape_is_better_auths(client: httpx.AsyncClient, clock: ManualClock) -> None:
    clock.set(datetime(2026, 11, 22, 12, 0, 0, 123456, tzinfo=UTC))
    response = await sign_up(client)

    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["token", "user"]
    assert TOKEN.match(body["token"])
    user = body["user"]
    assert list(user) == USER_KEYS
    assert user["name"] == "Ann"
    assert user["email"] == "ann@example.com"
    assert user["emailVerified"] is False
    assert user["image"] is None
    assert user["createdAt"] == user["updatedAt"] == "2026-11-22T12:00:00.123Z"
    assert TOKEN.match(user["id"])
    assert user["id"] != body["token"]


@pytest.mark.database_sessions
async def test_success_sets_the_signed_session_cookie(client: httpx.AsyncClient) -> None:
    response = await sign_up(client)
    token = response.json()["token"]

    headers = response.headers.get_list("set-cookie")
    assert len(headers) == 1
    match = re.fullmatch(
        rf"{re.escape(SESSION_COOKIE)}=([^;]+); Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax", headers[0]
    )
    assert match, headers[0]
    value, _, signed = unquote(match.group(1)).rpartition(".")
    assert value == token
    assert len(signed) == 44
    assert signed == signature(token)
    assert "%" in match.group(1)  # the base64 signature's "=" (and any "+" or "/") are URL-encoded
    # The cookie signs the client in.
    me = await client.get("/me")
    assert me.status_code == 200
    assert me.json()["id"] == response.json()["user"]["id"]


async def test_email_is_lower_cased(client: httpx.AsyncClient, database: Database) -> None:
    response = await sign_up(client, email="Ann.Smith@Example.COM")

    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == "ann.smith@example.com"
    users, _, _ = await rows(database)
    assert [user.email for user in users] == ["ann.smith@example.com"]
    # Sign-in finds the user whatever the case of the address typed.
    assert (await sign_in(client, email="ANN.smith@example.com")).status_code == 200


@pytest.mark.database_sessions
@pytest.mark.parametrize("second", ["ann@example.com", "ANN@Example.com"])
async def test_duplicate_email_in_any_case_is_422(client: httpx.AsyncClient, database: Database, second: str) -> None:
    assert (await sign_up(client)).status_code == 200
    other = await sign_up(client, email=second, password="another password")

    assert other.status_code == 422
    assert other.json() == ALREADY_EXISTS
    assert "set-cookie" not in other.headers
    users, accounts, sessions = await rows(database)
    assert len(users) == 1
    assert len(accounts) == 1
    assert len(sessions) == 1
    # The first user's password still works, the second one's does not.
    assert (await sign_in(client, password="another password")).status_code == 401
    assert (await sign_in(client)).status_code == 200


async def test_disable_sign_up(make_configured_client: ConfiguredClientFactory, database: Database) -> None:
    open_client = await make_configured_client()
    assert (await sign_up(open_client)).status_code == 200
    closed = await make_configured_client(email_and_password={"disable_sign_up": True})

    response = await sign_up(closed, email="bob@example.com")

    assert response.status_code == 400
    assert response.json() == {
        "code": "EMAIL_PASSWORD_SIGN_UP_DISABLED",
        "message": "Email and password sign up is not enabled",
    }
    assert "set-cookie" not in response.headers
    users, _, _ = await rows(database)
    assert [user.email for user in users] == ["ann@example.com"]
    # Existing users still sign in.
    assert (await sign_in(closed)).status_code == 200


@pytest.mark.database_sessions
async def test_remember_me_false_sets_a_browser_session_cookie(
    client: httpx.AsyncClient, database: Database, clock: ManualClock
) -> None:
    response = await sign_up(client, rememberMe=False)

    assert response.status_code == 200, response.text
    token = response.json()["token"]
    cookies = set_cookies(response)
    assert set(cookies) == {SESSION_COOKIE, DONT_REMEMBER_COOKIE}
    session_cookie = cookies[SESSION_COOKIE]
    assert "Max-Age" not in session_cookie
    assert session_cookie.endswith("; Path=/; HttpOnly; Secure; SameSite=Lax")
    assert unquote(session_cookie.split(";")[0].split("=", 1)[1]) == f"{token}.{signature(token)}"
    pair, _, attributes = cookies[DONT_REMEMBER_COOKIE].partition("; ")
    assert unquote(pair.split("=", 1)[1]) == f"true.{signature('true')}"
    assert attributes == "Path=/; HttpOnly; Secure; SameSite=Lax"
    # better-auth keeps such sessions one day in the database, whatever `expires_in` is.
    _, _, sessions = await rows(database)
    assert len(sessions) == 1
    assert utc(sessions[0].expires_at) == clock.now() + timedelta(days=1)


async def test_auto_sign_in_off_answers_a_null_token_and_no_cookie(
    make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    client = await make_configured_client(email_and_password={"auto_sign_in": False})

    response = await sign_up(client)

    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["token", "user"]
    assert body["token"] is None
    assert list(body["user"]) == USER_KEYS
    assert "set-cookie" not in response.headers
    users, accounts, sessions = await rows(database)
    assert [user.id for user in users] == [body["user"]["id"]]
    assert len(accounts) == 1
    assert sessions == []
    # The account is usable: the user signs in afterwards.
    assert (await sign_in(client)).status_code == 200


@pytest.mark.parametrize(
    "options",
    [{"require_email_verification": True}, {"auto_sign_in": False}],
    ids=["require_email_verification", "auto_sign_in_off"],
)
async def test_duplicate_is_answered_like_a_new_user_when_sign_up_never_signs_in(
    make_configured_client: ConfiguredClientFactory, database: Database, clock: ManualClock, options: dict[str, Any]
) -> None:
    """L1: in better-auth's "generic duplicate" modes a duplicate email cannot be told from a new one."""
    client = await make_configured_client(email_and_password=options)
    first = await sign_up(client)
    assert first.status_code == 200
    clock.advance(timedelta(minutes=5))

    duplicate = await sign_up(client, email="ANN@example.com", password="another password", name="Mallory")
    fresh = await sign_up(client, email="new@example.com", password="another password", name="Mallory")

    assert duplicate.status_code == fresh.status_code == 200
    assert "set-cookie" not in duplicate.headers
    assert "set-cookie" not in fresh.headers
    synthetic, new = duplicate.json(), fresh.json()
    assert list(synthetic) == list(new) == ["token", "user"]
    assert synthetic["token"] is None
    assert new["token"] is None
    assert list(synthetic["user"]) == list(new["user"]) == USER_KEYS
    now = "2026-11-22T12:05:00.000Z"
    assert {k: v for k, v in synthetic["user"].items() if k != "id"} == {
        "name": "Mallory",
        "email": "ann@example.com",
        "emailVerified": False,
        "image": None,
        "createdAt": now,
        "updatedAt": now,
    }
    assert {k: v for k, v in new["user"].items() if k not in ("id", "email")} == {
        k: v for k, v in synthetic["user"].items() if k not in ("id", "email")
    }
    assert TOKEN.match(synthetic["user"]["id"])
    assert synthetic["user"]["id"] != first.json()["user"]["id"]

    users, accounts, _ = await rows(database)
    assert sorted(user.email for user in users) == ["ann@example.com", "new@example.com"]
    assert synthetic["user"]["id"] not in {user.id for user in users}
    assert len(accounts) == 2
    original = next(user for user in users if user.email == "ann@example.com")
    assert original.name == "Ann"
    assert original.id == first.json()["user"]["id"]


@pytest.mark.database_sessions
async def test_writes_the_user_and_its_credential_account(
    client: httpx.AsyncClient, database: Database, clock: ManualClock
) -> None:
    response = await sign_up(client, image="https://example.com/ann.png")
    body = response.json()

    users, accounts, sessions = await rows(database)
    assert len(users) == 1
    user = users[0]
    assert user.id == body["user"]["id"]
    assert (user.name, user.email, user.email_verified, user.image) == (
        "Ann",
        "ann@example.com",
        False,
        "https://example.com/ann.png",
    )
    assert utc(user.created_at) == utc(user.updated_at) == clock.now()
    assert len(accounts) == 1
    account = accounts[0]
    assert account.provider_id == "credential"
    assert account.account_id == user.id
    assert account.user_id == user.id
    assert account.password is not None
    assert account.password.startswith("$argon2id$")
    assert PASSWORD not in account.password
    assert account.access_token is None
    assert len(sessions) == 1
    assert sessions[0].user_id == user.id
    assert sessions[0].token == body["token"]
    assert body["user"]["image"] == "https://example.com/ann.png"


_FAIL_INSERT = {
    "sqlite": (
        ["CREATE TRIGGER fail_insert BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'insert refused'); END"],
        ["DROP TRIGGER fail_insert"],
    ),
    "postgresql": (
        [
            "CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'insert refused'; END $$",
            "CREATE TRIGGER fail_insert BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION fail_insert()",
        ],
        ["DROP TRIGGER fail_insert ON {table}", "DROP FUNCTION fail_insert()"],
    ),
    "mysql": (
        [
            "CREATE TRIGGER fail_insert BEFORE INSERT ON `{table}` FOR EACH ROW "
            "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'insert refused'"
        ],
        ["DROP TRIGGER fail_insert"],
    ),
}


@pytest.fixture
async def refuse_inserts(database: Database) -> AsyncIterator[Callable[[str], Awaitable[None]]]:
    """`await refuse_inserts("account")`: the database itself rejects inserts into a table (a real failure, no mock)."""
    create, drop = _FAIL_INSERT[database.url.get_backend_name()]
    tables: list[str] = []

    async def refuse(table: str) -> None:
        async with database.engine.begin() as connection:
            for statement in create:
                await connection.execute(text(statement.format(table=table)))
        tables.append(table)

    yield refuse
    for table in tables:
        async with database.engine.begin() as connection:
            for statement in drop:
                await connection.execute(text(statement.format(table=table)))


@pytest.mark.database_sessions
@pytest.mark.parametrize("table", ["account", "session"])
async def test_sign_up_is_one_transaction(
    client: httpx.AsyncClient, database: Database, refuse_inserts: Callable[[str], Awaitable[None]], table: str
) -> None:
    """When writing the account or the session fails, the user row is rolled back too."""
    await refuse_inserts(table)

    response = await sign_up(client)

    assert response.status_code == 422
    assert response.json() == {"code": "FAILED_TO_CREATE_USER", "message": "Failed to create user"}
    assert "set-cookie" not in response.headers
    assert await rows(database) == ([], [], [])


async def test_form_urlencoded_body(client: httpx.AsyncClient, database: Database) -> None:
    form = {"name": "Ann", "email": "Ann@Example.com", "password": PASSWORD}
    # A form's values are text, and better-auth's schema wants a boolean: a form cannot say rememberMe.
    refused = await client.post("/api/auth/sign-up/email", data={**form, "rememberMe": "false"})
    assert (refused.status_code, refused.json()["code"]) == (400, "VALIDATION_ERROR")

    response = await client.post("/api/auth/sign-up/email", data=form)

    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == "ann@example.com"
    assert "Max-Age=604800" in set_cookies(response)[SESSION_COOKIE]
    users, _, _ = await rows(database)
    assert len(users) == 1


async def test_trusted_callback_url_is_accepted(client: httpx.AsyncClient) -> None:
    response = await sign_up(client, callbackURL="/welcome")

    assert response.status_code == 200, response.text
    assert list(response.json()) == ["token", "user"]


async def test_untrusted_callback_url_is_403_and_creates_nothing(client: httpx.AsyncClient, database: Database) -> None:
    for callback_url in ["https://evil.example/welcome", "//evil.example/welcome", "/\\evil.example", "javascript:x"]:
        response = await sign_up(client, callbackURL=callback_url)

        assert response.status_code == 403, callback_url
        assert response.json() == {"code": "INVALID_CALLBACK_URL", "message": "Invalid callbackURL"}
        assert "set-cookie" not in response.headers
    assert await rows(database) == ([], [], [])


async def test_disabled_email_password_answers_400_not_404(
    make_configured_client: ConfiguredClientFactory,
) -> None:
    """The routes stay mounted, so better-auth's clients get its codes
    (docs/better-auth.md#email-and-password-switches)."""
    client = await make_configured_client(email_and_password={"enabled": False})
    up = await sign_up(client)
    assert up.status_code == 400
    assert up.json()["code"] == "EMAIL_PASSWORD_SIGN_UP_DISABLED"
    inside = await sign_in(client)
    assert inside.status_code == 400
    assert inside.json() == {"code": "EMAIL_PASSWORD_DISABLED", "message": "Email and password is not enabled"}


SESSION_STORES = ("database", "stateless")


async def test_very_long_password_is_password_too_long(client: httpx.AsyncClient) -> None:
    for response in (await sign_up(client, password="p" * 5000), await sign_in(client, password="p" * 5000)):
        assert response.status_code == 400
        assert response.json()["code"] == "PASSWORD_TOO_LONG"
