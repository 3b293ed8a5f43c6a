"""The id-token branch of /sign-in/social (native and mobile apps): O3, O6, T4."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest

from fastapi_betterauth import ManualClock
from fastapi_betterauth.oauth.client import ProviderClient
from fastapi_betterauth.oauth.providers import GitHub, OAuthProvider, new_code_verifier

from ..conftest import AuthFactory, ConfiguredClientFactory
from ..idp_fixture import IdP


@pytest.fixture
def provider(oidc_provider: IdP) -> OAuthProvider:
    return oidc_provider.provider()


@pytest.fixture
async def client(
    provider: OAuthProvider, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> httpx.AsyncClient:
    clock.set(datetime.now(UTC))
    return await make_configured_client(make_auth(social_providers=[provider, GitHub("gh", "gh-secret")]))


async def app_login(idp: IdP, provider: OAuthProvider, login: str, nonce: str) -> str:
    """What a mobile app does on its own: the provider flow, ending with an id token."""
    verifier = new_code_verifier()
    redirect_uri = idp.redirect_uri("idp")
    url = provider.authorization_url(redirect_uri=redirect_uri, state="app-state", code_verifier=verifier, nonce=nonce)
    back = await idp.login(url, login=login)
    code = parse_qs(urlsplit(back).query)["code"][0]
    token = await ProviderClient().exchange_code(provider, code=code, code_verifier=verifier, redirect_uri=redirect_uri)
    return str(token["id_token"])


async def sign_in(client: httpx.AsyncClient, id_token: dict[str, object], provider: str = "idp") -> httpx.Response:
    return await client.post("/api/auth/sign-in/social", json={"provider": provider, "idToken": id_token})


async def test_id_token_sign_in(client: httpx.AsyncClient, oidc_provider: IdP, provider: OAuthProvider) -> None:
    token = await app_login(oidc_provider, provider, "hank", nonce="n-1")
    response = await sign_in(client, {"token": token, "nonce": "n-1"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["redirect"] is False
    assert body["user"]["email"] == "hank@example.test"
    assert body["token"]
    assert (await client.get("/me")).json()["email"] == "hank@example.test"


async def test_a_token_with_a_nonce_needs_that_nonce(
    client: httpx.AsyncClient, oidc_provider: IdP, provider: OAuthProvider
) -> None:
    """better-auth skips the nonce check when the client omits it; a captured token is then replayable."""
    token = await app_login(oidc_provider, provider, "ivy", nonce="n-2")
    for id_token in ({"token": token}, {"token": token, "nonce": "other"}):
        response = await sign_in(client, id_token)
        assert response.status_code == 401
        assert response.json()["code"] == "INVALID_TOKEN"
    assert (await client.get("/me")).status_code == 401


async def test_tampered_expired_and_unsupported(
    client: httpx.AsyncClient, oidc_provider: IdP, provider: OAuthProvider, clock: ManualClock
) -> None:
    token = await app_login(oidc_provider, provider, "jack", nonce="n-3")
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:-4]}AAAA.{signature}"
    assert (await sign_in(client, {"token": tampered, "nonce": "n-3"})).json()["code"] == "INVALID_TOKEN"
    assert (await sign_in(client, {"token": "not-a-jwt", "nonce": "n-3"})).json()["code"] == "INVALID_TOKEN"
    unsupported = await sign_in(client, {"token": token, "nonce": "n-3"}, provider="github")
    assert unsupported.status_code == 404
    assert unsupported.json()["code"] == "ID_TOKEN_NOT_SUPPORTED"
    clock.advance(timedelta(hours=2))
    assert (await sign_in(client, {"token": token, "nonce": "n-3"})).json()["code"] == "INVALID_TOKEN"
