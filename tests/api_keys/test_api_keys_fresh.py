"""K6: a key outlives the session that minted it. Creating or widening a key through a session needs a fresh one, and
securing the account (revoking every session, or every other one; a password change that revokes the other
sessions; a password reset) disables the user's keys unless `plugins.api_key.disable_with_sessions` is off."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from fastapi_betterauth import BetterAuth, ManualClock
from fastapi_betterauth.api_keys.plugin import ApiKeys
from fastapi_betterauth.db.engine import Database

from ..conftest import PASSWORD, AuthFactory, ConfiguredClientFactory, sign_in, sign_up
from .api_key_support import CREATE, UPDATE, create_key, stored_key, stored_keys

pytestmark = pytest.mark.usefixtures("database")

STALE = timedelta(days=1, seconds=1)
"""Just past the default `session.fresh_age`."""
NOT_FRESH = (403, {"code": "SESSION_NOT_FRESH", "message": "Session is not fresh"})
NEW_PASSWORD = "a brand new passphrase"


def answer(response: httpx.Response) -> tuple[int, Any]:
    return response.status_code, response.json()


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox.jsonl"


@pytest.fixture
def keys_app(make_auth: AuthFactory, outbox: Path) -> Any:
    def build(**api_key: Any) -> BetterAuth:
        return make_auth(email={"outbox": str(outbox)}, plugins={"api_key": {"enabled": True, **api_key}})

    return build


async def test_creating_a_key_needs_a_fresh_session(
    keys_app: Any, make_configured_client: ConfiguredClientFactory, clock: ManualClock, database: Database
) -> None:
    """K6: a session signed in more than `session.fresh_age` ago cannot mint a key; a new sign-in or a server call
    (which names the user and has no session) can."""
    auth = keys_app()
    client = await make_configured_client(auth)
    user_id = (await sign_up(client)).json()["user"]["id"]
    clock.advance(STALE)
    assert answer(await client.post(CREATE, json={"name": "stolen"})) == NOT_FRESH
    assert await stored_keys(database) == []

    created = await auth.plugin(ApiKeys).create_api_key(user_id=user_id, name="server")
    assert created.api_key.reference_id == user_id
    assert (await sign_in(client)).status_code == 200
    assert (await create_key(client, name="fresh"))["name"] == "fresh"


async def test_widening_a_key_needs_a_fresh_session(
    keys_app: Any, make_configured_client: ConfiguredClientFactory, clock: ManualClock, database: Database
) -> None:
    """K6: on an older session a key may be renamed, disabled or given an earlier expiry, but not re-enabled, given
    a later expiry or none."""
    client = await make_configured_client(keys_app())
    await sign_up(client)
    key = await create_key(client, name="ci", expiresIn=30 * 86_400)
    clock.advance(STALE)
    for narrowing in ({"name": "renamed"}, {"enabled": False}, {"expiresIn": 2 * 86_400}):
        updated = await client.post(UPDATE, json={"keyId": key["id"], **narrowing})
        assert updated.status_code == 200, (narrowing, updated.text)
    for widening in ({"enabled": True}, {"expiresIn": 60 * 86_400}, {"expiresIn": None}):
        assert answer(await client.post(UPDATE, json={"keyId": key["id"], **widening})) == NOT_FRESH, widening
    row = await stored_key(database, key["id"])
    assert row is not None
    assert (row.enabled, row.name) == (False, "renamed")

    assert (await sign_in(client)).status_code == 200
    again = await client.post(UPDATE, json={"keyId": key["id"], "enabled": True, "expiresIn": None})
    assert again.status_code == 200
    assert (again.json()["enabled"], again.json()["expiresAt"]) == (True, None)


def last_reset_token(outbox: Path) -> str:
    token: str = json.loads(outbox.read_text().splitlines()[-1])["token"]
    return token


async def secure_account(how: str, auth: BetterAuth, client: httpx.AsyncClient, outbox: Path) -> None:
    """One of the ways a user secures their account."""
    if how == "reset-password":
        await client.post("/api/auth/request-password-reset", json={"email": "ann@example.com"})
        await auth.drain()  # the mail goes out after the answer
        token = last_reset_token(outbox)
        response = await client.post("/api/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD})
    elif how == "change-password":
        body = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD, "revokeOtherSessions": True}
        response = await client.post("/api/auth/change-password", json=body)
    else:
        response = await client.post(f"/api/auth/{how}")
    assert response.status_code == 200, response.text


HOW = ("revoke-sessions", "revoke-other-sessions", "change-password", "reset-password")


@pytest.mark.parametrize("how", HOW)
async def test_securing_the_account_disables_the_users_keys(
    how: str, keys_app: Any, make_configured_client: ConfiguredClientFactory, outbox: Path
) -> None:
    """K6: the keys a stolen session may have minted stop working with it; other users' keys are untouched."""
    auth = keys_app()
    plugin = auth.plugin(ApiKeys)
    client = await make_configured_client(auth)
    await sign_up(client)
    mine = [await create_key(client, name=name) for name in ("one", "two")]
    other = await make_configured_client(auth)
    await sign_up(other, email="bob@example.com")
    theirs = await create_key(other, name="bob")
    await secure_account(how, auth, client, outbox)
    for key in mine:
        checked = await plugin.verify_api_key(key["key"])
        assert (checked.valid, checked.error and checked.error.code) == (False, "KEY_DISABLED")
    assert (await plugin.verify_api_key(theirs["key"])).valid is True


@pytest.mark.parametrize("how", ["revoke-other-sessions", "reset-password"])
async def test_keys_stay_enabled_when_asked(
    how: str, keys_app: Any, make_configured_client: ConfiguredClientFactory, outbox: Path
) -> None:
    """K6: with `disable_with_sessions` off, securing the account leaves the keys alone."""
    auth = keys_app(disable_with_sessions=False)
    client = await make_configured_client(auth)
    await sign_up(client)
    key = await create_key(client, name="ci")
    await secure_account(how, auth, client, outbox)
    assert (await auth.plugin(ApiKeys).verify_api_key(key["key"])).valid is True


async def test_a_password_change_that_keeps_the_sessions_keeps_the_keys(
    keys_app: Any, make_configured_client: ConfiguredClientFactory
) -> None:
    """K6: only securing the account disables keys; a plain password change does not."""
    auth = keys_app()
    client = await make_configured_client(auth)
    await sign_up(client)
    key = await create_key(client, name="ci")
    body: dict[str, Any] = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    assert (await client.post("/api/auth/change-password", json=body)).status_code == 200
    assert (await auth.plugin(ApiKeys).verify_api_key(key["key"])).valid is True
