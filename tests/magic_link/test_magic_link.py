"""The magic-link plugin, switched on from environment settings alone, over HTTP (SQLite, and PostgreSQL for the
main flow): mailed links that sign in and up, single use, expiry, callback URLs checked against the trusted origins,
tokens hashed at rest and links a Node better-auth app stored in plain text, the takeover protection of unverified
accounts, bans, and sign-up switched off (docs/security.md L5)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from sqlalchemy import text

from fastapi_betterauth import BetterAuth, ManualClock
from fastapi_betterauth.crypto.tokens import sha256_base64url

from ..conftest import BASE_URL, PASSWORD
from ..env_app import Client, auth_app, browsers, env_auth
from ..test_migrations import fresh_url, postgres_db

__all__ = ["fresh_url", "postgres_db"]  # fixtures, used by name

SESSION_COOKIE = "__Secure-better-auth.session_token"  # the test app is served over https
VERIFY = f"{BASE_URL}/api/auth/magic-link/verify"


def build_auth(monkeypatch: pytest.MonkeyPatch, url: str, outbox: Path, **env: str) -> BetterAuth:
    environment = {
        "BETTER_AUTH_PLUGINS__MAGIC_LINK__ENABLED": "true",
        "BETTER_AUTH_EMAIL__OUTBOX": str(outbox),
        "BETTER_AUTH_TRUSTED_ORIGINS": "https://app.example.test",
        **env,
    }
    return env_auth(monkeypatch, url, environment, clock=CLOCK)


CLOCK = ManualClock()


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox.jsonl"


@pytest.fixture
def env() -> dict[str, str]:
    return {}


@pytest.fixture
async def auth(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, outbox: Path, env: dict[str, str]) -> BetterAuth:
    auth = build_auth(monkeypatch, f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}", outbox, **env)
    await auth.migrate()
    return auth


@pytest.fixture
async def new_client(auth: BetterAuth) -> AsyncIterator[Client]:
    async with browsers(auth_app(auth)) as make:
        yield make


async def mailed_link(auth: BetterAuth, client: httpx.AsyncClient, outbox: Path, **body: Any) -> dict[str, Any]:
    answer = await client.post("/sign-in/magic-link", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": True}
    await auth.mailer.drain()
    mail = last_mail(outbox)
    assert mail["type"] == "magic-link"
    return mail


def last_mail(outbox: Path) -> dict[str, Any]:
    mail: dict[str, Any] = json.loads(outbox.read_text().splitlines()[-1])
    return mail


def follow(mail: dict[str, Any]) -> str:
    """The part of the mailed URL after the auth base path."""
    assert mail["url"].startswith(VERIFY + "?")
    return mail["url"][len(f"{BASE_URL}/api/auth") :]


async def test_a_mailed_link_signs_up_then_in(monkeypatch: pytest.MonkeyPatch, fresh_url: str, outbox: Path) -> None:
    """On SQLite and PostgreSQL: the link (32 letters, callbackURL "/" by default) creates a verified user without
    an account row and redirects with the session; the token is stored only hashed (L5) and works once."""
    auth = build_auth(monkeypatch, fresh_url, outbox)
    await auth.migrate()
    async with browsers(auth_app(auth)) as new_client:
        mail = await mailed_link(auth, new_client(), outbox, email="Ann@Example.com", name="Ann")
        assert mail["to"] == "Ann@Example.com"  # as typed, as better-auth mails it
        token = mail["token"]
        assert len(token) == 32
        assert token.isalpha()
        assert mail["url"] == f"{VERIFY}?token={token}&callbackURL=%2F"
        async with auth.database.session() as db:
            rows = (await db.exec(text("SELECT identifier, value FROM verification"))).all()  # type: ignore[call-overload]
        assert [tuple(row) for row in rows] == [
            (f"magic-link:{sha256_base64url(token)}", '{"type":"magic-link","email":"Ann@Example.com","name":"Ann"}')
        ]
        browser = new_client()
        answer = await browser.get(follow(mail))
        assert answer.status_code == 302, answer.text
        assert answer.headers["location"] == f"{BASE_URL}/"
        assert SESSION_COOKIE in answer.headers["set-cookie"]
        session = (await browser.get("/get-session")).json()
        assert session["user"]["email"] == "ann@example.com"
        assert (session["user"]["name"], session["user"]["emailVerified"]) == ("Ann", True)
        assert (await browser.get("/list-accounts")).json() == []
        again = await new_client().get(follow(mail))
        assert again.headers["location"] == f"{BASE_URL}/?error=INVALID_TOKEN"
        assert "set-cookie" not in again.headers


async def test_without_callback_the_session_is_answered_as_json(
    auth: BetterAuth, new_client: Client, outbox: Path
) -> None:
    mail = await mailed_link(auth, new_client(), outbox, email="bob@example.com")
    answer = await new_client().get("/magic-link/verify", params={"token": mail["token"]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"token", "user", "session"}
    assert body["session"]["token"] == body["token"]
    assert body["user"]["name"] == ""


async def test_new_and_returning_users_go_to_their_callbacks(
    auth: BetterAuth, new_client: Client, outbox: Path
) -> None:
    urls = {"callbackURL": "/dash", "newUserCallbackURL": "/welcome", "errorCallbackURL": "/oops"}
    mail = await mailed_link(auth, new_client(), outbox, email="cy@example.com", **urls)
    query = urlsplit(mail["url"]).query
    assert query.endswith("&callbackURL=%2Fdash&newUserCallbackURL=%2Fwelcome&errorCallbackURL=%2Foops")
    assert (await new_client().get(follow(mail))).headers["location"] == f"{BASE_URL}/welcome"
    mail = await mailed_link(auth, new_client(), outbox, email="cy@example.com", name="Other", **urls)
    browser = new_client()
    assert (await browser.get(follow(mail))).headers["location"] == f"{BASE_URL}/dash"
    assert (await browser.get("/get-session")).json()["user"]["name"] == ""  # a name only for new users
    refused = await new_client().get(follow(mail))
    assert refused.headers["location"] == f"{BASE_URL}/oops?error=INVALID_TOKEN"


async def test_callback_urls_must_be_trusted(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    """Foreign targets are refused when the link is asked for (no mail) and when it is followed (before the token
    is looked at, so it stays usable); a trusted origin is allowed."""
    for field, code in (
        ("callbackURL", "INVALID_CALLBACK_URL"),
        ("newUserCallbackURL", "INVALID_NEW_USER_CALLBACK_URL"),
        ("errorCallbackURL", "INVALID_ERROR_CALLBACK_URL"),
    ):
        answer = await new_client().post("/sign-in/magic-link", json={"email": "d@example.com", field: "//evil.test"})
        assert (answer.status_code, answer.json()["code"]) == (403, code)
    assert not await asyncio.to_thread(outbox.exists)
    mail = await mailed_link(auth, new_client(), outbox, email="d@example.com")
    for field in ("callbackURL", "newUserCallbackURL", "errorCallbackURL"):
        answer = await new_client().get(
            "/magic-link/verify", params={"token": mail["token"], field: "https://evil.test/"}
        )
        assert (answer.status_code, answer.json()["code"]) == (403, "INVALID_CALLBACK_URL")
    target = "https://app.example.test/after"
    answer = await new_client().get("/magic-link/verify", params={"token": mail["token"], "callbackURL": target})
    assert (answer.status_code, answer.headers["location"]) == (302, target)


async def test_links_expire(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    mail = await mailed_link(auth, new_client(), outbox, email="e@example.com", callbackURL="/after?x=1")
    CLOCK.advance(timedelta(seconds=301))
    answer = await new_client().get(follow(mail))
    assert answer.headers["location"] == f"{BASE_URL}/after?x=1&error=INVALID_TOKEN"


async def test_a_link_stored_in_plain_text_by_a_node_app_is_accepted(auth: BetterAuth, new_client: Client) -> None:
    """better-auth's default `storeToken: "plain"` row works here; a stored hash presented as a token does not
    (L5: reading the table grants nothing)."""
    token = "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf"
    expires = CLOCK.now() + timedelta(minutes=5)
    async with auth.database.session() as db, db.begin():
        for identifier in (f"magic-link:{token}", f"magic-link:{sha256_base64url('x' * 32)}"):
            await db.exec(  # type: ignore[call-overload]
                text(
                    'INSERT INTO verification (id, identifier, value, "expiresAt", "createdAt", "updatedAt") '
                    "VALUES (:id, :identifier, :value, :expires, :now, :now)"
                ),
                params={
                    "id": identifier[-20:],
                    "identifier": identifier,
                    "value": '{"type":"magic-link","email":"node@example.com"}',
                    "expires": expires,
                    "now": CLOCK.now(),
                },
            )
    stolen = await new_client().get("/magic-link/verify", params={"token": sha256_base64url("x" * 32)})
    assert stolen.headers["location"] == f"{BASE_URL}/?error=INVALID_TOKEN"
    answer = await new_client().get("/magic-link/verify", params={"token": token})
    assert answer.status_code == 200, answer.text
    assert answer.json()["user"]["email"] == "node@example.com"


async def test_an_unverified_account_is_taken_over_only_after_losing_its_password_and_sessions(
    auth: BetterAuth, new_client: Client, outbox: Path
) -> None:
    """Someone signed up with a stranger's address: when the mailbox's owner follows a link, the password and the
    sessions set up before that proof are gone (L5)."""
    squatter = new_client()
    signed_up = await squatter.post(
        "/sign-up/email", json={"name": "Sq", "email": "f@example.com", "password": PASSWORD}
    )
    assert signed_up.status_code == 200
    mail = await mailed_link(auth, new_client(), outbox, email="f@example.com")
    owner = new_client()
    assert (await owner.get(follow(mail))).status_code == 302
    assert (await squatter.get("/get-session")).json() is None
    password = await new_client().post("/sign-in/email", json={"email": "f@example.com", "password": PASSWORD})
    assert password.status_code == 401
    assert (await owner.get("/get-session")).json()["user"]["emailVerified"] is True


@pytest.mark.parametrize("env", [{"BETTER_AUTH_PLUGINS__MAGIC_LINK__DISABLE_SIGN_UP": "true"}])
async def test_sign_up_switched_off(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    mail = await mailed_link(auth, new_client(), outbox, email="g@example.com", errorCallbackURL="/oops")
    answer = await new_client().get(follow(mail))
    assert answer.headers["location"] == f"{BASE_URL}/oops?error=new_user_signup_disabled"
    assert "set-cookie" not in answer.headers


async def test_rate_limit_rules_follow_better_auth(auth: BetterAuth) -> None:
    plugin = next(plugin for plugin in auth.plugins if plugin.id == "magic_link")
    rules = plugin.rate_limit_rules()
    assert set(rules) == {"/sign-in/magic-link", "/magic-link/verify"}
    assert all((rule.window, rule.max) == (60, 5) for rule in rules.values())  # type: ignore[union-attr]


@pytest.mark.parametrize("env", [{"BETTER_AUTH_PLUGINS__ADMIN__ENABLED": "true"}])
async def test_the_sign_in_stages_apply(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    """A banned user's link redirects with the ban's code and makes no session (the admin plugin's stage)."""
    mail = await mailed_link(auth, new_client(), outbox, email="ban@example.com")
    assert (await new_client().get(follow(mail))).status_code == 302
    async with auth.database.session() as db, db.begin():
        await db.exec(text("UPDATE \"user\" SET banned = true WHERE email = 'ban@example.com'"))  # type: ignore[call-overload]
    mail = await mailed_link(auth, new_client(), outbox, email="ban@example.com", errorCallbackURL="/oops")
    answer = await new_client().get(follow(mail))
    assert answer.headers["location"] == f"{BASE_URL}/oops?error=BANNED_USER"
    assert "set-cookie" not in answer.headers
