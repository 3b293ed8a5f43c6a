"""The passkey plugin over HTTP in-process, with a software authenticator: better-auth's JSON shapes, challenge
cookie and verification row; challenges single-use, short-lived and per ceremony (docs/security.md W1); origins
(W2); the signature counter (W3); fresh sessions for adding and the last way in kept (W4); ownership; bans, two-factor
and required user verification (W5)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import text

from fastapi_betterauth import BetterAuth, ManualClock

from ..conftest import BASE_URL, AuthFactory, ClientFactory, sign_up
from .soft_authenticator import SoftAuthenticator

API = "/api/auth"
CHALLENGE_COOKIE = "__Secure-better-auth.better-auth-passkey"  # the test app is served over https
ZERO_AAGUID = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def plugins() -> dict[str, Any]:
    return {"passkey": {"enabled": True}}


@pytest.fixture
async def auth(make_auth: AuthFactory, plugins: dict[str, Any]) -> BetterAuth:
    auth = make_auth(plugins=plugins, trusted_origins=["https://app.example.test"])
    await auth.migrate()
    return auth


async def register(
    client: httpx.AsyncClient, authenticator: SoftAuthenticator, name: str | None = "Key", **fields: Any
) -> httpx.Response:
    options = await client.get(f"{API}/passkey/generate-register-options")
    assert options.status_code == 200, options.text
    body = {"response": authenticator.register(options.json()), "name": name, **fields}
    return await client.post(f"{API}/passkey/verify-registration", json=body)


async def sign_in(client: httpx.AsyncClient, authenticator: SoftAuthenticator, **assertion: Any) -> httpx.Response:
    options = await client.get(f"{API}/passkey/generate-authenticate-options")
    assert options.status_code == 200, options.text
    body = {"response": authenticator.assertion(options.json(), **assertion)}
    return await client.post(f"{API}/passkey/verify-authentication", json=body)


async def user_with_passkey(client: httpx.AsyncClient, email: str = "ann@example.com") -> SoftAuthenticator:
    assert (await sign_up(client, email)).status_code == 200
    authenticator = SoftAuthenticator(BASE_URL)
    answer = await register(client, authenticator)
    assert answer.status_code == 200, answer.text
    return authenticator


def _error(answer: httpx.Response) -> tuple[int, str]:
    return answer.status_code, answer.json().get("code")


async def test_register_then_sign_in_without_a_username(auth: BetterAuth, make_client: ClientFactory) -> None:
    client = make_client()
    user = (await sign_up(client)).json()["user"]
    options = await client.get(f"{API}/passkey/generate-register-options")
    created = options.json()
    assert created["rp"] == {"name": auth.settings.email.app_name, "id": "testserver"}
    assert created["user"]["name"] == created["user"]["displayName"] == "ann@example.com"
    assert base64.urlsafe_b64decode(created["user"]["id"] + "==").isalnum()  # a random handle, not the user id
    assert [param["alg"] for param in created["pubKeyCredParams"]] == [-8, -7, -257]
    assert created["authenticatorSelection"] == {
        "residentKey": "preferred",
        "userVerification": "preferred",
        "requireResidentKey": False,
    }
    assert (created["attestation"], created["excludeCredentials"], created["timeout"]) == ("none", [], 60000)
    assert created["extensions"] == {"credProps": True}
    [cookie] = [header for header in options.headers.get_list("set-cookie") if header.startswith(CHALLENGE_COOKIE)]
    assert "Max-Age=300" in cookie
    assert "HttpOnly" in cookie
    async with auth.database.session() as db:
        [(identifier, value)] = (await db.exec(text("SELECT identifier, value FROM verification"))).all()  # type: ignore[call-overload]
    assert json.loads(value) == {
        "type": "registration",
        "expectedChallenge": created["challenge"],
        "userData": {"id": user["id"], "name": "ann@example.com", "displayName": "ann@example.com"},
        "context": None,
    }
    assert len(identifier) == 32

    authenticator = SoftAuthenticator(BASE_URL)
    body = {"response": authenticator.register(created), "name": " Laptop "}
    registered = await client.post(f"{API}/passkey/verify-registration", json=body)
    assert registered.status_code == 200, registered.text
    passkey = registered.json()
    assert set(passkey) == {
        "id",
        "name",
        "publicKey",
        "userId",
        "credentialID",
        "counter",
        "deviceType",
        "backedUp",
        "transports",
        "createdAt",
        "aaguid",
    }
    assert (passkey["name"], passkey["userId"], passkey["credentialID"]) == ("Laptop", user["id"], authenticator.id)
    assert (passkey["counter"], passkey["deviceType"], passkey["backedUp"]) == (0, "singleDevice", False)
    assert (passkey["transports"], passkey["aaguid"]) == ("internal", ZERO_AAGUID)
    assert base64.b64decode(passkey["publicKey"], validate=True)[:1] == b"\xa5"  # a COSE map, standard base64
    again = (await client.get(f"{API}/passkey/generate-register-options")).json()
    assert again["excludeCredentials"] == [{"id": authenticator.id, "transports": ["internal"], "type": "public-key"}]
    # Someone signed in is offered their own credentials only.
    assert [
        c["id"] for c in (await client.get(f"{API}/passkey/generate-authenticate-options")).json()["allowCredentials"]
    ] == [authenticator.id]

    stranger = make_client()
    options = (await stranger.get(f"{API}/passkey/generate-authenticate-options")).json()
    assert set(options) == {"rpId", "challenge", "timeout", "userVerification"}  # discoverable credentials
    answer = await stranger.post(
        f"{API}/passkey/verify-authentication", json={"response": authenticator.assertion(options)}
    )
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"session", "user"}
    assert answer.json()["user"]["email"] == "ann@example.com"
    assert (await stranger.get("/me")).json()["id"] == user["id"]
    [listed] = (await stranger.get(f"{API}/passkey/list-user-passkeys")).json()
    assert listed["counter"] == 1


async def test_registration_can_open_a_new_session(make_client: ClientFactory) -> None:
    client = make_client()
    first = (await sign_up(client)).json()
    answer = await register(client, SoftAuthenticator(BASE_URL), createSession=True)
    assert answer.status_code == 200, answer.text
    assert answer.json()["session"]["token"] != first["token"]
    assert answer.json()["user"]["email"] == "ann@example.com"
    assert answer.json()["credentialID"]
    assert any(name.endswith("session_token") for name in answer.cookies)


async def test_challenges_are_single_use_short_lived_and_per_ceremony(
    auth: BetterAuth, make_client: ClientFactory, clock: ManualClock
) -> None:
    """W1."""
    client = make_client()
    authenticator = await user_with_passkey(client)
    stranger = make_client()
    options = (await stranger.get(f"{API}/passkey/generate-authenticate-options")).json()
    clock.advance(timedelta(seconds=301))
    late = await stranger.post(
        f"{API}/passkey/verify-authentication", json={"response": authenticator.assertion(options)}
    )
    assert _error(late) == (400, "CHALLENGE_NOT_FOUND")

    registering = (await client.get(f"{API}/passkey/generate-register-options")).json()
    wrong = {"response": authenticator.assertion({"rpId": "testserver", "challenge": registering["challenge"]})}
    assert _error(await client.post(f"{API}/passkey/verify-authentication", json=wrong)) == (400, "CHALLENGE_NOT_FOUND")

    signed_in = await sign_in(stranger, authenticator)
    assert signed_in.status_code == 200
    replayed = json.loads(signed_in.request.content)
    answer = await stranger.post(f"{API}/passkey/verify-authentication", json=replayed)
    assert _error(answer) == (400, "CHALLENGE_NOT_FOUND")
    await stranger.get(f"{API}/passkey/generate-authenticate-options")
    answer = await stranger.post(f"{API}/passkey/verify-authentication", json=replayed)
    assert _error(answer) == (400, "AUTHENTICATION_FAILED")
    no_cookie = await make_client().post(f"{API}/passkey/verify-authentication", json=replayed)
    assert _error(no_cookie) == (400, "CHALLENGE_NOT_FOUND")


async def test_origins_allowed_by_default_are_the_base_url_and_trusted_ones(make_client: ClientFactory) -> None:
    """W2."""
    authenticator = await user_with_passkey(make_client())
    stranger = make_client()
    assert _error(await sign_in(stranger, authenticator, origin="https://evil.example")) == (
        400,
        "AUTHENTICATION_FAILED",
    )
    assert (await sign_in(stranger, authenticator, origin="https://app.example.test")).status_code == 200
    other = make_client()
    assert (await sign_up(other, "bob@example.com")).status_code == 200
    phished = await register(other, SoftAuthenticator("https://evil.example"))
    assert _error(phished) == (400, "FAILED_TO_VERIFY_REGISTRATION")


@pytest.mark.parametrize("plugins", [{"passkey": {"enabled": True, "origins": [BASE_URL]}}])
async def test_explicit_origins_replace_the_trusted_ones(make_client: ClientFactory) -> None:
    """W2."""
    authenticator = await user_with_passkey(make_client())
    refused = await sign_in(make_client(), authenticator, origin="https://app.example.test")
    assert _error(refused) == (400, "AUTHENTICATION_FAILED")
    assert (await sign_in(make_client(), authenticator)).status_code == 200


async def test_a_counter_that_does_not_grow_is_refused(make_client: ClientFactory) -> None:
    """W3: a cloned authenticator presents a counter at or below the stored one."""
    authenticator = await user_with_passkey(make_client())
    assert (await sign_in(make_client(), authenticator, counter=5)).status_code == 200
    for behind in (5, 3):
        assert _error(await sign_in(make_client(), authenticator, counter=behind)) == (400, "AUTHENTICATION_FAILED")
    assert (await sign_in(make_client(), authenticator, counter=6)).status_code == 200


async def test_authenticators_without_a_counter_keep_zero(make_client: ClientFactory) -> None:
    """W3: a counter that is zero on both sides means the authenticator keeps none (synced passkeys)."""
    authenticator = await user_with_passkey(make_client())
    for _ in range(2):
        assert (await sign_in(make_client(), authenticator, counter=0)).status_code == 200


async def test_adding_a_passkey_needs_a_fresh_session(make_client: ClientFactory, clock: ManualClock) -> None:
    """W4."""
    anonymous = await make_client().get(f"{API}/passkey/generate-register-options")
    assert _error(anonymous) == (401, "UNAUTHORIZED")
    client = make_client()
    assert (await sign_up(client)).status_code == 200
    options = (await client.get(f"{API}/passkey/generate-register-options")).json()
    clock.advance(timedelta(days=1, seconds=1))
    stale = await client.get(f"{API}/passkey/generate-register-options")
    assert _error(stale) == (403, "SESSION_NOT_FRESH")
    body = {"response": SoftAuthenticator(BASE_URL).register(options)}
    assert _error(await client.post(f"{API}/passkey/verify-registration", json=body)) == (403, "SESSION_NOT_FRESH")


async def test_the_last_way_to_sign_in_is_not_deleted(auth: BetterAuth, make_client: ClientFactory) -> None:
    """W4: a user without a password or linked provider keeps their last passkey."""
    client = make_client()
    await user_with_passkey(client)
    second = await register(client, SoftAuthenticator(BASE_URL), name="Phone")
    assert second.status_code == 200
    user_id = second.json()["userId"]
    async with auth.database.session() as db, db.begin():
        await db.exec(text('DELETE FROM account WHERE "userId" = :id').bindparams(id=user_id))  # type: ignore[call-overload]
    first, phone = (await client.get(f"{API}/passkey/list-user-passkeys")).json()
    deleted = await client.post(f"{API}/passkey/delete-passkey", json={"id": phone["id"]})
    assert deleted.json() == {"status": True}
    refused = await client.post(f"{API}/passkey/delete-passkey", json={"id": first["id"]})
    assert _error(refused) == (400, "FAILED_TO_DELETE_LAST_PASSKEY")
    assert [p["id"] for p in (await client.get(f"{API}/passkey/list-user-passkeys")).json()] == [first["id"]]


async def test_only_the_owner_renames_or_deletes_a_passkey(make_client: ClientFactory) -> None:
    owner, other = make_client(), make_client()
    await user_with_passkey(owner)
    assert (await sign_up(other, "bob@example.com")).status_code == 200
    [passkey] = (await owner.get(f"{API}/passkey/list-user-passkeys")).json()
    renamed = await other.post(f"{API}/passkey/update-passkey", json={"id": passkey["id"], "name": "Mine"})
    assert _error(renamed) == (401, "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY")
    assert (await other.post(f"{API}/passkey/delete-passkey", json={"id": passkey["id"]})).status_code == 401
    unknown = await owner.post(f"{API}/passkey/delete-passkey", json={"id": "nope"})
    assert _error(unknown) == (404, "PASSKEY_NOT_FOUND")
    blank = await owner.post(f"{API}/passkey/update-passkey", json={"id": passkey["id"], "name": "  "})
    assert blank.status_code == 400
    renamed = await owner.post(f"{API}/passkey/update-passkey", json={"id": passkey["id"], "name": "Phone"})
    assert renamed.json()["passkey"]["name"] == "Phone"
    assert (await other.get(f"{API}/passkey/list-user-passkeys")).json() == []
    assert _error(await make_client().get(f"{API}/passkey/list-user-passkeys")) == (401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    "plugins", [{"passkey": {"enabled": True}, "admin": {"enabled": True}, "two_factor": {"enabled": True}}]
)
async def test_sign_in_goes_through_the_sign_in_stages(auth: BetterAuth, make_client: ClientFactory) -> None:
    """W5: a banned user is refused; two-factor authentication does not challenge a passkey (as in better-auth)."""
    authenticator = await user_with_passkey(make_client())
    async with auth.database.session() as db, db.begin():
        await db.exec(text('UPDATE "user" SET "twoFactorEnabled" = true'))  # type: ignore[call-overload]
    signed_in = await sign_in(make_client(), authenticator)
    assert signed_in.status_code == 200, signed_in.text
    assert "session" in signed_in.json()
    async with auth.database.session() as db, db.begin():
        await db.exec(text('UPDATE "user" SET banned = true'))  # type: ignore[call-overload]
    assert _error(await sign_in(make_client(), authenticator)) == (403, "BANNED_USER")


@pytest.mark.parametrize("plugins", [{"passkey": {"enabled": True, "user_verification": "required"}}])
async def test_user_verification_can_be_required(make_client: ClientFactory) -> None:
    """W5."""
    client = make_client()
    assert (await sign_up(client)).status_code == 200
    options = (await client.get(f"{API}/passkey/generate-register-options")).json()
    assert options["authenticatorSelection"]["userVerification"] == "required"
    unverified = SoftAuthenticator(BASE_URL, user_verified=False)
    answer = await client.post(f"{API}/passkey/verify-registration", json={"response": unverified.register(options)})
    assert _error(answer) == (400, "FAILED_TO_VERIFY_REGISTRATION")
    authenticator = SoftAuthenticator(BASE_URL)
    assert (await register(client, authenticator)).status_code == 200
    authenticator.user_verified = False
    assert _error(await sign_in(make_client(), authenticator)) == (400, "AUTHENTICATION_FAILED")


@pytest.mark.parametrize(
    "response",
    [
        {},
        {"id": "x"},
        {"response": "text"},
        {"response": {"clientDataJSON": "!!!"}},
        {"response": {"clientDataJSON": "WzFd"}},  # base64url of [1]
        {"response": {"clientDataJSON": "eyJvcmlnaW4iOiAxfQ"}},  # {"origin": 1}
    ],
)
async def test_malformed_responses_are_refused_not_crashed_on(
    make_client: ClientFactory, response: dict[str, Any]
) -> None:
    client = make_client()
    authenticator = await user_with_passkey(client)
    await client.get(f"{API}/passkey/generate-register-options")
    registering = await client.post(f"{API}/passkey/verify-registration", json={"response": response})
    assert _error(registering) == (400, "FAILED_TO_VERIFY_REGISTRATION")
    await client.get(f"{API}/passkey/generate-authenticate-options")
    signing_in = await client.post(
        f"{API}/passkey/verify-authentication", json={"response": {**response, "id": authenticator.id}}
    )
    assert _error(signing_in) == (400, "AUTHENTICATION_FAILED")
