"""list-sessions, revoke-*, update-user, update-session (docs/better-auth.md#session-routes, #update-user): S8."""

from __future__ import annotations

from datetime import timedelta

import httpx2 as httpx
import pytest

from fastapi_betterauth import ManualClock

from ..conftest import ClientFactory, ConfiguredClientFactory, sign_in, sign_up

COOKIE = "__Secure-better-auth.session_token"
SESSION_KEYS = ["expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId", "id"]


async def signed_in_twice(make_client: ClientFactory) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    laptop, phone = make_client(), make_client()
    await sign_up(laptop)
    await sign_in(phone)
    return laptop, phone


@pytest.mark.database_sessions
async def test_list_sessions_shows_every_live_session(make_client: ClientFactory, clock: ManualClock) -> None:
    await signed_in_twice(make_client)
    clock.advance(timedelta(minutes=1))
    third = make_client()
    await sign_in(third)
    response = await third.get("/api/auth/list-sessions")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    sessions = response.json()
    assert len(sessions) == 3
    assert [s["createdAt"] for s in sessions] == sorted(s["createdAt"] for s in sessions)
    assert sessions[-1]["token"] == (await third.get("/api/auth/get-session")).json()["session"]["token"]
    assert set(sessions[0]) == {
        "expiresAt",
        "token",
        "createdAt",
        "updatedAt",
        "ipAddress",
        "userAgent",
        "userId",
        "id",
    }


@pytest.mark.database_sessions
async def test_list_sessions_needs_a_fresh_session(client: httpx.AsyncClient, clock: ManualClock) -> None:
    await sign_up(client)
    clock.advance(timedelta(days=1, seconds=1))
    response = await client.get("/api/auth/list-sessions")
    assert response.status_code == 403
    assert response.json()["code"] == "SESSION_NOT_FRESH"


@pytest.mark.database_sessions
async def test_list_sessions_leaves_out_expired_ones(make_client: ClientFactory, clock: ManualClock) -> None:
    old = make_client()
    await sign_up(old)
    await sign_in(old, rememberMe=False)  # 24 h session
    clock.advance(timedelta(hours=23))
    fresh = make_client()
    await sign_in(fresh)
    clock.advance(timedelta(hours=2))
    listed = (await fresh.get("/api/auth/list-sessions")).json()
    assert len(listed) == 2  # the sign-up session (7 d) and this one; the 24 h one has ended


@pytest.mark.database_sessions
async def test_revoke_session_of_another_device(make_client: ClientFactory) -> None:
    laptop, phone = await signed_in_twice(make_client)
    phone_token = (await phone.get("/api/auth/get-session")).json()["session"]["token"]
    response = await laptop.post("/api/auth/revoke-session", json={"token": phone_token})
    assert response.status_code == 200
    assert response.json() == {"status": True}
    assert "set-cookie" not in response.headers
    assert (await phone.get("/api/auth/get-session")).json() is None
    assert (await laptop.get("/me")).status_code == 200


async def test_revoke_session_of_someone_else_does_nothing(make_client: ClientFactory) -> None:
    ann, bob = make_client(), make_client()
    await sign_up(ann)
    await sign_up(bob, email="bob@example.com")
    bob_token = (await bob.get("/api/auth/get-session")).json()["session"]["token"]
    response = await ann.post("/api/auth/revoke-session", json={"token": bob_token})
    assert response.json() == {"status": True}  # silently, as better-auth: no oracle for other users' tokens
    assert (await bob.get("/me")).status_code == 200


async def test_revoke_own_current_session_clears_cookies(client: httpx.AsyncClient) -> None:
    token = (await sign_up(client)).json()["token"]
    response = await client.post("/api/auth/revoke-session", json={"token": token})
    assert any(h.startswith(f"{COOKIE}=;") for h in response.headers.get_list("set-cookie"))
    assert (await client.get("/me")).status_code == 401


