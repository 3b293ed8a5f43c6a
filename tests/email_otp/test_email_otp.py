"""The email-otp plugin, switched on from environment settings alone, over HTTP (SQLite, and PostgreSQL for the
main flows): codes mailed for sign-in (creating the user), address verification and password reset, single use,
type scoping, expiry, the attempt limit, dry-run checks, codes hashed at rest and codes a Node better-auth app stored
in plain text, and answers that do not reveal who has an account (docs/security.md L5)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import text

from fastapi_betterauth import BetterAuth, ManualClock
from fastapi_betterauth.crypto.tokens import sha256_base64url

from ..conftest import PASSWORD
from ..env_app import Client, auth_app, browsers, env_auth
from ..test_migrations import fresh_url, postgres_db

__all__ = ["fresh_url", "postgres_db"]  # fixtures, used by name

SESSION_COOKIE = "__Secure-better-auth.session_token"  # the test app is served over https
CLOCK = ManualClock()


def build_auth(monkeypatch: pytest.MonkeyPatch, url: str, outbox: Path, **env: str) -> BetterAuth:
    environment = {
        "BETTER_AUTH_PLUGINS__EMAIL_OTP__ENABLED": "true",
        "BETTER_AUTH_EMAIL__OUTBOX": str(outbox),
        **env,
    }
    return env_auth(monkeypatch, url, environment, clock=CLOCK)


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


def mails(outbox: Path) -> list[dict[str, Any]]:
    if not outbox.exists():
        return []
    return [json.loads(line) for line in outbox.read_text().splitlines()]


async def settled(auth: BetterAuth, outbox: Path) -> list[dict[str, Any]]:
    """Every mail sent, once the background sends are done."""
    await auth.background.drain()
    await auth.mailer.drain()
    return await asyncio.to_thread(mails, outbox)


async def send(auth: BetterAuth, client: httpx.AsyncClient, outbox: Path, email: str, otp_type: str) -> str:
    answer = await client.post("/email-otp/send-verification-otp", json={"email": email, "type": otp_type})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"success": True}
    mail = (await settled(auth, outbox))[-1]
    assert (mail["type"], mail["otpType"], mail["to"]) == ("email-otp", otp_type, email.lower())
    otp: str = mail["otp"]
    return otp


async def stored(auth: BetterAuth) -> list[tuple[str, str]]:
    async with auth.database.session() as db:
        rows = (await db.exec(text("SELECT identifier, value FROM verification"))).all()  # type: ignore[call-overload]
    return [(row[0], row[1]) for row in rows]


async def test_sign_in_with_a_code_creates_the_user(
    monkeypatch: pytest.MonkeyPatch, fresh_url: str, outbox: Path
) -> None:
    """On SQLite and PostgreSQL: the code (6 digits) is stored as better-auth's hashed form, signs up a verified
    user with a session, and works once."""
    auth = build_auth(monkeypatch, fresh_url, outbox)
    await auth.migrate()
    async with browsers(auth_app(auth)) as new_client:
        otp = await send(auth, new_client(), outbox, "Ann@Example.com", "sign-in")
        assert len(otp) == 6
        assert otp.isdigit()
        assert await stored(auth) == [("sign-in-otp-ann@example.com", f"{sha256_base64url(otp)}:0")]
        browser = new_client()
        answer = await browser.post("/sign-in/email-otp", json={"email": "ann@example.com", "otp": otp, "name": "Ann"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"token", "user"}
        assert (body["user"]["name"], body["user"]["emailVerified"]) == ("Ann", True)
        assert SESSION_COOKIE in answer.headers["set-cookie"]
        assert (await browser.get("/get-session")).json()["user"]["id"] == body["user"]["id"]
        again = await new_client().post("/sign-in/email-otp", json={"email": "ann@example.com", "otp": otp})
        assert (again.status_code, again.json()["code"]) == (400, "INVALID_OTP")


async def test_verify_email_and_reset_password_with_codes(
    monkeypatch: pytest.MonkeyPatch, fresh_url: str, outbox: Path
) -> None:
    """On SQLite and PostgreSQL: a code verifies the address; another sets a new password (after its length is
    checked, which keeps the code); codes are scoped to their type; a dry-run check does not use them up."""
    auth = build_auth(monkeypatch, fresh_url, outbox)
    await auth.migrate()
    async with browsers(auth_app(auth)) as new_client:
        user = new_client()
        signed_up = await user.post(
            "/sign-up/email", json={"name": "Bo", "email": "bo@example.com", "password": PASSWORD}
        )
        assert signed_up.status_code == 200
        otp = await send(auth, new_client(), outbox, "bo@example.com", "email-verification")
        wrong_type = await new_client().post(
            "/email-otp/check-verification-otp", json={"email": "bo@example.com", "type": "sign-in", "otp": otp}
        )
        assert wrong_type.json()["code"] == "INVALID_OTP"
        check = {"email": "bo@example.com", "type": "email-verification", "otp": otp}
        for _ in range(2):
            assert (await new_client().post("/email-otp/check-verification-otp", json=check)).json() == {
                "success": True
            }
        verified = await new_client().post("/email-otp/verify-email", json={"email": "bo@example.com", "otp": otp})
        assert verified.status_code == 200, verified.text
        assert verified.json()["status"] is True
        assert verified.json()["token"] is None
        assert verified.json()["user"]["emailVerified"] is True

        asked = await new_client().post("/email-otp/request-password-reset", json={"email": "bo@example.com"})
        assert asked.json() == {"success": True}
        otp = (await settled(auth, outbox))[-1]["otp"]
        reset = {"email": "bo@example.com", "otp": otp}
        short = await new_client().post("/email-otp/reset-password", json={**reset, "password": "short"})
        assert short.json()["code"] == "PASSWORD_TOO_SHORT"
        done = await new_client().post("/email-otp/reset-password", json={**reset, "password": "a-new-password-1"})
        assert done.json() == {"success": True}
        old = await new_client().post("/sign-in/email", json={"email": "bo@example.com", "password": PASSWORD})
        assert old.status_code == 401
        new = await new_client().post(
            "/sign-in/email", json={"email": "bo@example.com", "password": "a-new-password-1"}
        )
        assert new.status_code == 200


async def test_the_attempt_limit(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    """Three wrong guesses are answered `INVALID_OTP`; the next try, even right, `TOO_MANY_ATTEMPTS` (403), and the
    code is gone; a new code starts over."""
    otp = await send(auth, new_client(), outbox, "cy@example.com", "sign-in")
    wrong = "".join("1" if digit != "1" else "2" for digit in otp)
    for _ in range(3):
        answer = await new_client().post("/sign-in/email-otp", json={"email": "cy@example.com", "otp": wrong})
        assert (answer.status_code, answer.json()["code"]) == (400, "INVALID_OTP")
    assert (await stored(auth))[0][1].endswith(":3")
    answer = await new_client().post("/sign-in/email-otp", json={"email": "cy@example.com", "otp": otp})
    assert (answer.status_code, answer.json()) == (403, {"code": "TOO_MANY_ATTEMPTS", "message": "Too many attempts"})
    answer = await new_client().post("/sign-in/email-otp", json={"email": "cy@example.com", "otp": otp})
    assert answer.json()["code"] == "INVALID_OTP"
    otp = await send(auth, new_client(), outbox, "cy@example.com", "sign-in")
    assert (
        await new_client().post("/sign-in/email-otp", json={"email": "cy@example.com", "otp": otp})
    ).status_code == 200


async def test_codes_expire(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    otp = await send(auth, new_client(), outbox, "di@example.com", "sign-in")
    CLOCK.advance(timedelta(seconds=301))
    answer = await new_client().post("/sign-in/email-otp", json={"email": "di@example.com", "otp": otp})
    assert (answer.status_code, answer.json()["code"]) == (400, "OTP_EXPIRED")
    answer = await new_client().post("/sign-in/email-otp", json={"email": "di@example.com", "otp": otp})
    assert answer.json()["code"] == "INVALID_OTP"


async def test_a_new_code_replaces_the_previous_one(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    first = await send(auth, new_client(), outbox, "ed@example.com", "sign-in")
    second = await send(auth, new_client(), outbox, "ed@example.com", "sign-in")
    assert len(await stored(auth)) == 1
    if first != second:
        answer = await new_client().post("/sign-in/email-otp", json={"email": "ed@example.com", "otp": first})
        assert answer.json()["code"] == "INVALID_OTP"
    answer = await new_client().post("/sign-in/email-otp", json={"email": "ed@example.com", "otp": second})
    assert answer.status_code == 200


async def test_unknown_addresses_get_the_same_answer_and_no_mail(
    auth: BetterAuth, new_client: Client, outbox: Path
) -> None:
    for otp_type in ("email-verification", "forget-password"):
        answer = await new_client().post(
            "/email-otp/send-verification-otp", json={"email": "nobody@example.com", "type": otp_type}
        )
        assert answer.json() == {"success": True}
    for path in ("/forget-password/email-otp", "/email-otp/request-password-reset"):
        assert (await new_client().post(path, json={"email": "nobody@example.com"})).json() == {"success": True}
    assert await settled(auth, outbox) == []
    assert await stored(auth) == []


async def test_request_validation(new_client: Client) -> None:
    client = new_client()
    answer = await client.post("/email-otp/send-verification-otp", json={"email": "a@example.com", "type": "bogus"})
    assert answer.json()["code"] == "VALIDATION_ERROR"
    answer = await client.post(
        "/email-otp/send-verification-otp", json={"email": "a@example.com", "type": "change-email"}
    )
    assert (answer.status_code, answer.json()) == (400, {"message": "Invalid OTP type"})
    answer = await client.post("/email-otp/send-verification-otp", json={"email": "nope", "type": "sign-in"})
    assert answer.json()["code"] == "INVALID_EMAIL"
    answer = await client.post("/sign-in/email-otp", json={"email": "a@example.com"})
    assert answer.json()["message"] == "[body.otp] Invalid input: expected string, received undefined"


async def test_a_code_stored_in_plain_text_by_a_node_app_is_accepted(auth: BetterAuth, new_client: Client) -> None:
    """better-auth's default `storeOTP: "plain"` row works here; its digest presented as the code does not."""
    async with auth.database.session() as db, db.begin():
        await db.exec(  # type: ignore[call-overload]
            text(
                'INSERT INTO verification (id, identifier, value, "expiresAt", "createdAt", "updatedAt") '
                "VALUES ('n1', 'sign-in-otp-node@example.com', '482913:0', :expires, :now, :now)"
            ),
            params={"expires": CLOCK.now() + timedelta(minutes=5), "now": CLOCK.now()},
        )
    answer = await new_client().post("/sign-in/email-otp", json={"email": "node@example.com", "otp": "482913"})
    assert answer.status_code == 200, answer.text


