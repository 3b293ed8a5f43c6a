"""The built-in providers better-auth ships, as data: for each one the authorization request, the token request
(how the client authenticates, the PKCE verifier) and the mapping of a recorded user-info payload of the provider's
documented shape to the user and account, end to end against a loopback provider (O2, O7)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from fastapi_betterauth.cli import main
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.oauth.providers import (
    Cloudflare,
    Cognito,
    Dropbox,
    Facebook,
    Kakao,
    Linear,
    LinkedIn,
    Naver,
    OAuthProvider,
    PayPal,
    Reddit,
    Salesforce,
    Slack,
    TikTok,
    Twitch,
    Twitter,
    Vercel,
)

from .catalogue import query, sign_in, stored
from .fake_provider import FakeProvider
from .provider_cases import CASES as FIRST_CASES
from .provider_cases import Case
from .provider_cases_last import LAST_CASES
from .provider_cases_more import MORE_CASES

BETTER_AUTH_PROVIDERS = {
    "apple", "atlassian", "cloudflare", "cognito", "discord", "dropbox", "facebook", "figma", "github", "gitlab",
    "google", "huggingface", "kakao", "kick", "line", "linear", "linkedin", "microsoft", "naver", "notion", "paybin",
    "paypal", "polar", "railway", "reddit", "roblox", "salesforce", "slack", "spotify", "tiktok", "twitch", "twitter",
    "vercel", "vk", "wechat", "zoom",
}  # fmt: skip
"""better-auth 1.7.25's `socialProviderList`: 36 ids."""


CASES: dict[str, Case] = {**FIRST_CASES, **MORE_CASES, **LAST_CASES}


def test_the_cli_lists_the_builtin_provider_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == sorted(BETTER_AUTH_PROVIDERS)  # all of better-auth's ids, and only those
    assert len(listed) == 36
    assert {"github", "google", "apple", "microsoft", "gitlab", "discord", *CASES} <= set(listed)


@pytest.mark.parametrize("provider_id", CASES)
def test_the_authorization_request(provider_id: str) -> None:
    """O2: PKCE S256 whatever better-auth does for the provider (but WeChat, which takes none); the provider's scopes
    and fixed parameters."""
    case = CASES[provider_id]
    provider = case.build("client-1", "secret-1")
    assert provider.id == provider_id
    url = provider.authorization_url(redirect_uri="https://a.example/cb", state="st", code_verifier="v" * 64)
    assert url.split("?")[0] == case.authorize
    params = query(url)
    assert params.get("scope") == case.scope
    assert (params[provider.client_id_param], params["state"], params["response_type"]) == ("client-1", "st", "code")
    assert params["redirect_uri"] == "https://a.example/cb"
    if case.pkce:
        assert params["code_challenge_method"] == "S256"
    else:
        assert "code_challenge" not in params
    assert params.items() >= case.params.items()
    assert "secret-1" not in url
    assert provider.token_auth_method == case.auth_method


@pytest.mark.parametrize("provider_id", CASES)
async def test_sign_in_maps_the_documented_profile(
    provider_id: str, fake: FakeProvider, client_for: Callable[[OAuthProvider], Any], database: Database
) -> None:
    """The token request authenticates as the provider wants and carries the PKCE verifier; the recorded profile
    becomes the user (O7: the address is vouched for only as better-auth vouches for it) and the account id."""
    case = CASES[provider_id]
    fake.answers = dict(case.answers)
    fake.token_response |= case.token_response
    provider = case.build("client-1", "secret-1")
    if case.id_token is not None:
        now = int(time.time())
        issued = {"iss": provider.issuer, "aud": "client-1", "iat": now, "exp": now + 600}
        fake.id_token_claims = {**issued, **case.id_token}
        fake.id_token_secret = provider.client_secret if case.id_token_hs256 else None
    client = await client_for(provider)
    assert await sign_in(client, provider_id, fake, case.callback) == "/in"
    if case.id_token is not None:
        assert fake.nonce  # an id token is checked against the sign-in's nonce

    [call] = fake.token_calls
    if case.token is not None:  # a provider's own token request: exactly these fields
        assert {name: values for name, values in call.form.items()} == {k: [v] for k, v in case.token.items()}
    else:
        assert call.method == "POST"
        assert call.form["grant_type"] == ["authorization_code"]
        assert len(call.form["code_verifier"][0]) == 128
        basic = "Basic " + base64.b64encode(f"client-1:{provider.client_secret}".encode()).decode()
        if case.auth_method == "client_secret_basic":
            assert call.headers["authorization"] == basic
            assert "client_secret" not in call.form
        else:
            assert call.form["client_id"] == ["client-1"]
            assert call.form["client_secret"] == [provider.client_secret]
            assert "authorization" not in call.headers
    assert {(c.method, c.target) for c in fake.calls} == set(case.answers)
    for made in [call, *fake.calls]:
        assert made.headers.items() >= case.headers.items() or (made is call and provider_id != "reddit")

    [(user, account)] = await stored(database)
    assert (user.email, user.email_verified, user.name, user.image) == case.user
    assert (account.provider_id, account.account_id) == (provider_id, case.account_id)


