"""The two-factor plugin, switched on from environment settings alone, over HTTP (on SQLite, and PostgreSQL for the
main flow): enabling with an authenticator (codes computed here, RFC 6238), the sign-in challenge of every password
sign-in, backup codes, codes sent by email, trusted devices, attempt limits and the account lockout, disabling, and
`require_two_factor` in an app's route; secrets at rest in better-auth's envelope."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import struct
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx2 as httpx
import pytest
from fastapi import Depends
from sqlmodel import select

from fastapi_betterauth import ApiKeys, BetterAuth, User
from fastapi_betterauth.crypto.envelope import open_sealed
from fastapi_betterauth.crypto.keyring import Keyring
from fastapi_betterauth.mail import TemplateContext, Templates
from fastapi_betterauth.two_factor import require_two_factor
from fastapi_betterauth.two_factor.models import TwoFactor

from ..conftest import BASE_URL, PASSWORD, TEST_SECRET
from ..env_app import Client, auth_app, browsers, env_auth
from ..test_migrations import fresh_url, postgres_db

__all__ = ["fresh_url", "postgres_db"]  # fixtures, used by name

SESSION_COOKIE = "__Secure-better-auth.session_token"  # the test app is served over https
TWO_FACTOR_COOKIE = "__Secure-better-auth.two_factor"
TRUST_COOKIE = "__Secure-better-auth.trust_device"


def totp(key: bytes, at: float | None = None) -> str:
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return str((struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000).zfill(6)


def key_of(uri: str) -> bytes:
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def wrong_code(key: bytes) -> str:
    valid = {totp(key, time.time() + offset) for offset in range(-90, 91, 30)}
    return next(code for code in (f"{n:06d}" for n in range(123456, 999999, 7919)) if code not in valid)


def settle() -> None:
    """Wait past a period boundary that is less than 3 s away: a code made now stays valid on arrival."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.2)


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """The Set-Cookie headers by cookie name (the whole header)."""
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def last_mail(outbox: Path) -> dict[str, Any]:
    mail: dict[str, Any] = json.loads(outbox.read_text().splitlines()[-1])
    return mail


def error(response: httpx.Response) -> tuple[int, str | None]:
    return response.status_code, response.json().get("code")


def build_auth(
    monkeypatch: pytest.MonkeyPatch, url: str, outbox: Path, env: dict[str, str] | None = None, **arguments: Any
) -> BetterAuth:
    environment = {
        "BETTER_AUTH_PLUGINS__TWO_FACTOR__ENABLED": "true",
        "BETTER_AUTH_PLUGINS__TWO_FACTOR__ISSUER": "Acme Co",
        "BETTER_AUTH_PLUGINS__USERNAME__ENABLED": "true",
        "BETTER_AUTH_EMAIL__OUTBOX": str(outbox),
        **(env or {}),
    }
    return env_auth(monkeypatch, url, environment, **arguments)


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox.jsonl"


@pytest.fixture
def env() -> dict[str, str]:
    """More environment settings, for a test to change before `auth` is built."""
    return {}


@pytest.fixture
async def auth(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, outbox: Path, env: dict[str, str]) -> BetterAuth:
    auth = build_auth(monkeypatch, f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}", outbox, env)
    await auth.migrate()
    return auth


@pytest.fixture
async def new_client(auth: BetterAuth) -> AsyncIterator[Client]:
    app = auth_app(auth)

    @app.get("/billing")
    async def billing(user: Annotated[User, Depends(require_two_factor)]) -> dict[str, str]:
        return {"id": user.id}

    async with browsers(app) as make:
        yield make


async def signed_up(new_client: Client, email: str = "ann@example.com", **extra: Any) -> httpx.AsyncClient:
    client = new_client()
    answer = await client.post("/sign-up/email", json={"name": "Ann", "email": email, "password": PASSWORD, **extra})
    assert answer.status_code == 200, answer.text
    return client


