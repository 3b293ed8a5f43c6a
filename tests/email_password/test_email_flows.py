"""Email verification, password reset and password changes (docs/better-auth.md#password-reset-and-changes,
#email-verification) through the file outbox: L5 (single-use, hashed, short-lived tokens), L6 (link pages), L1 (same
answer for every address), P8."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from joserfc import jws
from joserfc.jwk import OctKey
from sqlmodel import select

from fastapi_betterauth import BetterAuth, ManualClock
from fastapi_betterauth.crypto import jose
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Verification

from ..conftest import BASE_URL, PASSWORD, TEST_SECRET, AuthFactory, ConfiguredClientFactory, sign_in, sign_up

SESSION_STORES = ("database", "stateless")

NEW_PASSWORD = "a brand new passphrase"


class Outbox:
    def __init__(self, path: Path, auth: BetterAuth) -> None:
        self.path = path
        self.auth = auth

    async def messages(self, type: str | None = None) -> list[dict[str, Any]]:
        await self.auth.drain()
        if not self.path.exists():
            return []
        lines = [json.loads(line) for line in self.path.read_text().splitlines()]
        return [line for line in lines if type is None or line["type"] == type]

    async def last_link(self, type: str) -> str:
        """The emailed URL as a path + query the test client can request."""
        url = (await self.messages(type))[-1]["url"]
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == BASE_URL
        return f"{parts.path}?{parts.query}"


Setup = Callable[..., Awaitable[tuple[httpx.AsyncClient, Outbox]]]


@pytest.fixture
def setup(make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, tmp_path: Path) -> Setup:
    async def build(**options: Any) -> tuple[httpx.AsyncClient, Outbox]:
        outbox = tmp_path / "outbox.jsonl"
        auth = make_auth(email={"outbox": str(outbox)}, **options)
        return await make_configured_client(auth), Outbox(outbox, auth)

    return build


VERIFY = {"email_and_password": {"require_email_verification": True}}


async def test_sign_up_then_verify_by_the_emailed_link(setup: Setup, database: Database, clock: ManualClock) -> None:
    client, outbox = await setup(**VERIFY)
    body = (await sign_up(client)).json()
    assert body["token"] is None
    [message] = await outbox.messages("verify-email")
    assert message["to"] == "ann@example.com"
    assert message["userId"] == body["user"]["id"]
    refused = await sign_in(client)
    assert refused.status_code == 403
    assert refused.json()["code"] == "EMAIL_NOT_VERIFIED"

    # better-auth's link: an HS256 JWT of {email, userId, iat, exp} signed with the secret, nothing stored.
    claims = jose.decode_jws(message["token"], [TEST_SECRET], now=clock.now())
    assert claims is not None
    assert list(claims) == ["email", "userId", "iat", "exp"]
    assert (claims["email"], claims["userId"]) == ("ann@example.com", body["user"]["id"])
    assert claims["exp"] - claims["iat"] == 3600
    async with database.session() as db:
        assert (await db.exec(select(Verification))).all() == []

    link = await outbox.last_link("verify-email")
    assert link.endswith("&callbackURL=%2F")  # better-auth's default landing page
    response = await client.get(link)
    assert response.status_code == 302
    assert response.headers["location"] == "/"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert (await sign_in(client)).status_code == 200
    async with database.session() as db:
        [used] = (await db.exec(select(Verification))).all()
    assert message["token"] not in used.id + used.identifier + used.value  # L5: the use is remembered hashed
    again = await client.get(link)  # L5: single use (better-auth's links are replayable, #9479)
    assert again.headers["location"] == "/?error=INVALID_TOKEN"
    as_json = await client.get(link.removesuffix("&callbackURL=%2F"))
    assert as_json.status_code == 401
    assert as_json.json() == {"code": "INVALID_TOKEN", "message": "Invalid token"}


async def test_expired_and_tampered_verification_links(setup: Setup, clock: ManualClock) -> None:
    client, outbox = await setup(**VERIFY)
    await sign_up(client)
    link = (await outbox.last_link("verify-email")).removesuffix("&callbackURL=%2F")
    tampered = link.replace("token=", "token=x")
    assert (await client.get(tampered)).json()["code"] == "INVALID_TOKEN"
    clock.advance(timedelta(hours=1, seconds=1))
    expired = await client.get(link)
    assert expired.status_code == 401
    assert expired.json()["code"] == "TOKEN_EXPIRED"
    assert (await client.get(link)).json()["code"] == "TOKEN_EXPIRED"  # and stays so


async def test_verification_link_redirects_to_its_callback(setup: Setup) -> None:
    client, outbox = await setup(**VERIFY)
    await client.post(
        "/api/auth/sign-up/email",
        json={"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "callbackURL": "/welcome"},
    )
    link = await outbox.last_link("verify-email")
    assert "callbackURL=%2Fwelcome" in link
    response = await client.get(link)
    assert response.status_code == 302
    assert response.headers["location"] == "/welcome"
    failed = await client.get(link)
    assert failed.status_code == 302
    assert failed.headers["location"] == "/welcome?error=INVALID_TOKEN"
    foreign = await client.get(link.replace("%2Fwelcome", "https%3A%2F%2Fevil.example"))
    assert foreign.status_code == 403
    assert foreign.json()["code"] == "INVALID_CALLBACK_URL"


async def test_auto_sign_in_after_verification(setup: Setup) -> None:
    client, outbox = await setup(
        email_and_password={"require_email_verification": True},
        email_verification={"auto_sign_in_after_verification": True},
    )
    await sign_up(client)
    response = await client.get(await outbox.last_link("verify-email"))
    assert any(h.startswith("__Secure-better-auth.session_token=") for h in response.headers.get_list("set-cookie"))
    assert (await client.get("/me")).json()["email"] == "ann@example.com"


async def test_send_verification_email_answers_the_same_for_everyone(setup: Setup) -> None:
    """L1: a known unverified, a verified and an unknown address get the same answer; only the first gets mail."""
    client, outbox = await setup(**VERIFY)
    await sign_up(client)
    await outbox.messages()
    outbox.path.unlink()
    anonymous = [
        await client.post("/api/auth/send-verification-email", json={"email": email})
        for email in ("ann@example.com", "nobody@example.com")
    ]
    assert [r.json() for r in anonymous] == [{"status": True}] * 2
    assert [m["to"] for m in await outbox.messages()] == ["ann@example.com"]


async def test_send_verification_email_when_signed_in(setup: Setup) -> None:
    client, outbox = await setup()
    await sign_up(client)
    mismatch = await client.post("/api/auth/send-verification-email", json={"email": "other@example.com"})
    assert mismatch.status_code == 400
    assert mismatch.json()["code"] == "EMAIL_MISMATCH"
    sent = await client.post("/api/auth/send-verification-email", json={"email": "ann@example.com"})
    assert sent.json() == {"status": True}
    await client.get(await outbox.last_link("verify-email"))
    verified = await client.post("/api/auth/send-verification-email", json={"email": "ann@example.com"})
    assert verified.json()["code"] == "EMAIL_ALREADY_VERIFIED"
    assert (await client.get("/api/auth/get-session", params={"disableCookieCache": "true"})).json()["user"][
        "emailVerified"
    ] is True


async def test_password_reset_by_the_emailed_link(
    setup: Setup, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    client, outbox = await setup()
    await sign_up(client)
    answer = await client.post(
        "/api/auth/request-password-reset", json={"email": "ann@example.com", "redirectTo": "/reset"}
    )
    assert answer.json() == {
        "status": True,
        "message": "If this email exists in our system, check your email for the reset link",
    }
    [message] = await outbox.messages("reset-password")
    link = await outbox.last_link("reset-password")
    assert link.startswith(f"/api/auth/reset-password/{message['token']}?callbackURL=%2Freset")
    landing = await client.get(link)
    assert landing.status_code == 302
    # An absolute URL, resolved against the base URL as better-auth does (a relative `callbackURL` of `reset`
    # would land under /api/).
    assert landing.headers["location"] == f"{BASE_URL}/reset?token={message['token']}"
    assert landing.headers["referrer-policy"] == "no-referrer"

    too_short = await client.post("/api/auth/reset-password", json={"token": message["token"], "newPassword": "x"})
    assert too_short.json()["code"] == "PASSWORD_TOO_SHORT"  # and the link still works:
    done = await client.post("/api/auth/reset-password", json={"token": message["token"], "newPassword": NEW_PASSWORD})
    assert done.json() == {"status": True}
    assert (await client.get("/me")).status_code == 401  # L8: the reset ended every session
    clock.advance(timedelta(seconds=1))  # a stateless session minted in the reset's millisecond counts as before it
    assert (await sign_in(client)).status_code == 401
    assert (await sign_in(client, password=NEW_PASSWORD)).status_code == 200
    assert (await client.get("/me")).status_code == 200
    reused = await client.post("/api/auth/reset-password", json={"token": message["token"], "newPassword": "x" * 12})
    assert reused.status_code == 400
    assert reused.json()["code"] == "INVALID_TOKEN"
    assert (await client.get(link)).headers["location"] == f"{BASE_URL}/reset?error=INVALID_TOKEN"


async def test_reset_answers_the_same_for_unknown_addresses(setup: Setup) -> None:
    client, outbox = await setup()
    await sign_up(client)
    for path in ("/api/auth/request-password-reset", "/api/auth/forget-password"):
        response = await client.post(path, json={"email": "nobody@example.com"})
        assert response.status_code == 200
        assert response.json()["status"] is True
    assert await outbox.messages("reset-password") == []
    untrusted = await client.post(
        "/api/auth/request-password-reset", json={"email": "ann@example.com", "redirectTo": "https://evil.example"}
    )
    assert untrusted.status_code == 403
    assert untrusted.json() == {"code": "INVALID_REDIRECT_URL", "message": "Invalid redirectURL"}
    assert await outbox.messages("reset-password") == []


async def test_reset_link_without_redirect_opens_a_working_form(setup: Setup) -> None:
    client, outbox = await setup()
    await sign_up(client)
    await client.post("/api/auth/request-password-reset", json={"email": "ann@example.com"})
    [message] = await outbox.messages("reset-password")
    page = await client.get(await outbox.last_link("reset-password"))
    assert page.status_code == 200
    assert 'name="newPassword"' in page.text
    assert 'type="password"' in page.text  # P10
    posted = await client.post(
        "/api/auth/reset-password", data={"token": message["token"], "newPassword": NEW_PASSWORD}
    )
    assert posted.json() == {"status": True}


async def test_reset_ends_every_session_by_default(
    setup: Setup, make_configured_client: ConfiguredClientFactory
) -> None:
    """L8: a reset follows a compromise, so by default it signs out every device, the one that asked included."""
    client, outbox = await setup()
    await sign_up(client)
    other = await make_configured_client()
    await sign_in(other)
    await client.post("/api/auth/request-password-reset", json={"email": "ann@example.com"})
    [message] = await outbox.messages("reset-password")
    reset = await client.post("/api/auth/reset-password", json={"token": message["token"], "newPassword": NEW_PASSWORD})
    assert reset.json() == {"status": True}
    assert (await client.get("/me")).status_code == 401
    assert (await other.get("/me")).status_code == 401


async def test_reset_keeps_sessions_when_told_to(setup: Setup) -> None:
    """L8: `revoke_sessions_on_password_reset=false` is better-auth's default, for apps that need it."""
    client, outbox = await setup(email_and_password={"revoke_sessions_on_password_reset": False})
    await sign_up(client)
    await client.post("/api/auth/request-password-reset", json={"email": "ann@example.com"})
    [message] = await outbox.messages("reset-password")
    await client.post("/api/auth/reset-password", json={"token": message["token"], "newPassword": NEW_PASSWORD})
    assert (await client.get("/me")).status_code == 200


