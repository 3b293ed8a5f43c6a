"""Linked accounts and provider tokens against the real OpenID provider (docs/better-auth.md#linked-accounts,
#provider-tokens)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import AuthError, ManualClock
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Account
from fastapi_betterauth.oauth.providers import OAuthProvider

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_up
from ..idp_fixture import IdP

SESSION_STORES = ("database", "stateless")


def providers(idp: IdP) -> list[OAuthProvider]:
    return [idp.provider(), idp.provider("idp2", idp.second_client)]


@pytest.fixture
async def client(
    oidc_provider: IdP, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> httpx.AsyncClient:
    clock.set(datetime.now(UTC))
    return await make_configured_client(make_auth(social_providers=providers(oidc_provider)))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def social_sign_in(client: httpx.AsyncClient, idp: IdP, login: str = "alice", provider: str = "idp") -> str:
    url = (await client.post("/api/auth/sign-in/social", json={"provider": provider, "callbackURL": "/in"})).json()[
        "url"
    ]
    response = await client.get(path_of(await idp.login(url, login=login)))
    return str(response.headers["location"])


async def link(client: httpx.AsyncClient, idp: IdP, login: str, provider: str = "idp2") -> str:
    response = await client.post(
        "/api/auth/link-social", json={"provider": provider, "callbackURL": "/linked", "errorCallbackURL": "/oops"}
    )
    assert response.status_code == 200, response.text
    back = await client.get(path_of(await idp.login(response.json()["url"], login=login)))
    return str(back.headers["location"])


async def row_id(client: httpx.AsyncClient, provider: str = "idp") -> str:
    """The account's row id, as `/list-accounts` shows it (what the token endpoints take)."""
    listed = (await client.get("/api/auth/list-accounts")).json()
    return str(next(a["id"] for a in listed if a["providerId"] == provider))


async def test_list_link_and_unlink(client: httpx.AsyncClient, oidc_provider: IdP) -> None:
    assert await social_sign_in(client, oidc_provider) == "/in"
    listed = (await client.get("/api/auth/list-accounts")).json()
    assert [(a["providerId"], a["accountId"]) for a in listed] == [("idp", "alice")]
    assert set(listed[0]) == {"id", "providerId", "accountId", "userId", "createdAt", "updatedAt", "scopes"}
    assert listed[0]["scopes"] == ["openid", "email", "profile"]  # the token response's order
    idp_id = listed[0]["id"]
    last = await client.post("/api/auth/unlink-account", json={"accountId": idp_id})
    assert (last.status_code, last.json()["code"]) == (400, "FAILED_TO_UNLINK_LAST_ACCOUNT")
    # The last-account check comes before the id lookup: with one account, any id gets it.
    assert (await client.post("/api/auth/unlink-account", json={"accountId": "nope"})).json()["code"] == (
        "FAILED_TO_UNLINK_LAST_ACCOUNT"
    )

    assert await link(client, oidc_provider, "alice") == "/linked"
    assert {a["providerId"] for a in (await client.get("/api/auth/list-accounts")).json()} == {"idp", "idp2"}
    unknown = await client.post("/api/auth/unlink-account", json={"accountId": "alice"})  # a subject, not an id
    assert (unknown.status_code, unknown.json()["code"]) == (400, "ACCOUNT_NOT_FOUND")
    assert (await client.post("/api/auth/unlink-account", json={"accountId": idp_id})).json() == {"status": True}
    assert [a["providerId"] for a in (await client.get("/api/auth/list-accounts")).json()] == ["idp2"]


async def test_unlink_needs_an_account_id_and_a_fresh_session(
    client: httpx.AsyncClient, oidc_provider: IdP, clock: ManualClock
) -> None:
    await social_sign_in(client, oidc_provider)
    by_provider = await client.post("/api/auth/unlink-account", json={"providerId": "idp"})
    assert by_provider.status_code == 400
    assert by_provider.json() == {
        "code": "VALIDATION_ERROR",
        "message": "[body.accountId] Invalid input: expected string, received undefined",
    }
    clock.advance(timedelta(days=1, seconds=1))
    stale = await client.post("/api/auth/unlink-account", json={"accountId": await row_id(client)})
    assert (stale.status_code, stale.json()["code"]) == (403, "SESSION_NOT_FRESH")


async def test_linking_needs_the_same_address(client: httpx.AsyncClient, oidc_provider: IdP) -> None:
    await sign_up(client, email="ann@example.com")
    assert await link(client, oidc_provider, "alice", provider="idp") == "/oops?error=email_does_not_match"
    assert [a["providerId"] for a in (await client.get("/api/auth/list-accounts")).json()] == ["credential"]


async def test_an_account_linked_to_someone_else_stays_theirs(
    client: httpx.AsyncClient,
    oidc_provider: IdP,
    make_configured_client: ConfiguredClientFactory,
    make_auth: AuthFactory,
) -> None:
    await social_sign_in(client, oidc_provider, login="erin")  # erin@example.test owns (idp, erin)
    other = await make_configured_client(make_auth(social_providers=providers(oidc_provider)))
    await sign_up(other, email="erin2@example.test")
    result = await link(other, oidc_provider, "erin", provider="idp")
    assert result in ("/oops?error=account_already_linked_to_different_user", "/oops?error=email_does_not_match")


