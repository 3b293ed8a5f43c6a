"""Change of email address (docs/better-auth.md#change-email, all three flows) and account deletion
(docs/better-auth.md#delete-user): L5, S6, S7."""

from __future__ import annotations

from datetime import timedelta

import httpx2 as httpx
from sqlmodel import select

from fastapi_betterauth import ManualClock, User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Account, Session

from ..conftest import PASSWORD, sign_in, sign_up
from .test_email_flows import Outbox, Setup, setup  # noqa: F401  (setup is a fixture)

SESSION_STORES = ("database", "stateless")

CHANGE = {"user": {"change_email": {"enabled": True}}}


async def verified_user(client: httpx.AsyncClient, outbox: Outbox) -> None:
    await sign_up(client)
    await client.post("/api/auth/send-verification-email", json={"email": "ann@example.com"})
    await client.get(await outbox.last_link("verify-email"))
    await outbox.messages()


async def session_user(client: httpx.AsyncClient) -> dict[str, object]:
    body = (await client.get("/api/auth/get-session", params={"disableCookieCache": "true"})).json()
    return dict(body["user"]) if body else {}


async def test_change_email_is_off_by_default(setup: Setup) -> None:  # noqa: F811
    client, _ = await setup()
    await sign_up(client)
    response = await client.post("/api/auth/change-email", json={"newEmail": "new@example.com"})
    assert response.status_code == 400
    assert response.json()["code"] == "CHANGE_EMAIL_DISABLED"


async def test_verified_address_confirms_through_both_addresses(setup: Setup) -> None:  # noqa: F811
    client, outbox = await setup(**CHANGE)
    await verified_user(client, outbox)
    response = await client.post("/api/auth/change-email", json={"newEmail": "New@Example.com"})
    assert response.json() == {"status": True}
    [confirmation] = await outbox.messages("change-email-confirmation")
    assert confirmation["to"] == "ann@example.com"  # the old address confirms first
    assert (await session_user(client))["email"] == "ann@example.com"

    await client.get(await outbox.last_link("change-email-confirmation"))
    [verification] = await outbox.messages("change-email-verification")
    assert verification["to"] == "new@example.com"
    # The last link works from another browser too, without signing anybody in there (as in better-auth 1.7).
    elsewhere, _ = await setup(**CHANGE)
    followed = await elsewhere.get(await outbox.last_link("change-email-verification"))
    assert followed.status_code == 302
    assert (await elsewhere.get("/api/auth/get-session")).json() is None
    user = await session_user(client)
    assert user["email"] == "new@example.com"
    assert user["emailVerified"] is True
    assert (
        (await client.get(await outbox.last_link("change-email-verification")))
        .headers["location"]
        .endswith("error=INVALID_TOKEN")
    )
    assert (await sign_in(client, email="new@example.com")).status_code == 200


async def test_unverified_address_changes_at_once_when_allowed(setup: Setup) -> None:  # noqa: F811
    client, outbox = await setup(user={"change_email": {"enabled": True, "update_email_without_verification": True}})
    await sign_up(client)
    await client.post("/api/auth/change-email", json={"newEmail": "new@example.com"})
    user = await session_user(client)
    assert user["email"] == "new@example.com"
    assert user["emailVerified"] is False
    assert [m["to"] for m in await outbox.messages("verify-email")] == ["new@example.com"]


async def test_unverified_address_verifies_the_new_one_directly(setup: Setup) -> None:  # noqa: F811
    client, outbox = await setup(**CHANGE)
    await sign_up(client)
    await client.post("/api/auth/change-email", json={"newEmail": "new@example.com"})
    assert await outbox.messages("change-email-confirmation") == []
    [verification] = await outbox.messages("change-email-verification")
    assert verification["to"] == "new@example.com"
    await client.get(await outbox.last_link("change-email-verification"))
    assert (await session_user(client))["email"] == "new@example.com"


async def test_a_taken_address_answers_the_same_and_sends_nothing(setup: Setup) -> None:  # noqa: F811
    client, outbox = await setup(**CHANGE)
    other, _ = await setup(**CHANGE)
    await sign_up(other, email="bob@example.com")
    await sign_up(client)
    response = await client.post("/api/auth/change-email", json={"newEmail": "bob@example.com"})
    assert response.json() == {"status": True}
    assert [m["type"] for m in await outbox.messages()] == []
    same = await client.post("/api/auth/change-email", json={"newEmail": "ANN@example.com"})
    assert same.json()["code"] == "EMAIL_IS_THE_SAME"