async def test_sign_in_strips_an_unverified_account(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    """An address proven by a code takes over an unverified account only without its password and sessions (L5)."""
    squatter = new_client()
    await squatter.post("/sign-up/email", json={"name": "Sq", "email": "fi@example.com", "password": PASSWORD})
    otp = await send(auth, new_client(), outbox, "fi@example.com", "sign-in")
    answer = await new_client().post("/sign-in/email-otp", json={"email": "fi@example.com", "otp": otp})
    assert answer.status_code == 200
    assert (await squatter.get("/get-session")).json() is None
    old = await new_client().post("/sign-in/email", json={"email": "fi@example.com", "password": PASSWORD})
    assert old.status_code == 401


@pytest.mark.parametrize("env", [{"BETTER_AUTH_PLUGINS__EMAIL_OTP__DISABLE_SIGN_UP": "true"}])
async def test_sign_up_switched_off(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    answer = await new_client().post(
        "/email-otp/send-verification-otp", json={"email": "gu@example.com", "type": "sign-in"}
    )
    assert answer.json() == {"success": True}
    assert await settled(auth, outbox) == []
    answer = await new_client().post("/sign-in/email-otp", json={"email": "gu@example.com", "otp": "000000"})
    assert answer.json()["code"] == "INVALID_OTP"


async def test_sign_in_has_the_sign_in_origin_check(new_client: Client) -> None:
    """Unlike better-auth's plugin, a cross-site form cannot sign a browser in with a code (README differences)."""
    answer = await new_client().post(
        "/sign-in/email-otp",
        json={"email": "a@example.com", "otp": "123456"},
        headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"},
    )
    assert (answer.status_code, answer.json()["code"]) == (403, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED")


@pytest.mark.parametrize(
    "env",
    [
        {
            "BETTER_AUTH_PLUGINS__EMAIL_OTP__OVERRIDE_DEFAULT_EMAIL_VERIFICATION": "true",
            "BETTER_AUTH_EMAIL_VERIFICATION__SEND_ON_SIGN_UP": "true",
        }
    ],
)
async def test_codes_can_replace_the_verification_link(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    """With `override_default_email_verification`, the core's verification emails are codes (at sign-up and on
    `send-verification-email`), and the code verifies the address."""
    client = new_client()
    await client.post("/sign-up/email", json={"name": "Hu", "email": "hu@example.com", "password": PASSWORD})
    sent = await settled(auth, outbox)
    assert [(mail["type"], mail.get("otpType")) for mail in sent] == [("email-otp", "email-verification")]
    answer = await new_client().post("/send-verification-email", json={"email": "hu@example.com"})
    assert answer.status_code == 200, answer.text
    otp = (await settled(auth, outbox))[-1]["otp"]
    verified = await new_client().post("/email-otp/verify-email", json={"email": "hu@example.com", "otp": otp})
    assert verified.json()["user"]["emailVerified"] is True


@pytest.mark.parametrize("env", [{"BETTER_AUTH_PLUGINS__EMAIL_OTP__SEND_VERIFICATION_ON_SIGN_UP": "true"}])
async def test_a_code_can_go_with_every_sign_up(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    await new_client().post("/sign-up/email", json={"name": "Io", "email": "io@example.com", "password": PASSWORD})
    sent = await settled(auth, outbox)
    assert [(mail["type"], mail.get("otpType")) for mail in sent] == [("email-otp", "email-verification")]


async def test_rate_limit_rules_follow_better_auth(auth: BetterAuth) -> None:
    """Each route its own rule of 3 requests a minute per client address, as better-auth's plugin."""
    plugin = next(plugin for plugin in auth.plugins if plugin.id == "email_otp")
    rules = plugin.rate_limit_rules()
    assert "/email-otp/send-verification-otp" in rules
    assert "/sign-in/email-otp" in rules
    assert len(rules) == 7
    assert all((rule.window, rule.max) == (60, 3) for rule in rules.values())  # type: ignore[union-attr]
