"""Running without a database (`BetterAuth(database=None)`): social sign-in against the real OIDC provider, with the
user and session in `session_data`, the provider account in `account_data`, the OAuth state in `oauth_state`, and
a clear 400 from everything that would need a database. No database file is ever created."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager

from fastapi_betterauth import BetterAuth, ManualClock
from fastapi_betterauth.crypto import jose
from fastapi_betterauth.oauth.account_cookie import JWE_SALT as ACCOUNT_SALT
from fastapi_betterauth.storage import MemoryStorage

from ..conftest import BASE_URL, ORIGIN, PASSWORD, TEST_SECRET, build_app, settings
from ..idp_fixture import IdP

ACCOUNT = "__Secure-better-auth.account_data"
DATA = "__Secure-better-auth.session_data"
NEEDS_DATABASE = {"code": "DATABASE_REQUIRED"}

Browser = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    return tmp_path / "must-not-exist.db"


@pytest.fixture
async def browser(
    oidc_provider: IdP, clock: ManualClock, database_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[Browser]:
    """`await browser(**options)`: a new browser on a database-less app (one app per set of options)."""
    clock.set(datetime.now(UTC))  # the IdP signs id tokens with real time
    monkeypatch.chdir(tmp_path)  # the default SQLite URL would create ./better-auth.db here
    managers: list[LifespanManager] = []
    clients: list[httpx.AsyncClient] = []
    apps: dict[str, Any] = {}

    async def new_browser(**options: Any) -> httpx.AsyncClient:
        key = repr(sorted(options.items(), key=lambda item: item[0]))
        if key not in apps:
            own = {name: options.pop(name) for name in ("secondary_storage",) if name in options}
            provider = oidc_provider.provider()
            auth = BetterAuth(
                settings(database_url=f"sqlite+aiosqlite:///{database_file}", **options),
                clock=clock,
                database=None,
                social_providers=[provider],
                **own,
            )
            manager = LifespanManager(build_app(auth))
            await manager.__aenter__()
            managers.append(manager)
            apps[key] = manager.app
        transport = httpx.ASGITransport(app=apps[key])
        client = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN)
        clients.append(client)
        return client

    yield new_browser
    for client in clients:
        await client.aclose()
    for manager in reversed(managers):
        await manager.__aexit__(None, None, None)


def database_files(folder: Path) -> list[Path]:
    return list(folder.glob("*.db*"))


async def sign_in_with_idp(client: httpx.AsyncClient, oidc_provider: IdP, login: str = "alice") -> httpx.Response:
    started = await client.post("/api/auth/sign-in/social", json={"provider": "idp", "callbackURL": "/home"})
    assert started.status_code == 200, started.text
    back = urlsplit(await oidc_provider.login(started.json()["url"], login=login))
    return await client.get(f"{back.path}?{back.query}")


async def test_social_sign_in_keeps_everything_in_cookies(
    browser: Browser, oidc_provider: IdP, tmp_path: Path, clock: ManualClock
) -> None:
    client = await browser()
    response = await sign_in_with_idp(client, oidc_provider)
    assert response.status_code == 302
    assert response.headers["location"] == "/home"
    me = (await client.get("/me")).json()
    assert me["email"] == "alice@example.test"
    assert DATA in client.cookies
    account = jose.decode_jwe(unquote(client.cookies[ACCOUNT]), [TEST_SECRET], salt=ACCOUNT_SALT, now=clock.now())
    assert account is not None
    assert (account["providerId"], account["accountId"], account["userId"]) == ("idp", "alice", me["id"])
    assert account["accessToken"]
    # The same person gets the same user id in another browser (and on another instance, or after a restart).
    other = await browser()
    await sign_in_with_idp(other, oidc_provider)
    assert (await other.get("/me")).json()["id"] == me["id"]
    assert database_files(tmp_path) == []


async def test_a_profile_too_large_for_the_cookies_fails_like_other_callbacks(
    browser: Browser, oidc_provider: IdP
) -> None:
    """C2: a provider profile too large for the cookies (a 20000 character name) redirects to the error page; no
    cookie over the browser's limit is set and nobody is signed in."""
    client = await browser()
    response = await sign_in_with_idp(client, oidc_provider, login="huge-ida")
    assert response.status_code == 302
    assert response.headers["location"].startswith(f"{BASE_URL}/api/auth/error?error=unable_to_create_session")
    assert all(len(cookie) <= 4096 for cookie in response.headers.get_list("set-cookie"))
    assert (await client.get("/me")).status_code == 401