async def test_twitter_without_a_confirmed_address_gets_the_placeholder(
    fake: FakeProvider, client_for: Callable[[OAuthProvider], Any], database: Database
) -> None:
    """Without `users.email`, X refuses the `confirmed_email` call: better-auth's never-routable placeholder stands
    in, not vouched for (O7), so it links to nobody."""
    fake.answers = {key: value for key, value in CASES["twitter"].answers.items() if "confirmed" not in key[1]}
    assert await sign_in(await client_for(Twitter("client-1", "secret-1")), "twitter") == "/in"
    [(user, account)] = await stored(database)
    assert (user.email, user.email_verified) == ("2244994945@twitter.placeholder.invalid", False)
    assert account.account_id == "2244994945"


async def test_reddit_names_its_client_at_the_token_endpoint_too(
    fake: FakeProvider, client_for: Callable[[OAuthProvider], Any]
) -> None:
    """Reddit refuses API calls, the token endpoint's included, without a `User-Agent` it recognises."""
    fake.answers = dict(CASES["reddit"].answers)
    assert await sign_in(await client_for(Reddit("client-1", "secret-1")), "reddit") == "/in"
    [call] = fake.token_calls
    assert call.headers["user-agent"] == "better-auth"


def test_options_of_the_providers() -> None:
    facebook = Facebook("c", "s", fields=("birthday", "email"), config_id="cfg-1")
    assert facebook.userinfo_endpoint == "https://graph.facebook.com/me?fields=id,name,email,picture,birthday"
    url = facebook.authorization_url(redirect_uri="r", state="s", code_verifier="v")
    assert query(url)["config_id"] == "cfg-1"
    dropbox = Dropbox("c", "s", access_type="offline").authorization_url(redirect_uri="r", state="s", code_verifier="v")
    assert query(dropbox)["token_access_type"] == "offline"
    reddit = Reddit("c", "s", duration="permanent").authorization_url(redirect_uri="r", state="s", code_verifier="v")
    assert query(reddit)["duration"] == "permanent"
    assert not Slack("c", "s").is_openid  # read from user info, as better-auth does, though `openid` is asked for
    assert not LinkedIn("c", "s").is_openid


def test_every_builtin_is_configured_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi_betterauth.oauth.config import BUILTIN, builtin_providers
    from fastapi_betterauth.settings import AuthSettings

    for provider_id in BUILTIN:
        monkeypatch.setenv(f"BETTER_AUTH_SOCIAL__{provider_id.upper()}__CLIENT_ID", f"{provider_id}-id")
        monkeypatch.setenv(f"BETTER_AUTH_SOCIAL__{provider_id.upper()}__CLIENT_SECRET", "s")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__TIKTOK__CLIENT_KEY", "tiktok-id")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__COGNITO__DOMAIN", "auth.app.example")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__COGNITO__REGION", "eu-west-1")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__COGNITO__USER_POOL_ID", "eu-west-1_AbC123")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__FACEBOOK__FIELDS", '["birthday"]')
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__DROPBOX__ACCESS_TYPE", "offline")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__REDDIT__DURATION", "permanent")
    built = {provider.id: provider for provider in builtin_providers(AuthSettings().social)}
    assert set(built) == set(BUILTIN)
    assert all(provider.client_id == f"{provider_id}-id" for provider_id, provider in built.items())
    assert built["facebook"].userinfo_endpoint is not None
    assert built["facebook"].userinfo_endpoint.endswith(",birthday")
    assert built["dropbox"].authorization_params == {"token_access_type": "offline"}
    assert built["reddit"].authorization_params == {"duration": "permanent"}


async def test_linear_asks_the_graphql_api_for_the_viewer(
    fake: FakeProvider, client_for: Callable[[OAuthProvider], Any]
) -> None:
    fake.answers = dict(CASES["linear"].answers)
    assert await sign_in(await client_for(Linear("client-1", "secret-1")), "linear") == "/in"
    [call] = fake.calls
    assert json.loads(call.body)["query"].startswith("query { viewer { id name email avatarUrl")


async def test_kakao_vouches_only_for_a_valid_and_verified_address(
    fake: FakeProvider, client_for: Callable[[OAuthProvider], Any], database: Database
) -> None:
    answer = json.loads(json.dumps(CASES["kakao"].answers[("GET", "/v2/user/me")]))
    answer["kakao_account"]["is_email_valid"] = False  # an address Kakao knows bounces
    fake.answers = {("GET", "/v2/user/me"): answer}
    assert await sign_in(await client_for(Kakao("client-1", "secret-1")), "kakao") == "/in"
    [(user, _)] = await stored(database)
    assert (user.email, user.email_verified) == ("sample@kakao.example", False)