async def test_token_endpoints_take_the_account_row_id(
    client: httpx.AsyncClient,
    oidc_provider: IdP,
    make_configured_client: ConfiguredClientFactory,
    make_auth: AuthFactory,
) -> None:
    """better-auth's strict union body: `{accountId}` (the row id) or `{useAccountCookie: true}`, nothing else."""
    await social_sign_in(client, oidc_provider)
    account_id = await row_id(client)
    token = await client.post("/api/auth/get-access-token", json={"accountId": account_id})
    assert token.status_code == 200, token.text
    assert set(token.json()) == {"accessToken", "accessTokenExpiresAt", "scopes", "idToken"}
    assert token.json()["scopes"] == ["openid", "email", "profile"]
    session_wins = await client.post("/api/auth/get-access-token", json={"accountId": account_id, "userId": "x"})
    assert session_wins.json()["accessToken"] == token.json()["accessToken"]
    for path in ("get-access-token", "refresh-token"):
        for body in ({"providerId": "idp"}, {}, {"accountId": account_id, "providerId": "idp"}, {"accountId": 1}):
            refused = await client.post(f"/api/auth/{path}", json=body)
            assert refused.status_code == 400, (path, body)
            assert refused.json() == {"code": "VALIDATION_ERROR", "message": "[body] Invalid input"}, (path, body)
        for body in ({"accountId": "alice"}, {"accountId": "nope"}, {"useAccountCookie": True}):
            missing = await client.post(f"/api/auth/{path}", json=body)
            assert (missing.status_code, missing.json()["code"]) == (400, "ACCOUNT_NOT_FOUND"), (path, body)

    other = await make_configured_client(make_auth(social_providers=providers(oidc_provider)))
    await social_sign_in(other, oidc_provider, login="bob")
    for path in ("get-access-token", "refresh-token"):
        foreign = await other.post(f"/api/auth/{path}", json={"accountId": account_id})
        assert (foreign.status_code, foreign.json()["code"]) == (400, "ACCOUNT_NOT_FOUND"), path
    assert (await other.get("/api/auth/account-info", params={"accountId": account_id})).json()["code"] == (
        "ACCOUNT_NOT_FOUND"
    )


async def test_refresh_token_answers_the_row_id_and_stores_the_rotated_token(
    client: httpx.AsyncClient, oidc_provider: IdP, database: Database
) -> None:
    await social_sign_in(client, oidc_provider)
    account_id = await row_id(client)
    first = await client.post("/api/auth/refresh-token", json={"accountId": account_id})
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == {
        "accessToken",
        "refreshToken",
        "accessTokenExpiresAt",
        "refreshTokenExpiresAt",
        "scope",
        "idToken",
        "providerId",
        "accountId",
    }
    assert (body["providerId"], body["accountId"], body["scope"]) == ("idp", account_id, "openid,email,profile")
    assert body["refreshTokenExpiresAt"] is None
    async with database.session() as db:
        [row] = (await db.exec(select(Account))).all()
    assert row.refresh_token == body["refreshToken"]  # the rotated one is kept
    second = await client.post("/api/auth/refresh-token", json={"accountId": account_id})
    assert second.status_code == 200, second.text  # the IdP refuses a spent refresh token: this one is new
    assert second.json()["refreshToken"] != body["refreshToken"]