async def enabled(client: httpx.AsyncClient) -> tuple[bytes, list[str]]:
    """enable + the first verify-totp: the authenticator key and the backup codes."""
    started = (await client.post("/two-factor/enable", json={"password": PASSWORD})).json()
    key = key_of(started["totpURI"])
    settle()
    assert (await client.post("/two-factor/verify-totp", json={"code": totp(key)})).status_code == 200
    return key, started["backupCodes"]


async def challenged(new_client: Client, email: str = "ann@example.com", **extra: Any) -> httpx.AsyncClient:
    browser = new_client()
    answer = await browser.post("/sign-in/email", json={"email": email, "password": PASSWORD, **extra})
    assert answer.json() == {"twoFactorRedirect": True, "twoFactorMethods": ["totp", "otp"]}, answer.text
    return browser


async def test_enable_then_sign_in_with_an_authenticator_code(
    monkeypatch: pytest.MonkeyPatch, fresh_url: str, outbox: Path
) -> None:
    """The whole flow on SQLite and PostgreSQL; the challenge leaves no session until the code completes it."""
    auth = build_auth(monkeypatch, fresh_url, outbox)
    await auth.migrate()
    async with browsers(auth_app(auth)) as new_client:
        client = await signed_up(new_client)
        started = await client.post("/two-factor/enable", json={"password": PASSWORD})
        assert started.status_code == 200, started.text
        body = started.json()
        assert set(body) == {"method", "totpURI", "backupCodes"}
        assert body["method"] == "totp"
        assert body["totpURI"].startswith("otpauth://totp/Acme%20Co:ann%40example.com?secret=")
        assert body["totpURI"].endswith("&issuer=Acme+Co&digits=6&period=30")
        assert len(body["backupCodes"]) == 10
        assert (await client.get("/get-session")).json()["user"]["twoFactorEnabled"] is False
        key = key_of(body["totpURI"])
        old_token = client.cookies[SESSION_COOKIE]
        settle()
        verified = await client.post("/two-factor/verify-totp", json={"code": totp(key)})
        assert verified.status_code == 200, verified.text
        assert SESSION_COOKIE in set_cookies(verified)
        assert client.cookies[SESSION_COOKIE] != old_token
        assert (await client.get("/get-session")).json()["user"]["twoFactorEnabled"] is True

        browser = await challenged(new_client)
        assert (await browser.get("/get-session")).json() is None
        assert unquote(browser.cookies[TWO_FACTOR_COOKIE]).startswith("2fa-")
        settle()
        done = await browser.post("/two-factor/verify-totp", json={"code": totp(key)})
        assert done.status_code == 200, done.text
        assert set(done.json()) == {"token", "user"}
        assert done.json()["user"]["twoFactorEnabled"] is True
        assert set_cookies(done)[TWO_FACTOR_COOKIE].startswith(f"{TWO_FACTOR_COOKIE}=; Max-Age=0")
        assert (await browser.get("/get-session")).json()["session"]["token"] == done.json()["token"]


async def test_secrets_are_kept_in_better_auths_envelope(auth: BetterAuth, new_client: Client) -> None:
    """`twoFactor.secret` and `backupCodes` are sealed as better-auth's `symmetricEncrypt` seals them (hex of
    XChaCha20-Poly1305 under SHA-256 of the secret), so a Node app with the same secret reads them."""
    client = await signed_up(new_client)
    key, codes = await enabled(client)
    async with auth.database.session() as db:
        row = (await db.exec(select(TwoFactor))).one()
    keyring = Keyring([TEST_SECRET])
    assert open_sealed(keyring, row.secret).encode() == key
    assert json.loads(open_sealed(keyring, row.backup_codes)) == codes
    assert row.verified is True
    assert not row.secret.startswith("$ba$")


