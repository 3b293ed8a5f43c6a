"""Impersonation: an admin signs in as a user for an hour (their own session parked in the signed `admin_session`
cookie) and back; impersonation sessions are hidden from the user's `/list-sessions` but shown to admins; admins
cannot be impersonated without `user:impersonate-admins`. Also the admin routes on a user's sessions."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

import httpx2 as httpx

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.clock import ManualClock

from ..test_migrations import fresh_url, postgres_db
from .fixtures import (
    ADMIN_SESSION_COOKIE,
    DONT_REMEMBER_COOKIE,
    SESSION_COOKIE,
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


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each cookie's last `Set-Cookie` header, by name."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        found[header.split("=", 1)[0]] = header
    return found


def token_of(client: httpx.AsyncClient) -> str:
    return unquote(client.cookies[SESSION_COOKIE]).split(".", 1)[0]


async def test_impersonate_and_stop(
    admin: Person, user: Person, new_client: Client, clock: ManualClock, auth: BetterAuth
) -> None:
    own_token = token_of(admin.client)
    answer = await admin.client.post("/admin/impersonate-user", json={"userId": user.id})
    assert answer.status_code == 200, answer.text
    session = answer.json()["session"]
    assert set(answer.json()) == {"session", "user"}
    assert (session["userId"], session["impersonatedBy"], answer.json()["user"]["id"]) == (user.id, admin.id, user.id)
    assert session["expiresAt"] == (clock.now() + timedelta(hours=1)).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )
    cookies = set_cookies(answer)
    parked = cookies[ADMIN_SESSION_COOKIE]
    assert unquote(parked.split(";")[0].split("=", 1)[1]).rsplit(".", 1)[0] == f"{own_token}:"
    assert f"Max-Age={int(auth.settings.session.expires_in.total_seconds())}" in parked
    assert "Max-Age" not in cookies[SESSION_COOKIE]  # a browser-session cookie, with dont_remember
    assert cookies[DONT_REMEMBER_COOKIE].split("=", 1)[1].startswith("true.")
    me = (await admin.client.get("/get-session")).json()
    assert (me["user"]["id"], me["session"]["impersonatedBy"]) == (user.id, admin.id)
    impersonating = new_client()
    impersonating.cookies.set(SESSION_COOKIE, admin.client.cookies[SESSION_COOKIE])

    back = await admin.client.post("/admin/stop-impersonating", json={})
    assert back.status_code == 200, back.text
    assert (back.json()["session"]["token"], back.json()["user"]["id"]) == (own_token, admin.id)
    cookies = set_cookies(back)
    assert "Max-Age=0" in cookies[ADMIN_SESSION_COOKIE]
    assert "Max-Age=0" in cookies[DONT_REMEMBER_COOKIE]
    assert f"Max-Age={int(auth.settings.session.expires_in.total_seconds())}" in cookies[SESSION_COOKIE]
    assert (await admin.client.get("/get-session")).json()["user"]["id"] == admin.id
    assert (await impersonating.get("/get-session")).json() is None  # the impersonation session is gone


async def test_impersonation_sessions_are_hidden_from_the_users_own_list(
    admin: Person, user: Person, new_client: Client
) -> None:
    other_admin = await sign_up(new_client, "second-admin@example.com")
    await admin.client.post("/admin/set-role", json={"userId": other_admin.id, "role": "admin"})
    assert (await admin.client.post("/admin/impersonate-user", json={"userId": user.id})).status_code == 200
    own = (await user.client.get("/list-sessions")).json()
    assert [s["token"] for s in own] == [token_of(user.client)]
    seen_by_impersonator = (await admin.client.get("/list-sessions")).json()  # without the impersonation itself
    assert [s["token"] for s in seen_by_impersonator] == [token_of(user.client)]
    listed = (await other_admin.client.post("/admin/list-user-sessions", json={"userId": user.id})).json()["sessions"]
    assert sorted(s["impersonatedBy"] or "" for s in listed) == ["", admin.id]


async def test_stop_impersonating_refusals(admin: Person, user: Person, new_client: Client) -> None:
    not_impersonating = await admin.client.post("/admin/stop-impersonating", json={})
    assert not_impersonating.status_code == 400
    assert not_impersonating.json() == {"message": "You are not impersonating anyone"}
    await admin.client.post("/admin/impersonate-user", json={"userId": user.id})
    without_parked = new_client()
    without_parked.cookies.set(SESSION_COOKIE, admin.client.cookies[SESSION_COOKIE])
    lost = await without_parked.post("/admin/stop-impersonating", json={})
    assert lost.status_code == 500
    assert lost.json() == {"message": "Failed to find admin session"}
    assert (await without_parked.get("/get-session")).json()["user"]["id"] == user.id  # still impersonating


async def test_admins_cannot_be_impersonated(admin: Person, new_client: Client, user: Person) -> None:
    other = await sign_up(new_client, "other-admin@example.com")
    await admin.client.post("/admin/set-role", json={"userId": other.id, "role": "user,admin"})
    refused = await admin.client.post("/admin/impersonate-user", json={"userId": other.id})
    assert error(refused) == (403, "YOU_CANNOT_IMPERSONATE_ADMINS")
    assert error(await admin.client.post("/admin/impersonate-user", json={"userId": "nobody"})) == (
        404,
        "USER_NOT_FOUND",
    )
    by_user = await user.client.post("/admin/impersonate-user", json={"userId": other.id})
    assert error(by_user) == (403, "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS")


async def test_list_and_revoke_a_users_sessions(admin: Person, user: Person, new_client: Client) -> None:
    second = new_client()
    await sign_in(second, user.email)
    listed = (await admin.client.post("/admin/list-user-sessions", json={"userId": user.id})).json()["sessions"]
    assert {s["token"] for s in listed} == {token_of(user.client), token_of(second)}
    assert all(s["impersonatedBy"] is None for s in listed)
    assert (await admin.client.post("/admin/list-user-sessions", json={"userId": "nobody"})).json() == {"sessions": []}
    one = await admin.client.post("/admin/revoke-user-session", json={"sessionToken": token_of(second)})
    assert one.json() == {"success": True}
    assert (await second.get("/get-session")).json() is None
    assert (await user.client.get("/get-session")).json()["user"]["id"] == user.id
    unknown = await admin.client.post("/admin/revoke-user-session", json={"sessionToken": "nothing"})
    assert unknown.json() == {"success": True}
    every = await admin.client.post("/admin/revoke-user-sessions", json={"userId": user.id})
    assert every.json() == {"success": True}
    assert (await user.client.get("/get-session")).json() is None
    for path, body, code in (
        ("/admin/list-user-sessions", {"userId": admin.id}, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS"),
        ("/admin/revoke-user-sessions", {"userId": admin.id}, "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS"),
    ):
        third = new_client()
        await sign_in(third, user.email)
        assert error(await third.post(path, json=body)) == (403, code)