async def test_revoke_session_validates_its_body(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await client.post("/api/auth/revoke-session", json={})
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "[body.token]" in response.json()["message"]


async def test_revoke_endpoints_need_a_session(client: httpx.AsyncClient) -> None:
    for path in ("revoke-session", "revoke-sessions", "revoke-other-sessions", "update-user", "update-session"):
        response = await client.post(f"/api/auth/{path}", json={"token": "x", "name": "x"})
        assert response.status_code == 401, path
        assert response.json() == {"code": "UNAUTHORIZED", "message": "Unauthorized"}


async def test_revoke_sessions_ends_all_including_this_one(make_client: ClientFactory) -> None:
    laptop, phone = await signed_in_twice(make_client)
    response = await laptop.post("/api/auth/revoke-sessions")
    assert response.json() == {"status": True}
    assert any(h.startswith(f"{COOKIE}=;") for h in response.headers.get_list("set-cookie"))
    laptop.cookies.clear()
    assert (await phone.get("/me")).status_code == 401
    assert (await sign_in(laptop)).status_code == 200  # the account itself is fine


@pytest.mark.database_sessions
async def test_revoke_other_sessions_keeps_this_one(make_client: ClientFactory) -> None:
    laptop, phone = await signed_in_twice(make_client)
    response = await laptop.post("/api/auth/revoke-other-sessions")
    assert response.json() == {"status": True}
    assert (await laptop.get("/me")).status_code == 200
    assert (await phone.get("/me")).status_code == 401
    assert len((await laptop.get("/api/auth/list-sessions")).json()) == 1


async def test_revocation_needs_a_trusted_origin(make_client: ClientFactory) -> None:
    """C3: a cross-site page cannot revoke the user's sessions with their cookie."""
    laptop, phone = await signed_in_twice(make_client)
    response = await laptop.post("/api/auth/revoke-sessions", headers={"origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json()["code"] == "INVALID_ORIGIN"
    assert (await phone.get("/me")).status_code == 200


@pytest.mark.database_sessions
async def test_hashed_tokens_list_handles_that_revoke_accepts(
    make_configured_client: ConfiguredClientFactory,
) -> None:
    """docs/design.md#session-tokens-at-rest: with hash_session_tokens, list-sessions never shows a usable token, yet
    revoke works."""
    laptop = await make_configured_client(session={"hash_session_tokens": True})
    await sign_up(laptop)
    listed = (await laptop.get("/api/auth/list-sessions")).json()
    handle = listed[0]["token"]
    current = (await laptop.get("/api/auth/get-session")).json()["session"]["token"]
    assert handle != current
    laptop_replay = laptop.cookies[COOKIE]
    response = await laptop.post("/api/auth/revoke-session", json={"token": handle})
    assert response.json() == {"status": True}
    laptop.cookies.set(COOKIE, laptop_replay)
    assert (await laptop.get("/api/auth/get-session")).json() is None


SESSION_STORES = ("database", "stateless")


async def test_update_user_changes_name_and_image(
    client: httpx.AsyncClient, clock: ManualClock, session_store: str
) -> None:
    await sign_up(client)
    clock.advance(timedelta(minutes=5))
    token = client.cookies[COOKIE]
    response = await client.post("/api/auth/update-user", json={"name": "Ann B.", "image": "https://x.example/a.png"})
    assert response.status_code == 200
    assert response.json() == {"status": True}
    # As after every user change in better-auth, the session cookie is sent again with a full Max-Age.
    [resent] = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")]
    assert resent.startswith(f"{COOKIE}={token};") or resent.startswith(f'{COOKIE}="{token}";')
    # (A stateless session cookie lives as long as the session it carries, minted five minutes ago.)
    assert f"Max-Age={604800 if session_store == 'database' else 604500};" in resent
    user = (await client.get("/api/auth/get-session")).json()["user"]
    assert user["name"] == "Ann B."
    assert user["image"] == "https://x.example/a.png"
    assert user["updatedAt"] == "2026-11-22T12:05:00.000Z"
    assert user["createdAt"] == "2026-11-22T12:00:00.000Z"


async def test_update_user_refuses_email_and_empty_updates(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    email = await client.post("/api/auth/update-user", json={"email": "new@example.com"})
    assert email.status_code == 400
    assert email.json() == {"code": "EMAIL_CAN_NOT_BE_UPDATED", "message": "Email can not be updated"}
    for body in ({}, {"emailVerified": True, "id": "x"}):
        nothing = await client.post("/api/auth/update-user", json=body)
        assert nothing.status_code == 400
        assert nothing.json() == {"message": "No fields to update"}  # better-auth's answer has no code
    wrong = await client.post("/api/auth/update-user", json={"name": 5})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "VALIDATION_ERROR"
    assert (await client.get("/api/auth/get-session")).json()["user"]["emailVerified"] is False


async def test_update_session_has_no_client_writable_fields(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await client.post("/api/auth/update-session", json={"expiresAt": "2099-01-01T00:00:00.000Z"})
    assert response.status_code == 400
    assert response.json() == {"message": "No fields to update"}
    not_object = await client.post("/api/auth/update-session", json=[1, 2])
    assert not_object.status_code == 400
    assert not_object.json() == {
        "code": "VALIDATION_ERROR",
        "message": "[body] Invalid input: expected record, received array",
    }
    session = (await client.get("/api/auth/get-session")).json()["session"]
    assert session["expiresAt"] == "2026-11-29T12:00:00.000Z"


@pytest.mark.database_sessions  # stateless sessions have no list to trim
@pytest.mark.parametrize("storage", [False, True], ids=["table", "secondary-storage"])
async def test_a_sign_in_beyond_the_session_limit_ends_the_oldest(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock, storage: bool, request: pytest.FixtureRequest
) -> None:
    """S9: with `session.max_sessions_per_user`, a new sign-in ends the user's oldest sessions
    beyond the limit; the newest ones, the new one included, stay."""
    options: dict[str, object] = {"session": {"max_sessions_per_user": 2}}
    if storage:
        options["secondary_storage_url"] = request.getfixturevalue("redis_url")
    first = await make_configured_client(**options)
    await sign_up(first)
    devices = [first]
    for _ in range(2):
        clock.advance(timedelta(seconds=1))
        device = await make_configured_client(**options)
        await sign_in(device)
        devices.append(device)

    statuses = [(await device.get("/me")).status_code for device in devices]

    assert statuses == [401, 200, 200]
    assert len((await devices[-1].get("/api/auth/list-sessions")).json()) == 2