async def test_delete_user_is_off_by_default(setup: Setup) -> None:  # noqa: F811
    client, _ = await setup()
    await sign_up(client)
    response = await client.post("/api/auth/delete-user", json={})
    assert (response.status_code, response.content) == (404, b"")  # better-auth: a bare 404


async def rows(database: Database) -> tuple[int, int, int]:
    async with database.session() as db:
        return (
            len((await db.exec(select(User))).all()),
            len((await db.exec(select(Account))).all()),
            len((await db.exec(select(Session))).all()),
        )


async def test_delete_user_with_a_fresh_session(setup: Setup, database: Database) -> None:  # noqa: F811
    """S7: the account, its credential and every session are gone, and the cookies with them."""
    client, _ = await setup(user={"delete_user": {"enabled": True}})
    await sign_up(client)
    await sign_in(client)
    response = await client.post("/api/auth/delete-user", json={})
    assert response.json() == {"success": True, "message": "User deleted"}
    assert any("Max-Age=0" in h for h in response.headers.get_list("set-cookie"))
    assert await rows(database) == (0, 0, 0)
    assert (await sign_in(client)).status_code == 401


async def test_stale_session_needs_the_password(setup: Setup, clock: ManualClock, database: Database) -> None:  # noqa: F811
    client, _ = await setup(user={"delete_user": {"enabled": True}})
    await sign_up(client)
    clock.advance(timedelta(days=2))
    stale = await client.post("/api/auth/delete-user", json={})
    assert stale.status_code == 400
    assert stale.json()["code"] == "SESSION_EXPIRED"
    wrong = await client.post("/api/auth/delete-user", json={"password": "wrong-password"})
    assert wrong.json()["code"] == "INVALID_PASSWORD"
    assert (await rows(database))[0] == 1
    done = await client.post("/api/auth/delete-user", json={"password": PASSWORD})
    assert done.json() == {"success": True, "message": "User deleted"}
    assert (await rows(database))[0] == 0


async def test_delete_by_the_emailed_link(setup: Setup, database: Database) -> None:  # noqa: F811
    client, outbox = await setup(user={"delete_user": {"enabled": True, "confirm_by_email": True}})
    await sign_up(client)
    response = await client.post("/api/auth/delete-user", json={"callbackURL": "/goodbye"})
    assert response.json() == {"success": True, "message": "Verification email sent"}
    assert (await rows(database))[0] == 1
    link = await outbox.last_link("delete-account")
    stranger, _ = await setup(user={"delete_user": {"enabled": True}})
    assert (await stranger.get(link)).json()["code"] == "FAILED_TO_GET_USER_INFO"  # needs the user's session
    followed = await client.get(link)
    assert followed.status_code == 302
    assert followed.headers["location"] == "/goodbye"
    assert await rows(database) == (0, 0, 0)


async def test_a_deletion_link_of_another_user_does_nothing(setup: Setup, database: Database) -> None:  # noqa: F811
    client, outbox = await setup(user={"delete_user": {"enabled": True, "confirm_by_email": True}})
    await sign_up(client)
    await client.post("/api/auth/delete-user", json={})
    link = await outbox.last_link("delete-account")
    bob, _ = await setup(user={"delete_user": {"enabled": True}})
    await sign_up(bob, email="bob@example.com")
    response = await bob.get(link)
    assert response.status_code == 404
    assert response.json()["code"] == "INVALID_TOKEN"
    assert (await rows(database))[0] == 2


async def test_a_change_link_followed_in_another_users_browser_changes_nothing(setup: Setup) -> None:  # noqa: F811
    """C4 (login CSRF): the link of Ann's email change, followed in a browser where Bob is signed in, is refused with
    `INVALID_USER` (better-auth's answer): Bob stays Bob, Ann's address stays hers, and the link still works for Ann."""
    ann, outbox = await setup(**CHANGE)
    bob, _ = await setup(**CHANGE)
    await sign_up(ann)
    await sign_up(bob, email="bob@example.com")
    await ann.post("/api/auth/change-email", json={"newEmail": "new@example.com"})
    link = await outbox.last_link("change-email-verification")

    refused = await bob.get(link)

    assert refused.status_code in (302, 401)
    assert "INVALID_USER" in (refused.headers.get("location") or refused.text)
    assert "set-cookie" not in refused.headers
    assert (await session_user(bob))["email"] == "bob@example.com"
    assert (await session_user(ann))["email"] == "ann@example.com"
    await ann.get(link)
    assert (await session_user(ann))["email"] == "new@example.com"