async def test_a_naver_error_answer_is_no_profile(
    fake: FakeProvider, client_for: Callable[[OAuthProvider], Any], database: Database
) -> None:
    """Naver reports errors with status 200 and a `resultcode` other than "00"."""
    fake.answers = {("GET", "/v1/nid/me"): {"resultcode": "024", "message": "Authentication failed"}}
    location = await sign_in(await client_for(Naver("client-1", "secret-1")), "naver")
    assert location == "https://testserver/api/auth/error?error=unable_to_get_user_info"
    assert await stored(database) == []


async def test_tiktok_calls_its_client_a_client_key(
    fake: FakeProvider, client_for: Callable[[OAuthProvider], Any]
) -> None:
    """TikTok's quirk: `client_key`, not `client_id`, in the authorization request and the token request, and scopes
    joined with commas."""
    provider = TikTok("key-1", "secret-1", scopes=("user.info.profile", "user.info.stats"))
    url = provider.authorization_url(
        redirect_uri="r", state="s", code_verifier="v", extra_params={"client_key": "evil"}
    )
    params = query(url)
    assert params["client_key"] == "key-1"
    assert "client_id" not in params
    assert params["scope"] == "user.info.profile,user.info.stats"
    fake.answers = dict(CASES["tiktok"].answers)
    assert await sign_in(await client_for(TikTok("key-1", "secret-1")), "tiktok") == "/in"
    [call] = fake.token_calls
    assert (call.form["client_key"], call.form["client_secret"]) == (["key-1"], ["secret-1"])


def test_vercel_public_clients_and_its_auth_method() -> None:
    assert Vercel("c", None).token_auth_method == "none"
    assert Vercel("c", "s", token_endpoint_auth_method="client_secret_basic").token_auth_method == "client_secret_basic"
    with pytest.raises(ValueError, match="needs a client secret"):
        Vercel("c", None, token_endpoint_auth_method="client_secret_post")
    with pytest.raises(ValueError, match="cannot have a client secret"):
        Vercel("c", "s", token_endpoint_auth_method="none")


async def test_cloudflare_as_a_public_client(
    fake: FakeProvider, client_for: Callable[[OAuthProvider], Any], database: Database
) -> None:
    """Without a secret Cloudflare's client is public: the client id in the body, no secret, PKCE proves the client."""
    fake.answers = dict(CASES["cloudflare"].answers)
    provider = Cloudflare("client-1", None)
    assert provider.token_auth_method == "none"
    assert await sign_in(await client_for(provider), "cloudflare") == "/in"
    [call] = fake.token_calls
    assert call.form["client_id"] == ["client-1"]
    assert "client_secret" not in call.form
    assert "authorization" not in call.headers
    assert len(call.form["code_verifier"][0]) == 128


def test_environments_and_hosts() -> None:
    assert (
        Salesforce("c", "s", environment="sandbox").token_endpoint
        == "https://test.salesforce.com/services/oauth2/token"
    )
    custom = Salesforce("c", "s", login_url="acme.my.salesforce.com")
    assert custom.userinfo_endpoint == "https://acme.my.salesforce.com/services/oauth2/userinfo"
    live = PayPal("c", "s", environment="live")
    assert live.authorization_endpoint == "https://www.paypal.com/signin/authorize"
    assert live.token_endpoint == "https://api-m.paypal.com/v1/oauth2/token"


async def test_an_id_token_from_someone_else_is_refused(
    fake: FakeProvider, client_for: Callable[[OAuthProvider], Any], database: Database
) -> None:
    """O3: unlike better-auth, which decodes Twitch's id token unchecked, its issuer is checked like any id token's."""
    now = int(time.time())
    claims = CASES["twitch"].id_token or {}
    fake.id_token_claims = {**claims, "iss": "https://evil.example", "aud": "client-1", "iat": now, "exp": now + 600}
    location = await sign_in(await client_for(Twitch("client-1", "secret-1")), "twitch", fake)
    assert location == "https://testserver/api/auth/error?error=unable_to_get_user_info"
    assert await stored(database) == []


def test_cognito_endpoints_from_domain_region_and_pool() -> None:
    domain = "my.auth.us-east-1.amazoncognito.com"
    pool = Cognito("c", None, domain=domain, region="us-east-1", user_pool_id="us-east-1_X")
    assert pool.token_endpoint == "https://my.auth.us-east-1.amazoncognito.com/oauth2/token"
    assert pool.issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X"
    assert pool.jwks_uri == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X/.well-known/jwks.json"
    assert pool.token_auth_method == "none"
    google = Cognito("c", "s", domain="d", region="r", user_pool_id="p", identity_provider="Google")
    url = google.authorization_url(redirect_uri="r", state="s", code_verifier="v")
    assert query(url)["identity_provider"] == "Google"
    with pytest.raises(ValueError, match="domain, region and user_pool_id"):
        Cognito("c", "s", domain="", region="r", user_pool_id="p")