async def test_sign_up_and_plain_users_are_not_challenged(new_client: Client) -> None:
    client = await signed_up(new_client)
    answer = await new_client().post("/sign-in/email", json={"email": "ann@example.com", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    assert answer.json()["token"], answer.text
    assert (await client.get("/get-session")).json()["user"]["twoFactorEnabled"] is False


async def test_username_sign_in_is_challenged_too(new_client: Client) -> None:
    client = await signed_up(new_client, username="ann_b")
    await enabled(client)
    answer = await new_client().post("/sign-in/username", json={"username": "ann_b", "password": PASSWORD})
    assert answer.json() == {"twoFactorRedirect": True, "twoFactorMethods": ["totp", "otp"]}


async def test_the_challenge_cookie_is_needed_and_works_once(new_client: Client) -> None:
    key, _ = await enabled(await signed_up(new_client))
    for path in ("/two-factor/verify-totp", "/two-factor/verify-otp", "/two-factor/verify-backup-code"):
        assert error(await new_client().post(path, json={"code": "123456"})) == (401, "INVALID_TWO_FACTOR_COOKIE")
    browser = await challenged(new_client)
    replay = new_client()
    replay.cookies.set(TWO_FACTOR_COOKIE, browser.cookies[TWO_FACTOR_COOKIE])
    settle()
    assert (
        await browser.post("/two-factor/verify-totp", json={"code": totp(key, time.time() - 30)})
    ).status_code == 200
    answer = await replay.post("/two-factor/verify-totp", json={"code": totp(key)})
    assert error(answer) == (401, "INVALID_TWO_FACTOR_COOKIE")


async def test_an_authenticator_code_signs_in_once(new_client: Client) -> None:
    """A deliberate difference from better-auth: a code that completed a sign-in is refused for the rest of its
    window, so a code seen over a shoulder or phished is worth one sign-in."""
    key, _ = await enabled(await signed_up(new_client))
    settle()
    code = totp(key)
    assert (
        await (await challenged(new_client)).post("/two-factor/verify-totp", json={"code": code})
    ).status_code == 200
    again = await (await challenged(new_client)).post("/two-factor/verify-totp", json={"code": code})
    assert error(again) == (401, "INVALID_CODE")


async def test_backup_codes_work_once_and_can_be_replaced(new_client: Client) -> None:
    client = await signed_up(new_client)
    _, codes = await enabled(client)
    browser = await challenged(new_client)
    wrong = await browser.post("/two-factor/verify-backup-code", json={"code": "aaaaa-bbbbb"})
    assert error(wrong) == (401, "INVALID_BACKUP_CODE")
    used = await browser.post("/two-factor/verify-backup-code", json={"code": codes[0]})
    assert used.status_code == 200, used.text
    assert set(used.json()) == {"token", "user"}, used.text
    reused = await (await challenged(new_client)).post("/two-factor/verify-backup-code", json={"code": codes[0]})
    assert error(reused) == (401, "INVALID_BACKUP_CODE")
    assert error(await client.post("/two-factor/generate-backup-codes", json={"password": "nope-nope"})) == (
        400,
        "INVALID_PASSWORD",
    )
    fresh = (await client.post("/two-factor/generate-backup-codes", json={"password": PASSWORD})).json()
    assert fresh["status"] is True
    assert len(fresh["backupCodes"]) == 10
    old = await (await challenged(new_client)).post("/two-factor/verify-backup-code", json={"code": codes[1]})
    assert error(old) == (401, "INVALID_BACKUP_CODE")
    new = await (await challenged(new_client)).post(
        "/two-factor/verify-backup-code", json={"code": fresh["backupCodes"][0]}
    )
    assert new.status_code == 200


async def test_a_code_sent_by_email(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    await enabled(await signed_up(new_client))
    browser = await challenged(new_client)
    assert error(await browser.post("/two-factor/verify-otp", json={"code": "000000"})) == (400, "OTP_HAS_EXPIRED")
    sent = await browser.post("/two-factor/send-otp", json={})
    assert sent.json() == {"status": True}
    await auth.mailer.drain()
    mail = last_mail(outbox)
    assert (mail["type"], mail["to"]) == ("two-factor-otp", "ann@example.com")
    code = mail["token"]
    assert len(code) == 6
    assert code.isdigit()
    bad = "111111" if code != "111111" else "222222"
    assert error(await browser.post("/two-factor/verify-otp", json={"code": bad})) == (401, "INVALID_CODE")
    done = await browser.post("/two-factor/verify-otp", json={"code": code})
    assert done.status_code == 200
    assert (await browser.get("/get-session")).json()["user"]["email"] == "ann@example.com"


async def test_an_emailed_code_allows_five_guesses(auth: BetterAuth, new_client: Client, outbox: Path) -> None:
    await enabled(await signed_up(new_client))
    browser = await challenged(new_client)
    await browser.post("/two-factor/send-otp", json={})
    await auth.mailer.drain()
    code = last_mail(outbox)["token"]
    bad = "111111" if code != "111111" else "222222"
    for _ in range(5):
        assert error(await browser.post("/two-factor/verify-otp", json={"code": bad})) == (401, "INVALID_CODE")
    spent = await browser.post("/two-factor/verify-otp", json={"code": code})
    assert error(spent) == (400, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE")
    assert error(await browser.post("/two-factor/verify-otp", json={"code": code})) == (400, "OTP_HAS_EXPIRED")


async def test_a_trusted_device_skips_the_second_factor(new_client: Client) -> None:
    client = await signed_up(new_client)
    key, _ = await enabled(client)
    browser = await challenged(new_client)
    settle()
    trusted = await browser.post(
        "/two-factor/verify-totp", json={"code": totp(key, time.time() - 30), "trustDevice": True}
    )
    assert "Max-Age=2592000" in set_cookies(trusted)[TRUST_COOKIE]
    first = browser.cookies[TRUST_COOKIE]
    browser.cookies.delete(SESSION_COOKIE)
    again = await browser.post("/sign-in/email", json={"email": "ann@example.com", "password": PASSWORD})
    assert again.status_code == 200, again.text
    assert again.json()["token"], again.text
    assert browser.cookies[TRUST_COOKIE] != first  # renewed, and the old value no longer trusted
    stale = new_client()
    stale.cookies.set(TRUST_COOKIE, first)
    answer = await stale.post("/sign-in/email", json={"email": "ann@example.com", "password": PASSWORD})
    assert answer.json()["twoFactorRedirect"] is True
    assert set_cookies(answer)[TRUST_COOKIE].startswith(f"{TRUST_COOKIE}=; Max-Age=0")


async def test_five_wrong_codes_end_a_challenge(new_client: Client) -> None:
    key, _ = await enabled(await signed_up(new_client))
    browser = await challenged(new_client)
    for _ in range(5):
        assert error(await browser.post("/two-factor/verify-totp", json={"code": wrong_code(key)})) == (
            401,
            "INVALID_CODE",
        )
    settle()
    ended = await browser.post("/two-factor/verify-totp", json={"code": totp(key)})
    assert error(ended) == (400, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE")
    assert set_cookies(ended)[TWO_FACTOR_COOKIE].startswith(f"{TWO_FACTOR_COOKIE}=; Max-Age=0")


@pytest.mark.parametrize("env", [{"BETTER_AUTH_PLUGINS__TWO_FACTOR__LOCKOUT_DURATION_SECONDS": "2"}])
async def test_ten_failures_lock_the_account_across_challenges(new_client: Client, env: dict[str, str]) -> None:
    client = await signed_up(new_client)
    key, codes = await enabled(client)
    for _ in range(2):
        browser = await challenged(new_client)
        for _ in range(5):
            await browser.post("/two-factor/verify-backup-code", json={"code": "aaaaa-bbbbb"})
    browser = await challenged(new_client)  # the password step still answers a challenge
    locked = await browser.post("/two-factor/verify-backup-code", json={"code": codes[0]})
    assert error(locked) == (429, "ACCOUNT_TEMPORARILY_LOCKED")
    settle()
    assert (await client.post("/two-factor/verify-totp", json={"code": totp(key)})).status_code == 200  # signed in
    await asyncio.sleep(2.5)
    assert (await browser.post("/two-factor/verify-backup-code", json={"code": codes[0]})).status_code == 200


async def test_disable_and_the_routes_that_need_a_session(new_client: Client) -> None:
    for path in ("/two-factor/enable", "/two-factor/disable", "/two-factor/get-totp-uri"):
        assert error(await new_client().post(path, json={"password": PASSWORD})) == (401, "UNAUTHORIZED")
    client = await signed_up(new_client)
    missing = await client.post("/two-factor/enable", json={})
    assert (missing.status_code, missing.json()["message"]) == (
        400,
        "[body.password] Invalid input: expected string, received undefined",
    )
    key, _ = await enabled(client)
    assert error(await client.post("/two-factor/enable", json={"password": PASSWORD})) == (400, "TOTP_ALREADY_ENABLED")
    uri = (await client.post("/two-factor/get-totp-uri", json={"password": PASSWORD})).json()["totpURI"]
    assert key_of(uri) == key
    assert error(await client.post("/two-factor/disable", json={"password": "nope-nope"})) == (400, "INVALID_PASSWORD")
    off = await client.post("/two-factor/disable", json={"password": PASSWORD})
    assert off.json() == {"status": True}
    assert SESSION_COOKIE in set_cookies(off)
    assert (await client.get("/get-session")).json()["user"]["twoFactorEnabled"] is False
    plain = await new_client().post("/sign-in/email", json={"email": "ann@example.com", "password": PASSWORD})
    assert plain.json()["token"]
    gone = await client.post("/two-factor/get-totp-uri", json={"password": PASSWORD})
    assert error(gone) == (400, "TOTP_NOT_ENABLED")


async def test_require_two_factor_guards_an_apps_route(new_client: Client) -> None:
    anonymous = await new_client().get(BASE_URL + "/billing")
    assert anonymous.status_code == 401
    client = await signed_up(new_client)
    refused = await client.get(BASE_URL + "/billing")
    assert refused.json() == {"code": "TWO_FACTOR_REQUIRED", "message": "Two factor authentication is required"}
    assert refused.status_code == 403
    await enabled(client)
    assert (await client.get(BASE_URL + "/billing")).status_code == 200


API_KEY_SESSIONS = {
    "BETTER_AUTH_PLUGINS__API_KEY__ENABLED": "true",
    "BETTER_AUTH_PLUGINS__API_KEY__ENABLE_SESSION_FOR_API_KEYS": "true",
}


@pytest.mark.parametrize("env", [API_KEY_SESSIONS])
async def test_a_session_from_an_api_key_is_not_challenged(
    auth: BetterAuth, new_client: Client, env: dict[str, str]
) -> None:
    """A key stands for its owner in one request (a mock session): no password was typed, so no challenge (as in
    better-auth); `require_two_factor` still refuses such a session."""
    client = await signed_up(new_client)
    await enabled(client)
    user_id = (await client.get("/get-session")).json()["user"]["id"]
    key = (await auth.plugin(ApiKeys).create_api_key(user_id=user_id)).key
    found = await new_client().get("/get-session", headers={"x-api-key": key})
    assert found.json()["user"]["id"] == user_id
    refused = await new_client().get(BASE_URL + "/billing", headers={"x-api-key": key})
    assert error(refused) == (403, "API_KEY_SESSION_NOT_ALLOWED")


async def test_remember_me_false_survives_the_challenge(new_client: Client) -> None:
    """The challenge keeps the `dont_remember` cookie, so the session it ends with is a browser-session one."""
    key, _ = await enabled(await signed_up(new_client))
    browser = await challenged(new_client, rememberMe=False)
    assert "__Secure-better-auth.dont_remember" in browser.cookies
    settle()
    done = await browser.post("/two-factor/verify-totp", json={"code": totp(key, time.time() - 30)})
    assert done.status_code == 200, done.text
    assert "Max-Age" not in set_cookies(done)[SESSION_COOKIE]


async def test_a_user_with_emailed_codes_only(new_client: Client) -> None:
    client = await signed_up(new_client)
    on = await client.post("/two-factor/enable", json={"password": PASSWORD, "method": "otp"})
    assert on.json() == {"method": "otp"}
    assert SESSION_COOKIE in set_cookies(on)
    browser = new_client()
    answer = await browser.post("/sign-in/email", json={"email": "ann@example.com", "password": PASSWORD})
    assert answer.json() == {"twoFactorRedirect": True, "twoFactorMethods": ["otp"]}
    assert error(await browser.post("/two-factor/verify-totp", json={"code": "123456"})) == (400, "TOTP_NOT_ENABLED")
    backup = await browser.post("/two-factor/verify-backup-code", json={"code": "aaaaa-bbbbb"})
    assert error(backup) == (400, "BACKUP_CODES_NOT_ENABLED")
    wrong = await client.post("/two-factor/enable", json={"password": PASSWORD, "method": "sms"})
    assert wrong.json()["message"] == '[body.method] Invalid option: expected one of "otp"|"totp"'


@pytest.mark.parametrize("env", [{"BETTER_AUTH_RATE_LIMIT__ENABLED": "true"}])
async def test_the_two_factor_routes_allow_three_requests_in_ten_seconds(
    new_client: Client, env: dict[str, str]
) -> None:
    """better-auth's rule for `/two-factor/*`, on top of the per-challenge and per-account limits."""
    browser = new_client()
    answers = [await browser.post("/two-factor/verify-totp", json={"code": "123456"}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [401, 401, 401, 429]


async def test_the_apps_wording_of_the_code_email(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, outbox: Path
) -> None:
    def wording(context: TemplateContext) -> tuple[str, str, str]:
        return f"Code {context.code}", f"Your code: {context.code}", f"<p>{context.code}</p>"

    templates = Templates({"two-factor-otp": wording})
    auth = build_auth(monkeypatch, f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}", outbox, email_templates=templates)
    await auth.migrate()
    async with browsers(auth_app(auth)) as new_client:
        client = await signed_up(new_client)
        await client.post("/two-factor/enable", json={"password": PASSWORD, "method": "otp"})
        browser = new_client()
        await browser.post("/sign-in/email", json={"email": "ann@example.com", "password": PASSWORD})
        assert (await browser.post("/two-factor/send-otp", json={})).json() == {"status": True}
        await auth.mailer.drain()
        mail = last_mail(outbox)
        assert mail["subject"] == f"Code {mail['token']}"


async def test_two_factor_events_are_logged_without_codes(new_client: Client, caplog: pytest.LogCaptureFixture) -> None:
    """L7: the challenge, each failed factor and the sign-in it completes are audit events; no code is logged."""
    key, _ = await enabled(await signed_up(new_client))
    caplog.set_level(logging.INFO, logger="fastapi_betterauth.audit")
    browser = await challenged(new_client)
    wrong = wrong_code(key)
    await browser.post("/two-factor/verify-totp", json={"code": wrong})
    settle()
    code = totp(key, time.time() - 30)
    assert (await browser.post("/two-factor/verify-totp", json={"code": code})).status_code == 200
    records = [record for record in caplog.records if record.name == "fastapi_betterauth.audit"]
    events = [
        (record.auth_event, record.auth_fields.get("method") or record.auth_fields.get("factor")) for record in records
    ]  # type: ignore[attr-defined]
    assert events == [
        ("two_factor.challenged", "email"),
        ("two_factor.failed", "totp"),
        ("sign_in.succeeded", "two-factor"),
    ]
    assert not any(wrong in record.getMessage() or code in record.getMessage() for record in records)
