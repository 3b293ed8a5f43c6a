"""`POST /sign-in/email` (docs/better-auth.md#sign-in, #origin-check): the wire shape, failures that do not
tell an unknown email from a wrong password (L1), no session fixation (S2) and the login-CSRF checks (C4)."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import update
from sqlmodel import select

from fastapi_betterauth import BetterAuth, ManualClock
from fastapi_betterauth.crypto.passwords import Verification
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Session, User

from ..conftest import (
    PASSWORD,
    ClientFactory,
    ConfiguredClientFactory,
    QueryCounter,
    set_cookies,
    sign_in,
    sign_up,
)

SESSION_STORES = ("database", "stateless")

SESSION_COOKIE = "__Secure-better-auth.session_token"
TOKEN = re.compile(r"^[A-Za-z0-9]{32}$")
USER_KEYS = ["name", "email", "emailVerified", "image", "createdAt", "updatedAt", "id"]
INVALID_CREDENTIALS = {"code": "INVALID_EMAIL_OR_PASSWORD", "message": "Invalid email or password"}
FORM = {"email": "ann@example.com", "password": PASSWORD}


async def session_tokens(database: Database) -> set[str]:
    async with database.session() as db:
        return set((await db.exec(select(Session.token))).all())


@pytest.fixture
async def signed_up(make_client: ClientFactory) -> dict[str, Any]:
    """Ann exists (signed up from another browser); returns the sign-up answer."""
    response = await sign_up(make_client())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_success_shape(client: httpx.AsyncClient, signed_up: dict[str, Any], clock: ManualClock) -> None:
    clock.advance(timedelta(hours=1))
    response = await sign_in(client)

    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["redirect", "token", "user"]  # no "url" key at all without a callbackURL
    assert body["redirect"] is False
    assert TOKEN.match(body["token"])
    assert body["token"] != signed_up["token"]
    assert list(body["user"]) == USER_KEYS
    assert body["user"] == signed_up["user"]
    assert "location" not in response.headers
    cookie = set_cookies(response)[SESSION_COOKIE]
    assert cookie.startswith(f"{SESSION_COOKIE}={body['token']}.")
    assert cookie.endswith("; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax")
    me = await client.get("/me")
    assert me.json() == {"id": signed_up["user"]["id"], "email": "ann@example.com"}


async def test_callback_url_gives_redirect_url_and_location_on_a_200(
    client: httpx.AsyncClient, signed_up: dict[str, Any]
) -> None:
    response = await sign_in(client, callbackURL="/dashboard")

    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["redirect", "token", "url", "user"]
    assert body["redirect"] is True
    assert body["url"] == "/dashboard"
    assert response.headers["location"] == "/dashboard"
    assert SESSION_COOKIE in set_cookies(response)


async def test_absolute_trusted_callback_url(client: httpx.AsyncClient, signed_up: dict[str, Any]) -> None:
    response = await sign_in(client, callbackURL="https://testserver/app?tab=1")

    assert response.status_code == 200, response.text
    assert response.json()["url"] == "https://testserver/app?tab=1"
    assert response.headers["location"] == "https://testserver/app?tab=1"


UNTRUSTED_CALLBACK_URLS = [
    "https://evil.example/dashboard",
    "//evil.example",
    "https://testserver.evil.example/",
    "https://testserver/a\r\nSet-Cookie: planted=1",  # would split the `Location` header
    "https://testserver/a\nb",
]


async def test_untrusted_callback_url_is_403_without_session(
    client: httpx.AsyncClient, database: Database, signed_up: dict[str, Any]
) -> None:
    before = await session_tokens(database)
    for callback_url in UNTRUSTED_CALLBACK_URLS:
        response = await sign_in(client, callbackURL=callback_url)

        assert response.status_code == 403, callback_url
        assert response.json() == {"code": "INVALID_CALLBACK_URL", "message": "Invalid callbackURL"}
        assert "set-cookie" not in response.headers
        assert "location" not in response.headers
    assert await session_tokens(database) == before


async def test_wrong_password_and_unknown_email_are_indistinguishable(
    client: httpx.AsyncClient, database: Database, signed_up: dict[str, Any]
) -> None:
    """L1: same status, same body, same headers, and no cookie."""
    before = await session_tokens(database)
    wrong = await sign_in(client, password="wrong password")
    unknown = await sign_in(client, email="nobody@example.com")

    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json() == INVALID_CREDENTIALS
        assert "set-cookie" not in response.headers
    assert wrong.content == unknown.content
    assert sorted(wrong.headers.items()) == sorted(unknown.headers.items())
    assert await session_tokens(database) == before


async def test_user_without_a_password_fails_like_an_unknown_one(
    client: httpx.AsyncClient, database: Database, auth: BetterAuth, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L1: a user with no credential account (say, social sign-in only) answers like an unknown email, after a
    password verification all the same."""
    async with database.session() as db, db.begin():
        db.add(User(name="Oauth", email="oauth@example.com"))
    checked = count_verifications(auth, monkeypatch)

    response = await sign_in(client, email="oauth@example.com")

    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS
    assert len(checked) == 1