async def test_accounts_and_access_tokens_come_from_the_account_cookie(browser: Browser, oidc_provider: IdP) -> None:
    client = await browser()
    await sign_in_with_idp(client, oidc_provider)
    [listed] = (await client.get("/api/auth/list-accounts")).json()
    assert (listed["providerId"], listed["accountId"]) == ("idp", "alice")
    token = await client.post("/api/auth/get-access-token", json={"useAccountCookie": True})
    assert token.status_code == 200, token.text
    assert token.json()["accessToken"]
    by_id = await client.post("/api/auth/get-access-token", json={"accountId": listed["id"]})
    assert by_id.json()["accessToken"] == token.json()["accessToken"]
    missing = await client.post("/api/auth/get-access-token", json={"accountId": "alice"})
    assert missing.json()["code"] == "ACCOUNT_NOT_FOUND"
    refreshed = await client.post("/api/auth/refresh-token", json={"useAccountCookie": True})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["accountId"] == listed["id"]
    assert refreshed.json()["accessToken"] != token.json()["accessToken"]
    # The refreshed tokens ride in the re-issued cookie: the spent refresh token is not tried again.
    again = await client.post("/api/auth/refresh-token", json={"useAccountCookie": True})
    assert again.status_code == 200, again.text
    latest = await client.post("/api/auth/get-access-token", json={"useAccountCookie": True})
    assert latest.json()["accessToken"] == again.json()["accessToken"]
    info = await client.get("/api/auth/account-info", params={"useAccountCookie": "true"})
    assert info.status_code == 200, info.text
    assert info.json()["account"] == {"id": listed["id"], "providerId": "idp", "accountId": "alice"}
    # Another user's account cookie next to this session is not this user's account.
    bob = await browser()
    await sign_in_with_idp(bob, oidc_provider, login="bob")
    cookies = dict(client.cookies)
    client.cookies.clear()
    client.cookies.update({**cookies, ACCOUNT: bob.cookies[ACCOUNT]})
    assert (await client.get("/api/auth/list-accounts")).json() == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/auth/sign-up/email", {"name": "A", "email": "a@example.com", "password": PASSWORD}),
        ("POST", "/api/auth/sign-in/email", {"email": "a@example.com", "password": PASSWORD}),
        ("POST", "/api/auth/request-password-reset", {"email": "a@example.com"}),
        ("POST", "/api/auth/send-verification-email", {"email": "a@example.com"}),
        ("POST", "/api/auth/update-user", {"name": "B"}),
        ("POST", "/api/auth/change-password", {"currentPassword": PASSWORD, "newPassword": PASSWORD + "!"}),
        ("POST", "/api/auth/delete-user", {}),
        ("POST", "/api/auth/link-social", {"provider": "idp"}),
        ("POST", "/api/auth/unlink-account", {"accountId": "x"}),
        ("POST", "/api/auth/api-key/create", {}),
    ],
)
async def test_what_needs_a_database_says_so(
    browser: Browser, oidc_provider: IdP, method: str, path: str, body: dict[str, Any] | None
) -> None:
    client = await browser(plugins={"api_key": {"enabled": True}}, email_and_password={"enabled": True})
    await sign_in_with_idp(client, oidc_provider)
    response = await client.request(method, path, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "DATABASE_REQUIRED"
    assert "database=None" in response.json()["message"]


async def test_sessions_without_anywhere_to_remember_revocations(browser: Browser, oidc_provider: IdP) -> None:
    client = await browser()
    await sign_in_with_idp(client, oidc_provider)
    assert (await client.get("/api/auth/list-sessions")).json()["code"] == "SESSION_LIST_UNAVAILABLE"
    assert (await client.post("/api/auth/revoke-other-sessions")).json()["code"] == "SESSION_REVOCATION_UNAVAILABLE"
    signed_out = await client.post("/api/auth/sign-out")
    cleared = {header.split("=", 1)[0] for header in signed_out.headers.get_list("set-cookie") if "=;" in header}
    assert {DATA, ACCOUNT} <= cleared
    assert (await client.get("/me")).status_code == 401


async def test_with_secondary_storage_revocation_works_without_a_database(
    browser: Browser, oidc_provider: IdP, clock: ManualClock
) -> None:
    storage = MemoryStorage(clock)
    laptop = await browser(secondary_storage=storage)
    phone = await browser(secondary_storage=storage)
    await sign_in_with_idp(laptop, oidc_provider)
    await sign_in_with_idp(phone, oidc_provider)
    assert (await laptop.post("/api/auth/revoke-other-sessions")).json() == {"status": True}
    assert (await phone.get("/me")).status_code == 401
    assert (await laptop.get("/me")).status_code == 200


def test_settings_that_need_a_database_are_refused_at_start() -> None:
    with pytest.raises(ValueError, match=r"rate_limit\.storage"):
        BetterAuth(settings(rate_limit={"enabled": True, "storage": "database"}), database=None)
    with pytest.raises(ValueError, match="enable_session_for_api_keys"):
        BetterAuth(settings(plugins={"api_key": {"enabled": True, "enable_session_for_api_keys": True}}), database=None)
