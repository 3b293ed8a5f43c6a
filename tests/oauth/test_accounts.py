"""Linked accounts and provider tokens (SPEC §5.6, §5.8) against the real OpenID provider."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import ManualClock, User
from fastapi_betterauth.db.engine import Database
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


async def test_list_link_and_unlink(client: httpx.AsyncClient, oidc_provider: IdP) -> None:
    assert await social_sign_in(client, oidc_provider) == "/in"
    listed = (await client.get("/api/auth/list-accounts")).json()
    assert [(a["providerId"], a["accountId"]) for a in listed] == [("idp", "alice")]
    assert set(listed[0]) == {"id", "providerId", "accountId", "userId", "createdAt", "updatedAt", "scopes"}
    assert "openid" in listed[0]["scopes"]
    last = await client.post("/api/auth/unlink-account", json={"providerId": "idp"})
    assert last.status_code == 400
    assert last.json()["code"] == "FAILED_TO_UNLINK_LAST_ACCOUNT"

    assert await link(client, oidc_provider, "alice") == "/linked"
    assert {a["providerId"] for a in (await client.get("/api/auth/list-accounts")).json()} == {"idp", "idp2"}
    assert (await client.post("/api/auth/unlink-account", json={"providerId": "idp"})).json() == {"status": True}
    assert [a["providerId"] for a in (await client.get("/api/auth/list-accounts")).json()] == ["idp2"]
    missing = await client.post("/api/auth/unlink-account", json={"providerId": "idp"})
    assert missing.json()["code"] == "ACCOUNT_NOT_FOUND"


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


async def test_access_token_is_refreshed_once_for_concurrent_callers(
    client: httpx.AsyncClient, oidc_provider: IdP, clock: ManualClock, database: Database
) -> None:
    """The IdP rotates refresh tokens and refuses a spent one: without the per-account lock, concurrent refreshes
    would fail."""
    await social_sign_in(client, oidc_provider)
    fresh = (await client.post("/api/auth/get-access-token", json={"providerId": "idp"})).json()
    assert fresh["accessToken"]
    assert "openid" in fresh["scopes"]
    again = (await client.post("/api/auth/get-access-token", json={"providerId": "idp"})).json()
    assert again["accessToken"] == fresh["accessToken"]  # still valid: no refresh

    clock.advance(timedelta(minutes=10))  # past the IdP's 300 s access-token lifetime
    responses = await asyncio.gather(
        *(client.post("/api/auth/get-access-token", json={"providerId": "idp"}) for _ in range(5))
    )
    assert [r.status_code for r in responses] == [200] * 5, [r.text for r in responses]
    tokens = {r.json()["accessToken"] for r in responses}
    assert len(tokens) == 1
    assert tokens != {fresh["accessToken"]}

    forced = await client.post("/api/auth/refresh-token", json={"providerId": "idp"})
    assert forced.status_code == 200
    assert forced.json()["accessToken"] not in tokens
    assert forced.json()["providerId"] == "idp"
    assert forced.json()["accountId"] == "alice"


async def test_account_routes_need_a_session(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/auth/list-accounts")).status_code == 401
    for path in ("unlink-account", "get-access-token", "refresh-token", "link-social"):
        response = await client.post(f"/api/auth/{path}", json={"providerId": "idp", "provider": "idp"})
        assert response.status_code == 401, path


async def test_unknown_account_for_tokens(client: httpx.AsyncClient, database: Database) -> None:
    await sign_up(client)
    response = await client.post("/api/auth/get-access-token", json={"providerId": "idp"})
    assert response.status_code == 400
    assert response.json()["code"] == "ACCOUNT_NOT_FOUND"
    async with database.session() as db:
        assert len((await db.exec(select(User))).all()) == 1


async def test_account_info_asks_the_provider(client: httpx.AsyncClient, oidc_provider: IdP) -> None:
    await social_sign_in(client, oidc_provider, login="gina")
    [account] = (await client.get("/api/auth/list-accounts")).json()
    for ref in (account["id"], "gina"):
        info = await client.get("/api/auth/account-info", params={"accountId": ref})
        assert info.status_code == 200, info.text
        assert info.json()["user"] == {
            "id": "gina",
            "name": "User gina",
            "email": "gina@example.test",
            "image": None,
            "emailVerified": True,
        }
        assert info.json()["data"]["sub"] == "gina"
    missing = await client.get("/api/auth/account-info", params={"accountId": "nope"})
    assert missing.json()["code"] == "ACCOUNT_NOT_FOUND"