def count_verifications(auth: BetterAuth, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the stored hash of every password verification the app runs (the real verification still runs)."""
    checked: list[str] = []
    verify = auth.passwords.verify

    async def recording_verify(password: str, stored: str) -> Verification:
        checked.append(stored)
        return await verify(password, stored)

    monkeypatch.setattr(auth.passwords, "verify", recording_verify)
    return checked


@pytest.mark.real_password_hashing
async def test_unknown_email_still_verifies_a_password(
    client: httpx.AsyncClient, auth: BetterAuth, signed_up: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """L1: an unknown email costs one real argon2 verification, like a wrong password."""
    checked = count_verifications(auth, monkeypatch)

    await sign_in(client, email="nobody@example.com")
    await sign_in(client, email="nobody@example.com", password="something else")
    await sign_in(client, password="wrong password")

    assert len(checked) == 3
    assert all(stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for stored in checked)


@pytest.mark.real_password_hashing
async def test_unknown_email_takes_as_long_as_a_wrong_password(
    client: httpx.AsyncClient, signed_up: dict[str, Any]
) -> None:
    """L1: timing. Without a dummy verification an unknown email costs a few ms, a wrong password tens.

    What is compared is the CPU time the process spends on each answer (the app runs in it, hashing threads
    included), not the wall time: on a machine busy with other jobs, waiting for a CPU made the medians of the two
    differ by more than 2x with the same work done. The work done is what an attacker's timing reveals."""
    await sign_in(client, email="nobody@example.com")  # the first one also makes the dummy hash
    await sign_in(client, password="wrong password")
    unknown: list[float] = []
    wrong: list[float] = []
    for _ in range(7):  # interleaved, so whatever else the process does hits both alike
        for email, password, durations in (
            ("nobody@example.com", PASSWORD, unknown),
            ("ann@example.com", "wrong password", wrong),
        ):
            start = time.process_time()
            response = await sign_in(client, email=email, password=password)
            durations.append(time.process_time() - start)
            assert response.status_code == 401
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.5 < ratio < 2, (unknown, wrong)


async def test_malformed_email_is_400_invalid_email(client: httpx.AsyncClient) -> None:
    for email in ["not-an-email", "ann@", "@example.com", "ann@example", "ann example@x.com", "", "a" * 250 + "@x.io"]:
        response = await sign_in(client, email=email)

        assert response.status_code == 400, email
        assert response.json() == {"code": "INVALID_EMAIL", "message": "Invalid email"}


async def test_too_long_password_is_refused_before_any_lookup(
    client: httpx.AsyncClient,
    auth: BetterAuth,
    signed_up: dict[str, Any],
    queries: QueryCounter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = count_verifications(auth, monkeypatch)
    queries.statements.clear()

    known = await sign_in(client, password="x" * 129)
    unknown = await sign_in(client, email="nobody@example.com", password="x" * 129)

    for response in (known, unknown):
        assert response.status_code == 400
        assert response.json() == {"code": "PASSWORD_TOO_LONG", "message": "Password too long"}
    assert queries.statements == []
    assert checked == []
    # 128 characters are looked up as usual.
    assert (await sign_in(client, password="x" * 128)).json() == INVALID_CREDENTIALS


async def test_require_email_verification_refuses_unverified_users(
    make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    client = await make_configured_client(email_and_password={"require_email_verification": True})
    assert (await sign_up(client)).status_code == 200

    wrong = await sign_in(client, password="wrong password")
    unverified = await sign_in(client)

    # The password is checked first: only its owner learns that the address is unverified.
    assert wrong.status_code == 401
    assert wrong.json() == INVALID_CREDENTIALS
    assert unverified.status_code == 403
    assert unverified.json() == {"code": "EMAIL_NOT_VERIFIED", "message": "Email not verified"}
    assert "set-cookie" not in unverified.headers
    assert await session_tokens(database) == set()

    async with database.session() as db, db.begin():
        await db.exec(update(User).where(User.email == "ann@example.com").values(email_verified=True))  # type: ignore[arg-type]
    verified = await sign_in(client)
    assert verified.status_code == 200
    assert verified.json()["user"]["emailVerified"] is True


@pytest.mark.database_sessions
async def test_sign_in_never_adopts_a_presented_session(
    make_client: ClientFactory, database: Database, signed_up: dict[str, Any]
) -> None:
    """S2: an attacker plants their own valid session cookie in the victim's browser; when the victim signs in, a
    new token is issued and the browser is the victim's, not the attacker's session."""
    attacker = make_client()
    mallory = (await sign_up(attacker, email="mallory@example.com")).json()
    planted = f"{SESSION_COOKIE}={attacker.cookies[SESSION_COOKIE]}"
    victim = make_client()
    assert (await victim.get("/me", headers={"cookie": planted})).json()["email"] == "mallory@example.com"

    response = await victim.post("/api/auth/sign-in/email", json=FORM, headers={"cookie": planted})

    assert response.status_code == 200, response.text
    token = response.json()["token"]
    assert token not in (mallory["token"], signed_up["token"])
    assert mallory["token"] not in set_cookies(response)[SESSION_COOKIE]
    assert (await victim.get("/me")).json()["email"] == "ann@example.com"
    assert await session_tokens(database) == {mallory["token"], signed_up["token"], token}


async def test_form_urlencoded_sign_in(client: httpx.AsyncClient, signed_up: dict[str, Any]) -> None:
    response = await client.post("/api/auth/sign-in/email", data={**FORM, "callbackURL": "/dashboard"})

    assert response.status_code == 200, response.text
    assert response.json()["redirect"] is True
    assert response.headers["location"] == "/dashboard"
    assert SESSION_COOKIE in set_cookies(response)


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "origin": "https://evil.example"},
        {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"},
    ],
    ids=["with-origin", "without-origin"],
)
async def test_cross_site_navigation_form_post_is_blocked(
    make_client: ClientFactory, database: Database, signed_up: dict[str, Any], headers: dict[str, str]
) -> None:
    """C4: a cross-site HTML form that would sign the victim into the attacker's account."""
    before = await session_tokens(database)
    client = make_client(headers=headers)

    response = await client.post("/api/auth/sign-in/email", data=FORM)

    assert response.status_code == 403
    assert response.json() == {
        "code": "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
        "message": "Cross-site navigation login blocked. This request appears to be a CSRF attack.",
    }
    assert "set-cookie" not in response.headers
    assert await session_tokens(database) == before


async def test_same_origin_navigation_form_post_is_allowed(
    make_client: ClientFactory, signed_up: dict[str, Any]
) -> None:
    client = make_client(
        headers={"sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate", "origin": "https://testserver"}
    )

    response = await client.post("/api/auth/sign-in/email", data=FORM)

    assert response.status_code == 200, response.text


FOREIGN_ORIGINS = [
    ({"origin": "https://evil.example"}, "INVALID_ORIGIN", "Invalid origin"),
    ({"referer": "https://evil.example/login"}, "INVALID_ORIGIN", "Invalid origin"),
    ({"origin": "https://testserver.evil.example"}, "INVALID_ORIGIN", "Invalid origin"),
    ({"origin": "http://testserver"}, "INVALID_ORIGIN", "Invalid origin"),
    ({"origin": "null"}, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin"),
    ({"sec-fetch-site": "same-site", "sec-fetch-mode": "cors"}, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin"),
]


async def test_foreign_origin_is_403(make_client: ClientFactory, database: Database, signed_up: dict[str, Any]) -> None:
    """C4: no login from a page on another origin."""
    before = await session_tokens(database)
    for headers, code, message in FOREIGN_ORIGINS:
        response = await sign_in(make_client(headers=headers))

        assert response.status_code == 403, headers
        assert response.json() == {"code": code, "message": message}
        assert "set-cookie" not in response.headers
    assert await session_tokens(database) == before


async def test_foreign_origin_cannot_sign_up_either(make_client: ClientFactory, database: Database) -> None:
    response = await sign_up(make_client(headers={"origin": "https://evil.example"}))

    assert response.status_code == 403
    assert response.json()["code"] == "INVALID_ORIGIN"
    async with database.session() as db:
        assert (await db.exec(select(User))).all() == []


@pytest.mark.parametrize("headers", [{}, {"referer": "https://testserver/login"}], ids=["curl", "trusted-referer"])
async def test_requests_without_browser_headers_are_allowed(
    make_client: ClientFactory, signed_up: dict[str, Any], headers: dict[str, str]
) -> None:
    """A server-to-server call (no Origin, no cookie, no Fetch Metadata) is allowed, like better-auth."""
    client = make_client(headers=headers)

    response = await sign_in(client)

    assert response.status_code == 200, response.text
    assert "origin" not in response.request.headers


async def test_remember_me_false(client: httpx.AsyncClient, signed_up: dict[str, Any]) -> None:
    response = await sign_in(client, rememberMe=False)

    assert response.status_code == 200
    cookies = set_cookies(response)
    assert "Max-Age" not in cookies[SESSION_COOKIE]
    assert "__Secure-better-auth.dont_remember" in cookies
    assert (await client.get("/me")).status_code == 200

    # Signing in again, remembered this time, drops the browser's dont_remember cookie (as better-auth does).
    remembered = await sign_in(client)
    assert "Max-Age=604800" in set_cookies(remembered)[SESSION_COOKIE]
    assert "Max-Age=0;" in set_cookies(remembered)["__Secure-better-auth.dont_remember"]
    assert "__Secure-better-auth.dont_remember" not in client.cookies


async def test_responses_with_a_session_are_not_cached(client: httpx.AsyncClient) -> None:
    """C6: a token in a body must not sit in a shared cache."""
    for response in (await sign_up(client), await sign_in(client)):
        assert response.headers["cache-control"] == "no-store"