async def test_access_token_is_refreshed_once_for_concurrent_callers(
    client: httpx.AsyncClient, oidc_provider: IdP, clock: ManualClock, database: Database
) -> None:
    """The IdP rotates refresh tokens and refuses a spent one: without the per-account lock, concurrent refreshes
    would fail."""
    await social_sign_in(client, oidc_provider)
    account_id = await row_id(client)
    body = {"accountId": account_id}
    fresh = (await client.post("/api/auth/get-access-token", json=body)).json()
    assert fresh["accessToken"]
    again = (await client.post("/api/auth/get-access-token", json=body)).json()
    assert again["accessToken"] == fresh["accessToken"]  # still valid: no refresh

    clock.advance(timedelta(minutes=10))  # past the IdP's 300 s access-token lifetime
    responses = await asyncio.gather(*(client.post("/api/auth/get-access-token", json=body) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5, [r.text for r in responses]
    tokens = {r.json()["accessToken"] for r in responses}
    assert len(tokens) == 1
    assert tokens != {fresh["accessToken"]}

    forced = await client.post("/api/auth/refresh-token", json=body)
    assert forced.status_code == 200
    assert forced.json()["accessToken"] not in tokens


async def test_get_access_token_refreshes_within_five_seconds_of_expiry(
    client: httpx.AsyncClient, oidc_provider: IdP, clock: ManualClock
) -> None:
    await social_sign_in(client, oidc_provider)
    body = {"accountId": await row_id(client)}
    first = (await client.post("/api/auth/get-access-token", json=body)).json()
    expires = datetime.fromisoformat(first["accessTokenExpiresAt"].replace("Z", "+00:00"))
    clock.set(expires - timedelta(seconds=6))
    assert (await client.post("/api/auth/get-access-token", json=body)).json()["accessToken"] == first["accessToken"]
    clock.set(expires - timedelta(seconds=4))
    refreshed = (await client.post("/api/auth/get-access-token", json=body)).json()
    assert refreshed["accessToken"] != first["accessToken"]
    assert datetime.fromisoformat(refreshed["accessTokenExpiresAt"].replace("Z", "+00:00")) > expires


async def test_account_routes_need_a_session(client: httpx.AsyncClient) -> None:
    """A well-formed body without a session is 401; a malformed one is 400 first (the body is checked first)."""
    assert (await client.get("/api/auth/list-accounts")).status_code == 401
    for path, body in (
        ("unlink-account", {"accountId": "x"}),
        ("get-access-token", {"accountId": "x"}),
        ("refresh-token", {"accountId": "x"}),
        ("link-social", {"provider": "idp"}),
    ):
        response = await client.post(f"/api/auth/{path}", json=body)
        assert (response.status_code, response.json()["code"]) == (401, "UNAUTHORIZED"), path
    early = await client.post("/api/auth/get-access-token", json={"providerId": "idp"})
    assert (early.status_code, early.json()["code"]) == (400, "VALIDATION_ERROR")


async def test_account_info_asks_the_provider(client: httpx.AsyncClient, oidc_provider: IdP) -> None:
    await social_sign_in(client, oidc_provider, login="gina")
    [account] = (await client.get("/api/auth/list-accounts")).json()
    info = await client.get("/api/auth/account-info", params={"accountId": account["id"]})
    assert info.status_code == 200, info.text
    assert info.json()["user"] == {
        "id": "gina",
        "name": "User gina",
        "email": "gina@example.test",
        "image": None,
        "emailVerified": True,
    }
    assert info.json()["data"]["sub"] == "gina"
    assert info.json()["account"] == {"id": account["id"], "providerId": "idp", "accountId": "gina"}
    for params in ({"accountId": "gina"}, {"accountId": "nope"}):
        missing = await client.get("/api/auth/account-info", params=params)
        assert (missing.status_code, missing.json()["code"]) == (400, "ACCOUNT_NOT_FOUND")
    wrong = await client.get("/api/auth/account-info", params={"providerId": "idp"})
    assert wrong.json() == {"code": "VALIDATION_ERROR", "message": "[query] Invalid input"}


async def test_server_side_calls_take_the_row_id(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, oidc_provider: IdP, clock: ManualClock
) -> None:
    clock.set(datetime.now(UTC))
    auth = make_auth(social_providers=providers(oidc_provider))
    client = await make_configured_client(auth)
    await social_sign_in(client, oidc_provider)
    [account] = (await client.get("/api/auth/list-accounts")).json()
    token = await auth.api.get_access_token(user_id=account["userId"], account_id=account["id"])
    assert token.access_token
    assert token.scopes == ["openid", "email", "profile"]
    refreshed = await auth.api.refresh_token(user_id=account["userId"], account_id=account["id"])
    assert refreshed.access_token != token.access_token
    assert refreshed.account.id == account["id"]
    with pytest.raises(AuthError) as missing:
        await auth.api.get_access_token(user_id=account["userId"], account_id="alice")
    assert missing.value.code == "ACCOUNT_NOT_FOUND"


async def test_tokens_of_an_account_without_a_configured_provider_or_refresh_token(
    client: httpx.AsyncClient, oidc_provider: IdP, clock: ManualClock, database: Database
) -> None:
    """The password account has no provider: PROVIDER_NOT_SUPPORTED. Without a refresh token, an expired access
    token is answered as stored (better-auth refreshes only when it can); refresh-token says why it cannot."""
    await sign_up(client, email="alice@example.test")
    credential = await row_id(client, "credential")
    for path in ("get-access-token", "refresh-token"):
        response = await client.post(f"/api/auth/{path}", json={"accountId": credential})
        assert response.json() == {"code": "PROVIDER_NOT_SUPPORTED", "message": "Provider credential is not supported."}

    assert await social_sign_in(client, oidc_provider, login="zoe") == "/in"  # this browser, now as zoe
    account_id = await row_id(client)
    async with database.session() as db, db.begin():
        row = await db.get(Account, account_id)
        assert row is not None
        row.refresh_token = None
        db.add(row)
    before = (await client.post("/api/auth/get-access-token", json={"accountId": account_id})).json()
    clock.advance(timedelta(minutes=10))
    after = await client.post("/api/auth/get-access-token", json={"accountId": account_id})
    assert after.json() == before
    missing = await client.post("/api/auth/refresh-token", json={"accountId": account_id})
    assert (missing.status_code, missing.json()["code"]) == (400, "REFRESH_TOKEN_NOT_FOUND")
