"""The ban (S7): a banned user's sessions all end, and every way of signing in refuses them (403 `BANNED_USER` with
the configured message) after their password is checked; a ban that has expired is lifted at sign-in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.clock import ManualClock

from ..conftest import PASSWORD
from ..test_migrations import fresh_url, postgres_db
from .fixtures import (
    Client,
    Person,
    admin,
    admin_env,
    app,
    auth,
    clock,
    error,
    new_client,
    sign_in,
    sign_up,
    user,
)

__all__ = ["admin", "admin_env", "app", "auth", "clock", "fresh_url", "new_client", "postgres_db", "user"]

BANNED = "You have been banned from this application. Please contact support if you believe this is an error."


async def test_a_ban_ends_every_session_and_refuses_sign_in(
    admin: Person, user: Person, new_client: Client, clock: ManualClock
) -> None:
    second = new_client()
    assert (await sign_in(second, user.email)).status_code == 200
    answer = await admin.client.post(
        "/admin/ban-user", json={"userId": user.id, "banReason": "spam", "banExpiresIn": 3600}
    )
    assert answer.status_code == 200, answer.text
    banned = answer.json()["user"]
    assert (banned["banned"], banned["banReason"]) == (True, "spam")
    assert banned["banExpires"] == (clock.now() + timedelta(hours=1)).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )
    for client in (user.client, second):
        assert (await client.get("/get-session")).json() is None
    listed = await admin.client.post("/admin/list-user-sessions", json={"userId": user.id})
    assert listed.json() == {"sessions": []}
    browser = new_client()
    assert error(await sign_in(browser, user.email, "wrong-password-1")) == (401, "INVALID_EMAIL_OR_PASSWORD")
    refused = await sign_in(browser, user.email)
    assert refused.status_code == 403
    assert refused.json() == {"code": "BANNED_USER", "message": BANNED}
    assert "set-cookie" not in refused.headers


async def test_a_ban_holds_for_every_way_in(admin: Person, new_client: Client) -> None:
    person = await sign_up(new_client, "named@example.com", username="named_one")
    assert (await admin.client.post("/admin/ban-user", json={"userId": person.id})).status_code == 200
    by_username = await new_client().post("/sign-in/username", json={"username": "named_one", "password": PASSWORD})
    assert error(by_username) == (403, "BANNED_USER")
    impersonated = await admin.client.post("/admin/impersonate-user", json={"userId": person.id})
    assert error(impersonated) == (403, "BANNED_USER")


async def test_ban_defaults_and_refusals(admin: Person, user: Person) -> None:
    refused = await user.client.post("/admin/ban-user", json={"userId": admin.id})
    assert error(refused) == (403, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS")
    answer = await admin.client.post("/admin/ban-user", json={"userId": user.id})
    banned = answer.json()["user"]
    assert (banned["banned"], banned["banReason"], banned["banExpires"]) == (True, "No reason", None)
    assert error(await admin.client.post("/admin/ban-user", json={"userId": admin.id})) == (
        400,
        "YOU_CANNOT_BAN_YOURSELF",
    )
    assert error(await admin.client.post("/admin/ban-user", json={"userId": "nobody"})) == (404, "USER_NOT_FOUND")
    as_text = await admin.client.post("/admin/ban-user", json={"userId": user.id, "banExpiresIn": "3600"})
    assert as_text.json()["message"] == "[body.banExpiresIn] Invalid input: expected number, received string"


async def test_unban_lets_the_user_back_in(admin: Person, user: Person, new_client: Client) -> None:
    await admin.client.post("/admin/ban-user", json={"userId": user.id, "banReason": "spam"})
    answer = await admin.client.post("/admin/unban-user", json={"userId": user.id})
    unbanned = answer.json()["user"]
    assert (unbanned["banned"], unbanned["banReason"], unbanned["banExpires"]) == (False, None, None)
    assert (await sign_in(new_client(), user.email)).status_code == 200
    assert (await admin.client.post("/admin/unban-user", json={"userId": user.id})).status_code == 200
    assert error(await admin.client.post("/admin/unban-user", json={"userId": "nobody"})) == (404, "USER_NOT_FOUND")


async def test_an_expired_ban_is_lifted_at_sign_in(
    admin: Person, user: Person, new_client: Client, clock: ManualClock
) -> None:
    """Unlike better-auth, the sign-in answers the user as now stored (no longer banned)."""
    await admin.client.post("/admin/ban-user", json={"userId": user.id, "banReason": "brief", "banExpiresIn": 60})
    assert error(await sign_in(new_client(), user.email)) == (403, "BANNED_USER")
    clock.advance(timedelta(seconds=61))
    answer = await sign_in(new_client(), user.email)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["user"]["banned"], answer.json()["user"]["banReason"]) == (False, None)
    stored = await admin.client.get("/admin/get-user", params={"id": user.id})
    assert (stored.json()["banned"], stored.json()["banExpires"]) == (False, None)


async def test_update_user_can_ban_and_ends_the_sessions(admin: Person, user: Person) -> None:
    answer = await admin.client.post("/admin/update-user", json={"userId": user.id, "data": {"banned": True}})
    assert answer.json()["banned"] is True
    assert (await user.client.get("/get-session")).json() is None
    own = await admin.client.post("/admin/update-user", json={"userId": admin.id, "data": {"banned": True}})
    assert error(own) == (400, "YOU_CANNOT_BAN_YOURSELF")


class TestConfiguredBan:
    @pytest.fixture
    def admin_env(self) -> dict[str, str]:
        return {
            "BETTER_AUTH_PLUGINS__ADMIN__BANNED_USER_MESSAGE": "Gone fishing",
            "BETTER_AUTH_PLUGINS__ADMIN__DEFAULT_BAN_REASON": "House rules",
            "BETTER_AUTH_PLUGINS__ADMIN__DEFAULT_BAN_EXPIRES_IN": "600",
        }

    async def test_the_configured_message_reason_and_length(
        self, auth: BetterAuth, admin: Person, user: Person, new_client: Client, clock: ManualClock
    ) -> None:
        banned = (await admin.client.post("/admin/ban-user", json={"userId": user.id})).json()["user"]
        assert banned["banReason"] == "House rules"
        assert banned["banExpires"] is not None
        assert (await sign_in(new_client(), user.email)).json() == {"code": "BANNED_USER", "message": "Gone fishing"}
        clock.advance(timedelta(minutes=11))
        assert (await sign_in(new_client(), user.email)).status_code == 200


class TestBanWithCachedSessions:
    """S7: with sessions in secondary storage and the cookie cache on, the banned user's cached copies are refused at
    once, and the role an admin route reads is never a cached one."""

    @pytest.fixture
    def admin_env(self) -> dict[str, str]:
        return {
            "BETTER_AUTH_SECONDARY_STORAGE_URL": "memory://",
            "BETTER_AUTH_SESSION__COOKIE_CACHE__ENABLED": "true",
        }

    async def test_a_ban_ends_cached_sessions_at_once(self, admin: Person, user: Person) -> None:
        assert (await user.client.get("/get-session")).json()["user"]["id"] == user.id  # the copy is cached now
        assert (await admin.client.post("/admin/ban-user", json={"userId": user.id})).status_code == 200
        assert (await user.client.get("/get-session")).json() is None

    async def test_a_role_taken_away_counts_despite_the_cookie_copy(self, admin: Person, user: Person) -> None:
        await admin.client.post("/admin/set-role", json={"userId": user.id, "role": "admin"})
        assert (await user.client.get("/admin/list-users")).status_code == 200
        await admin.client.post("/admin/set-role", json={"userId": user.id, "role": "user"})
        assert (await user.client.get("/admin/list-users")).status_code == 403


async def test_a_ban_beyond_the_calendar_is_refused(admin: Person, user: Person) -> None:
    answer = await admin.client.post("/admin/ban-user", json={"userId": user.id, "banExpiresIn": 1e300})
    assert error(answer) == (400, "VALIDATION_ERROR")
    assert (await user.client.get("/get-session")).json()["user"]["id"] == user.id  # nothing happened