async def test_reset_can_end_every_session_and_expires(setup: Setup, clock: ManualClock) -> None:
    client, outbox = await setup(email_and_password={"revoke_sessions_on_password_reset": True})
    await sign_up(client)
    await client.post("/api/auth/request-password-reset", json={"email": "ann@example.com"})
    [message] = await outbox.messages("reset-password")
    await client.post("/api/auth/reset-password", json={"token": message["token"], "newPassword": NEW_PASSWORD})
    assert (await client.get("/me")).status_code == 401
    await client.post("/api/auth/request-password-reset", json={"email": "ann@example.com"})
    token = (await outbox.messages("reset-password"))[-1]["token"]
    clock.advance(timedelta(hours=1, seconds=1))
    late = await client.post("/api/auth/reset-password", params={"token": token}, json={"newPassword": "x" * 12})
    assert late.json()["code"] == "INVALID_TOKEN"


async def test_two_concurrent_uses_of_one_reset_token(setup: Setup) -> None:
    """L5: consumption is atomic; exactly one of two simultaneous resets wins."""
    client, outbox = await setup()
    await sign_up(client)
    await client.post("/api/auth/request-password-reset", json={"email": "ann@example.com"})
    token = (await outbox.messages("reset-password"))[-1]["token"]
    first, second = await asyncio.gather(
        client.post("/api/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD + "1"}),
        client.post("/api/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD + "2"}),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 400]


async def test_change_password(setup: Setup, make_configured_client: ConfiguredClientFactory) -> None:
    """P8: the current password is required; revokeOtherSessions ends every other session."""
    client, _ = await setup()
    await sign_up(client)
    wrong = await client.post(
        "/api/auth/change-password", json={"currentPassword": "nope-nope", "newPassword": NEW_PASSWORD}
    )
    assert wrong.status_code == 400
    assert wrong.json() == {"code": "INVALID_PASSWORD", "message": "Invalid password"}
    kept = await client.post(
        "/api/auth/change-password", json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    )
    assert kept.json()["token"] is None
    assert kept.json()["user"]["email"] == "ann@example.com"
    assert (await client.get("/me")).status_code == 200
    old_cookie = client.cookies["__Secure-better-auth.session_token"]
    renewed = await client.post(
        "/api/auth/change-password",
        json={"currentPassword": NEW_PASSWORD, "newPassword": PASSWORD, "revokeOtherSessions": True},
    )
    assert renewed.json()["token"]
    assert client.cookies["__Secure-better-auth.session_token"] != old_cookie
    assert (await client.get("/me")).status_code == 200
    stale = httpx.AsyncClient(transport=client._transport, base_url=BASE_URL)
    stale.cookies.set("__Secure-better-auth.session_token", old_cookie)
    assert (await stale.get("/me")).status_code == 401
    await stale.aclose()


async def test_verify_password(setup: Setup) -> None:
    client, _ = await setup()
    await sign_up(client)
    assert (await client.post("/api/auth/verify-password", json={"password": PASSWORD})).json() == {"status": True}
    wrong = await client.post("/api/auth/verify-password", json={"password": "wrong-password"})
    assert wrong.json()["code"] == "INVALID_PASSWORD"


async def test_set_password_for_an_account_without_one(setup: Setup, make_auth: AuthFactory) -> None:
    client, outbox = await setup()
    user_id = (await sign_up(client)).json()["user"]["id"]
    auth = outbox.auth
    from fastapi_betterauth import AuthError

    with pytest.raises(AuthError) as raised:
        await auth.api.set_password(user_id, NEW_PASSWORD)
    assert raised.value.code == "PASSWORD_ALREADY_SET"


async def test_tokens_of_any_length_are_invalid_tokens_and_missing_ones_read_as_better_auth(setup: Setup) -> None:
    """An unknown token is INVALID_TOKEN whatever its length (never a VALIDATION_ERROR about its size); a missing
    one is better-auth's zod message for a query parameter."""
    client, _ = await setup(user={"delete_user": {"enabled": True}})
    await sign_up(client)
    long_token = "x" * 5000
    verify = await client.get("/api/auth/verify-email", params={"token": long_token})
    assert (verify.status_code, verify.json()["code"]) == (401, "INVALID_TOKEN")
    reset = await client.post("/api/auth/reset-password", json={"token": long_token, "newPassword": NEW_PASSWORD})
    assert (reset.status_code, reset.json()["code"]) == (400, "INVALID_TOKEN")
    reset_query = await client.post(f"/api/auth/reset-password?token={long_token}", json={"newPassword": NEW_PASSWORD})
    assert (reset_query.status_code, reset_query.json()["code"]) == (400, "INVALID_TOKEN")
    missing = await client.get("/api/auth/verify-email")
    assert missing.status_code == 400
    assert missing.json() == {
        "code": "VALIDATION_ERROR",
        "message": "[query.token] Invalid input: expected string, received undefined",
    }


def node_link_token(secret: str, claims: dict[str, Any]) -> str:
    """A verification token as better-auth's `signJWT` makes it (jose's SignJWT: `{"alg":"HS256"}` over the UTF-8
    bytes of the secret), built here with joserfc directly rather than with our own minting."""
    key = OctKey.import_key(secret.encode())
    return jws.serialize_compact({"alg": "HS256"}, json.dumps(claims, separators=(",", ":")), key)


async def test_links_minted_by_better_auth_verify_here_once_with_any_secret_of_the_keyring(
    setup: Setup, clock: ManualClock
) -> None:
    """A Node better-auth app sharing the database mails links signed with its secret: they verify here, before and
    after a rotation, once; a token for another user of that address, or for nobody, does not."""
    old_secret, new_secret = TEST_SECRET, f"{'n' * 8}{TEST_SECRET[8:]}"
    client, outbox = await setup(**VERIFY, secrets=[f"2:{new_secret}", f"1:{old_secret}"])
    user_id = (await sign_up(client)).json()["user"]["id"]
    [ours] = await outbox.messages("verify-email")  # signed with the current secret only
    assert jose.decode_jws(ours["token"], [new_secret], now=clock.now()) is not None
    assert jose.decode_jws(ours["token"], [old_secret], now=clock.now()) is None
    now = int(clock.now().timestamp())
    link = "/api/auth/verify-email?token={}"

    wrong_user = node_link_token(
        old_secret, {"email": "ann@example.com", "userId": "someone-else", "iat": now, "exp": now + 60}
    )
    assert (await client.get(link.format(wrong_user))).json()["code"] == "INVALID_TOKEN"
    nobody = node_link_token(old_secret, {"email": "bob@example.com", "iat": now, "exp": now + 60})
    assert (await client.get(link.format(nobody))).json()["code"] == "USER_NOT_FOUND"
    expired = node_link_token(old_secret, {"email": "ann@example.com", "userId": user_id, "iat": now - 60, "exp": now})
    assert (await client.get(link.format(expired))).json()["code"] == "TOKEN_EXPIRED"
    forged = node_link_token("a" * 48, {"email": "ann@example.com", "userId": user_id, "iat": now, "exp": now + 60})
    assert (await client.get(link.format(forged))).json()["code"] == "INVALID_TOKEN"

    token = node_link_token(old_secret, {"email": "ann@example.com", "userId": user_id, "iat": now, "exp": now + 60})
    answers = await asyncio.gather(*(client.get(link.format(token)) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 401, 401, 401]  # one use, even when concurrent
    assert (await sign_in(client)).status_code == 200
