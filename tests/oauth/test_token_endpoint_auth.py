"""How the client authenticates at the token endpoint (better-auth's generic OAuth `tokenEndpointAuth`), end to end
against oidc-provider clients registered for one method only (tests/idp/server.mjs refuses the other one): the
code exchange and the refreshes must use the configured method, set in code or in `BETTER_AUTH_SOCIAL__OIDC`."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2 as httpx
import pytest
from pydantic import ValidationError

from fastapi_betterauth import ManualClock
from fastapi_betterauth.oauth.providers import oidc_from_discovery
from fastapi_betterauth.oauth.providers.base import AuthMethod
from fastapi_betterauth.settings import OIDCProviderSettings

from ..conftest import AuthFactory, ConfiguredClientFactory
from ..idp_fixture import IdP, OidcClient
from .test_accounts import path_of, row_id

ERROR_PAGE = "https://testserver/api/auth/error"


@pytest.fixture(autouse=True)
def real_time(clock: ManualClock) -> None:
    clock.set(datetime.now(UTC))  # the IdP signs id tokens with real time


async def sign_in(client: httpx.AsyncClient, idp: IdP, provider: str = "idp") -> str:
    started = await client.post("/api/auth/sign-in/social", json={"provider": provider, "callbackURL": "/in"})
    assert started.status_code == 200, started.text
    back = await client.get(path_of(await idp.login(started.json()["url"], login="tess")))
    return str(back.headers["location"])


async def assert_the_whole_flow_works(client: httpx.AsyncClient, idp: IdP, provider: str = "idp") -> None:
    """Sign-in (code exchange), then the refresh grant through both token endpoints."""
    assert await sign_in(client, idp, provider) == "/in"
    body = {"accountId": await row_id(client, provider)}
    refreshed = await client.post("/api/auth/refresh-token", json=body)
    assert refreshed.status_code == 200, refreshed.text
    again = await client.post("/api/auth/refresh-token", json=body)
    assert again.status_code == 200, again.text
    token = await client.post("/api/auth/get-access-token", json=body)
    assert token.json()["accessToken"] == again.json()["accessToken"]


def clients(idp: IdP) -> dict[AuthMethod, OidcClient]:
    return {"client_secret_basic": idp.basic_only_client, "client_secret_post": idp.post_only_client}


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
async def test_each_method_works_end_to_end_with_a_client_registered_for_it(
    oidc_provider: IdP, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, method: AuthMethod
) -> None:
    provider = oidc_provider.provider(client=clients(oidc_provider)[method], token_endpoint_auth_method=method)
    client = await make_configured_client(make_auth(social_providers=[provider]))
    await assert_the_whole_flow_works(client, oidc_provider)


@pytest.mark.parametrize(
    ("method", "registered"),
    [("client_secret_post", "client_secret_basic"), ("client_secret_basic", "client_secret_post")],
)
async def test_the_wrong_method_is_an_invalid_code(
    oidc_provider: IdP,
    make_auth: AuthFactory,
    make_configured_client: ConfiguredClientFactory,
    method: AuthMethod,
    registered: AuthMethod,
) -> None:
    provider = oidc_provider.provider(client=clients(oidc_provider)[registered], token_endpoint_auth_method=method)
    client = await make_configured_client(make_auth(social_providers=[provider]))
    assert await sign_in(client, oidc_provider) == f"{ERROR_PAGE}?error=invalid_code"
    assert (await client.get("/me")).status_code == 401


async def test_the_default_is_client_secret_post_as_in_better_auth(
    oidc_provider: IdP, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    """Whatever the discovery document lists (oidc-provider lists basic first)."""
    post_only = oidc_provider.provider(client=oidc_provider.post_only_client)
    assert post_only.token_auth_method == "client_secret_post"
    client = await make_configured_client(make_auth(social_providers=[post_only]))
    await assert_the_whole_flow_works(client, oidc_provider)

    basic_only = oidc_provider.provider(client=oidc_provider.basic_only_client)
    other = await make_configured_client(make_auth(social_providers=[basic_only]))
    assert await sign_in(other, oidc_provider) == f"{ERROR_PAGE}?error=invalid_code"


async def test_the_method_comes_from_the_environment_too(
    oidc_provider: IdP,
    make_auth: AuthFactory,
    make_configured_client: ConfiguredClientFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    basic = oidc_provider.basic_only_client
    entry = (
        f'[{{"id": "idp2", "discovery_url": "{oidc_provider.discovery_url}", "client_id": "{basic.client_id}", '
        f'"client_secret": "{basic.client_secret}", "token_endpoint_auth_method": "client_secret_basic"}}]'
    )
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__OIDC", entry)
    auth = make_auth()
    client = await make_configured_client(auth)
    assert auth.oauth.providers["idp2"].token_auth_method == "client_secret_basic"
    await assert_the_whole_flow_works(client, oidc_provider, provider="idp2")


def test_a_method_must_fit_the_secret() -> None:
    base = {"id": "corp", "discovery_url": "https://sso.example/.well-known/openid-configuration", "client_id": "c"}
    with pytest.raises(ValidationError, match="needs a client_secret"):
        OIDCProviderSettings.model_validate({**base, "token_endpoint_auth_method": "client_secret_basic"})
    with pytest.raises(ValidationError, match="cannot have a client_secret"):
        OIDCProviderSettings.model_validate({**base, "client_secret": "s", "token_endpoint_auth_method": "none"})
    public = OIDCProviderSettings.model_validate(base)
    assert public.token_endpoint_auth_method is None
    with pytest.raises(ValueError, match="needs a client secret"):
        oidc_from_discovery(
            "corp",
            {},
            discovery_url=base["discovery_url"],
            client_id="c",
            client_secret=None,
            token_endpoint_auth_method="client_secret_post",
        )
