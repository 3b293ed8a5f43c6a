"""Secret rotation with BETTER_AUTH_SECRETS (docs/better-auth.md#secrets-and-rotation; better-auth signs everyone out,
we do not): T7."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager

from fastapi_betterauth import AuthSettings, BetterAuth, InsecureSecretError
from fastapi_betterauth.crypto.tokens import sign_value
from fastapi_betterauth.db.engine import Database

from ..conftest import BASE_URL, ORIGIN, TEST_SECRET, build_app, settings, sign_up

NEW_SECRET = "rotated-secret-9876543210-ZYXWVUTSRQPONMLKJIHGFEDCBA"
COOKIE = "__Secure-better-auth.session_token"


async def test_rotating_the_secret_signs_nobody_out(database: Database) -> None:
    old = BetterAuth(settings(database_url=str(database.url)), database=database)
    async with LifespanManager(build_app(old)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN) as client:
            token = (await sign_up(client)).json()["token"]
            old_cookie = client.cookies[COOKIE]

    rotated = BetterAuth(
        settings(database_url=str(database.url), secrets=f"2:{NEW_SECRET},1:{TEST_SECRET}"), database=database
    )
    assert rotated.keyring.current == NEW_SECRET
    assert rotated.keyring.versions == (2, 1)
    async with LifespanManager(build_app(rotated)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN) as client:
            client.cookies.set(COOKIE, old_cookie)
            assert (await client.get("/me")).status_code == 200
            fresh = await sign_up(client, email="bob@example.com")
            new_cookie = next(h for h in fresh.headers.get_list("set-cookie") if h.startswith(COOKIE))
            new_token = fresh.json()["token"]
            assert (
                sign_value(NEW_SECRET, new_token).replace("/", "%2F").replace("+", "%2B").replace("=", "%3D")
                in new_cookie
            )

    retired = BetterAuth(
        settings(database_url=str(database.url), secret=None, secrets=f"2:{NEW_SECRET}"), database=database
    )
    found = await retired.api.get_session({"cookie": f"{COOKIE}={sign_value(TEST_SECRET, token)}"})
    assert found is None  # once the old secret is dropped, what it signed is no longer believed
    assert await retired.api.get_session({"cookie": f"{COOKIE}={sign_value(NEW_SECRET, new_token)}"}) is not None


def test_secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRETS", f"3:{NEW_SECRET}, 2:{TEST_SECRET}")
    auth = BetterAuth(AuthSettings(url=BASE_URL, environment="test", database_url="sqlite+aiosqlite://"))
    assert auth.keyring.secrets == (NEW_SECRET, TEST_SECRET)
    assert auth.keyring.versions == (3, 2)


@pytest.mark.parametrize(
    "secrets",
    ["new-secret-without-version", f"1:{NEW_SECRET},1:{TEST_SECRET}", "2:short", f"x:{NEW_SECRET}", "2:"],
)
def test_malformed_or_weak_rotation_entries_are_refused(secrets: str) -> None:
    with pytest.raises(InsecureSecretError, match="BETTER_AUTH_SECRETS"):
        BetterAuth(settings(secrets=secrets, database_url="sqlite+aiosqlite://"))


SESSION_STORES = ("database", "stateless")
