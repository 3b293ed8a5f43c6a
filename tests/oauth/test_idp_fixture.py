"""The test OpenID Connect provider (tests/idp_fixture.py) against Authlib's client and joserfc, no app involved:
authorization code + PKCE (S256) + nonce, ID token validation, refresh with rotation, code replay, denial."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from joserfc import jwt
from joserfc.errors import InvalidClaimError
from joserfc.jwk import KeySet

from ..idp_fixture import IdP, OidcClient

SCOPE = "openid email profile"


@dataclass
class Flow:
    """One authorization request: what the relying party keeps until the callback."""

    url: str
    state: str
    code_verifier: str
    nonce: str


@pytest.fixture
async def oauth(oidc_provider: IdP) -> AsyncIterator[AsyncOAuth2Client]:
    async with client_for(oidc_provider, oidc_provider.client) as client:
        yield client


def client_for(idp: IdP, registered: OidcClient) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=registered.client_id,
        client_secret=registered.client_secret,
        redirect_uri=idp.redirect_uri("idp"),
        scope=SCOPE,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def start(idp: IdP, client: AsyncOAuth2Client, **params: str) -> Flow:
    code_verifier, nonce = generate_token(48), generate_token(20)
    url, state = client.create_authorization_url(
        idp.discovery["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce, **params
    )
    return Flow(url=url, state=state, code_verifier=code_verifier, nonce=nonce)


def callback_params(idp: IdP, location: str, provider_id: str = "idp") -> dict[str, str]:
    """The query of a redirect to the registered redirect URI (each parameter once)."""
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == idp.redirect_uri(provider_id)
    query = parse_qs(parts.query, keep_blank_values=True)
    assert all(len(values) == 1 for values in query.values()), query
    return {name: values[0] for name, values in query.items()}


async def redeem(idp: IdP, client: AsyncOAuth2Client, flow: Flow, code: str) -> dict[str, Any]:
    token: dict[str, Any] = await client.fetch_token(
        idp.discovery["token_endpoint"], code=code, code_verifier=flow.code_verifier
    )
    return token


async def sign_in(idp: IdP, client: AsyncOAuth2Client, login: str = "alice") -> tuple[Flow, dict[str, Any]]:
    flow = start(idp, client)
    params = callback_params(idp, await idp.login(flow.url, login=login))
    assert params["state"] == flow.state
    return flow, await redeem(idp, client, flow, params["code"])


async def jwks(idp: IdP) -> KeySet:
    async with httpx.AsyncClient() as client:
        response = await client.get(idp.discovery["jwks_uri"])
    response.raise_for_status()
    return KeySet.import_key_set(response.json())


async def id_token_claims(idp: IdP, token: dict[str, Any], nonce: str, client_id: str) -> dict[str, Any]:
    """Verify the ID token's RS256 signature against the JWKS, then iss, aud, nonce, exp and iat."""
    decoded = jwt.decode(token["id_token"], await jwks(idp), algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": idp.issuer},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    registry.validate(decoded.claims)
    return dict(decoded.claims)


async def test_discovery(oidc_provider: IdP) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(oidc_provider.discovery_url)
    assert response.status_code == 200
    discovery = response.json()
    assert discovery["issuer"] == oidc_provider.issuer
    assert oidc_provider.issuer.startswith("http://127.0.0.1:")
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["authorization_response_iss_parameter_supported"] is True
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert "refresh_token" in discovery["grant_types_supported"]
    assert "client_secret_basic" in discovery["token_endpoint_auth_methods_supported"]


async def test_login_redirects_with_code_state_and_iss(oidc_provider: IdP, oauth: AsyncOAuth2Client) -> None:
    flow = start(oidc_provider, oauth)
    assert "code_challenge_method=S256" in flow.url
    params = callback_params(oidc_provider, await oidc_provider.login(flow.url))
    assert params.keys() == {"code", "state", "iss"}
    assert params["state"] == flow.state
    assert params["iss"] == oidc_provider.issuer


async def test_code_exchange_gives_tokens_and_a_valid_id_token(oidc_provider: IdP, oauth: AsyncOAuth2Client) -> None:
    flow, token = await sign_in(oidc_provider, oauth, login="bob")
    assert {"access_token", "id_token", "refresh_token"} <= token.keys()
    assert token["token_type"].lower() == "bearer"
    claims = await id_token_claims(oidc_provider, token, flow.nonce, oidc_provider.client_id)
    assert claims["sub"] == "bob"
    assert claims["email"] == "bob@example.test"
    assert claims["email_verified"] is True
    assert claims["name"] == "User bob"
    # The access token works at userinfo, with the same claims.
    userinfo = await oauth.get(oidc_provider.discovery["userinfo_endpoint"])
    assert userinfo.status_code == 200
    assert userinfo.json() == {"sub": "bob", "email": "bob@example.test", "email_verified": True, "name": "User bob"}


async def test_wrong_nonce_is_rejected(oidc_provider: IdP, oauth: AsyncOAuth2Client) -> None:
    flow, token = await sign_in(oidc_provider, oauth)
    with pytest.raises(InvalidClaimError):
        await id_token_claims(oidc_provider, token, flow.nonce + "x", oidc_provider.client_id)


async def test_refresh_rotates_the_refresh_token(oidc_provider: IdP, oauth: AsyncOAuth2Client) -> None:
    _, token = await sign_in(oidc_provider, oauth)
    token_endpoint = oidc_provider.discovery["token_endpoint"]
    refreshed = await oauth.refresh_token(token_endpoint, refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert "id_token" in refreshed
    # The rotated-out refresh token is spent.
    with pytest.raises(OAuthError) as replay:
        await oauth.refresh_token(token_endpoint, refresh_token=token["refresh_token"])
    assert replay.value.error == "invalid_grant"


async def test_replayed_code_is_invalid_grant(oidc_provider: IdP, oauth: AsyncOAuth2Client) -> None:
    flow = start(oidc_provider, oauth)
    code = callback_params(oidc_provider, await oidc_provider.login(flow.url))["code"]
    await redeem(oidc_provider, oauth, flow, code)
    with pytest.raises(OAuthError) as replay:
        await redeem(oidc_provider, oauth, flow, code)
    assert replay.value.error == "invalid_grant"


async def test_wrong_code_verifier_is_invalid_grant(oidc_provider: IdP, oauth: AsyncOAuth2Client) -> None:
    flow = start(oidc_provider, oauth)
    code = callback_params(oidc_provider, await oidc_provider.login(flow.url))["code"]
    flow.code_verifier = generate_token(48)
    with pytest.raises(OAuthError) as wrong:
        await redeem(oidc_provider, oauth, flow, code)
    assert wrong.value.error == "invalid_grant"


async def test_pkce_is_required(oidc_provider: IdP) -> None:
    async with AsyncOAuth2Client(
        client_id=oidc_provider.client_id, redirect_uri=oidc_provider.redirect_uri("idp"), scope=SCOPE
    ) as plain:
        url, state = plain.create_authorization_url(oidc_provider.discovery["authorization_endpoint"], nonce="n")
    params = callback_params(oidc_provider, await oidc_provider.login(url))
    assert params["error"] == "invalid_request"
    assert "PKCE" in params["error_description"]
    assert params["state"] == state


@pytest.mark.parametrize("where", ["login", "consent"])
async def test_denying_gives_access_denied(oidc_provider: IdP, oauth: AsyncOAuth2Client, where: str) -> None:
    flow = start(oidc_provider, oauth)
    if where == "login":
        location = await oidc_provider.login(flow.url, deny=True)
    else:
        location = await oidc_provider.login(flow.url, consent=False)
    params = callback_params(oidc_provider, location)
    assert params["error"] == "access_denied"
    assert params["state"] == flow.state
    assert params["iss"] == oidc_provider.issuer
    assert "code" not in params


async def test_unverified_login_has_email_verified_false(oidc_provider: IdP, oauth: AsyncOAuth2Client) -> None:
    flow, token = await sign_in(oidc_provider, oauth, login="unverified-carol")
    claims = await id_token_claims(oidc_provider, token, flow.nonce, oidc_provider.client_id)
    assert claims["sub"] == "unverified-carol"
    assert claims["email"] == "unverified-carol@example.test"
    assert claims["email_verified"] is False


async def test_second_provider_id_and_second_client(oidc_provider: IdP) -> None:
    second = oidc_provider.second_client
    async with client_for(oidc_provider, second) as client:
        client.redirect_uri = oidc_provider.redirect_uri("idp2")
        flow = start(oidc_provider, client)
        params = callback_params(oidc_provider, await oidc_provider.login(flow.url, login="dan"), "idp2")
        token = await redeem(oidc_provider, client, flow, params["code"])
    claims = await id_token_claims(oidc_provider, token, flow.nonce, second.client_id)
    assert claims["sub"] == "dan"
    assert claims["aud"] == second.client_id


async def test_browser_session_and_auto_consent(oidc_provider: IdP) -> None:
    """Passing the same `browser` keeps the IdP session; the auto-consent client needs one form post per login."""
    posts: list[str] = []

    async def record(request: httpx.Request) -> None:
        if request.method == "POST":
            posts.append(str(request.url))

    async with (
        httpx.AsyncClient(follow_redirects=False, event_hooks={"request": [record]}) as browser,
        client_for(oidc_provider, oidc_provider.auto_consent_client) as client,
    ):
        first = start(oidc_provider, client)
        params = callback_params(oidc_provider, await oidc_provider.login(first.url, browser=browser))
        assert params["state"] == first.state
        assert len(posts) == 1  # the login form only
        second = start(oidc_provider, client)
        params = callback_params(oidc_provider, await oidc_provider.login(second.url, browser=browser))
        assert params["state"] == second.state
        assert len(posts) == 1  # signed in already: straight back
        token = await redeem(oidc_provider, client, second, params["code"])
    assert (await id_token_claims(oidc_provider, token, second.nonce, client.client_id))["sub"] == "alice"
