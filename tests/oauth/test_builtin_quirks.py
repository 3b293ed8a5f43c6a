"""The quirks of the built-in providers whose flows are not standard OAuth, against the loopback provider: LINE's
HS256 id tokens keyed by the channel secret (O6), VK ID's `device_id` and form-POST user info, WeChat's `openid` and
`unionid`, GET token requests and lack of PKCE (O2), Paybin's id token without a key set (O6), Zoom's `pkce` option
and the `redirect_uri` option (Reddit's)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx2 as httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.oauth.client import ProviderClient, ProviderError
from fastapi_betterauth.oauth.config import builtin_providers
from fastapi_betterauth.oauth.providers import VK, Line, OAuthProvider, Paybin, Reddit, WeChat, Zoom
from fastapi_betterauth.settings import AuthSettings

from .catalogue import on_loopback, query, sign_in, stored
from .fake_provider import ACCESS_TOKEN, FakeProvider
from .provider_cases import CASES
from .provider_cases_last import LAST_CASES, LINE_SECRET_SUFFIX, WECHAT_OPENID, WECHAT_TOKEN, WECHAT_USER_INFO

ClientFor = Callable[[OAuthProvider], Awaitable[httpx.AsyncClient]]
LINE_SECRET = "secret-1" + LINE_SECRET_SUFFIX
ERROR = "https://testserver/api/auth/error?error="


def line_id_token(fake: FakeProvider, **claims: object) -> None:
    now = int(time.time())
    issued = {"iss": "https://access.line.me", "aud": "client-1", "iat": now, "exp": now + 600}
    fake.id_token_claims = {**issued, **(LAST_CASES["line"].id_token or {}), **claims}
    fake.answers = dict(LAST_CASES["line"].answers)


@pytest.mark.parametrize("secret", [LINE_SECRET, None])
async def test_line_refuses_an_id_token_not_signed_with_the_channel_secret(
    secret: str | None, fake: FakeProvider, client_for: ClientFor, database: Database
) -> None:
    """O6: LINE's id token must be HS256 under this channel's secret: another secret's, or an RS256 token (which a
    key-confusion attack would try), is refused; better-auth decodes it unchecked."""
    line_id_token(fake)
    fake.id_token_secret = "another-channel-secret-of-32-chars" if secret else None
    location = await sign_in(await client_for(Line("client-1", LINE_SECRET)), "line", fake)
    assert location == f"{ERROR}unable_to_get_user_info"
    assert await stored(database) == []


async def test_line_refuses_an_id_token_for_another_channel(
    fake: FakeProvider, client_for: ClientFor, database: Database
) -> None:
    """O6: signed with our secret, but naming another channel (or issuer) as its audience, it is still refused."""
    line_id_token(fake, aud="another-channel")
    fake.id_token_secret = LINE_SECRET
    assert (
        await sign_in(await client_for(Line("client-1", LINE_SECRET)), "line", fake)
        == f"{ERROR}unable_to_get_user_info"
    )
    assert await stored(database) == []


async def test_line_id_token_sign_in_checks_the_signature(
    fake: FakeProvider, client_for: ClientFor, database: Database
) -> None:
    """A LINE id token handed in by an app signs in when it is signed with the channel secret, not otherwise."""
    now = int(time.time())
    claims = {"iss": "https://access.line.me", "aud": "client-1", "iat": now, "exp": now + 600, "nonce": "n-1"}
    claims |= LAST_CASES["line"].id_token or {}
    client = await client_for(Line("client-1", LINE_SECRET))
    forged = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key("another-channel-secret-of-32-chars"))
    refused = await client.post(
        "/api/auth/sign-in/social", json={"provider": "line", "idToken": {"token": forged, "nonce": "n-1"}}
    )
    assert (refused.status_code, refused.json()["code"]) == (401, "INVALID_TOKEN")
    token = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(LINE_SECRET))
    answer = await client.post(
        "/api/auth/sign-in/social", json={"provider": "line", "idToken": {"token": token, "nonce": "n-1"}}
    )
    assert answer.status_code == 200, answer.text
    [(user, account)] = await stored(database)
    assert (user.email, user.email_verified, account.account_id) == ("taro.line@line.example", False, claims["sub"])


async def test_vk_carries_the_device_id_and_posts_a_form_for_user_info(
    fake: FakeProvider, client_for: ClientFor, database: Database
) -> None:
    """VK ID's callback names a `device_id` the token request must carry; its user info takes the access token and
    client id in a form POST, not a bearer header."""
    case = LAST_CASES["vk"]
    fake.answers = dict(case.answers)
    assert await sign_in(await client_for(VK("client-1", "secret-1")), "vk", fake, {"device_id": "dev-9"}) == "/in"
    [token_call] = fake.token_calls
    assert token_call.form["device_id"] == ["dev-9"]
    assert len(token_call.form["code_verifier"][0]) == 128
    [info] = fake.calls
    assert (info.method, info.target) == ("POST", "/oauth2/user_info")
    assert info.headers["content-type"] == "application/x-www-form-urlencoded"
    assert info.form == {"access_token": [ACCESS_TOKEN], "client_id": ["client-1"]}
    assert "authorization" not in info.headers
    [(_, account)] = await stored(database)
    assert account.account_id == "1234567890"


async def test_vk_without_an_address_signs_nobody_in(
    fake: FakeProvider, client_for: ClientFor, database: Database
) -> None:
    """A VK profile without an address (the `email` scope refused) is no sign-in, as in better-auth; nor is a
    callback without `device_id` made up: the token request then has none."""
    answer = {"user": {"user_id": "1234567890", "first_name": "Ivan", "last_name": "Ivanov"}}
    fake.answers = {("POST", "/oauth2/user_info"): answer}
    assert await sign_in(await client_for(VK("client-1", "secret-1")), "vk", fake) == f"{ERROR}email_not_found"
    [token_call] = fake.token_calls
    assert "device_id" not in token_call.form
    assert await stored(database) == []


def test_wechat_authorization_url() -> None:
    """O2's exception: WeChat takes no PKCE. The client is the `appid` (an `appid` among extra parameters is
    ignored), scopes are joined with commas, and the URL ends with `#wechat_redirect`."""
    provider = WeChat("wx-app", "s", lang="en")
    url = provider.authorization_url(
        redirect_uri="https://a.example/cb",
        state="st",
        code_verifier="v" * 64,
        scopes=("snsapi_userinfo",),
        extra_params={"appid": "evil", "client_id": "evil", "self_redirect": "true"},
    )
    assert url.startswith("https://open.weixin.qq.com/connect/qrconnect?")
    assert url.endswith("#wechat_redirect")
    params = query(url)
    assert params == {
        "lang": "en",
        "self_redirect": "true",
        "response_type": "code",
        "appid": "wx-app",
        "redirect_uri": "https://a.example/cb",
        "state": "st",
        "scope": "snsapi_login,snsapi_userinfo",
    }


@pytest.mark.parametrize("unionid", [True, False])
async def test_wechat_account_id_is_the_unionid_else_the_openid(
    unionid: bool, fake: FakeProvider, client_for: ClientFor, database: Database
) -> None:
    """The token request is a GET with `appid`, `secret`, `code` and `grant_type` in the query; the user info is asked
    for the `openid` it names. The account is the `unionid` when WeChat gives one, else the `openid`."""
    profile = dict(LAST_CASES["wechat"].answers[("GET", WECHAT_USER_INFO)])
    token = dict(WECHAT_TOKEN)
    if not unionid:
        del profile["unionid"], token["unionid"]
    fake.answers = {("GET", WECHAT_USER_INFO): profile}
    fake.token_response = token
    assert await sign_in(await client_for(WeChat("client-1", "secret-1")), "wechat", fake) == "/in"
    [call] = fake.token_calls
    assert call.method == "GET"
    assert call.form == {
        "appid": ["client-1"],
        "secret": ["secret-1"],
        "code": ["good-code"],
        "grant_type": ["authorization_code"],
    }
    [(user, account)] = await stored(database)
    expected = token["unionid"] if unionid else WECHAT_OPENID
    assert account.account_id == expected
    assert (user.email, user.email_verified) == (f"{expected.lower()}@wechat.placeholder.invalid", False)
    assert account.scope == "snsapi_login"


@pytest.mark.parametrize(
    ("token_changes", "profile_changes", "error"),
    [
        ({"errcode": 40029, "errmsg": "invalid code"}, {}, "invalid_code"),  # WeChat's errors come with status 200
        ({"openid": None}, {}, "unable_to_get_user_info"),  # no openid: nobody to ask about
        ({}, {"openid": "o6_someone_else"}, "unable_to_get_user_info"),
        ({}, {"errcode": 40003, "errmsg": "invalid openid"}, "unable_to_get_user_info"),
    ],
)
async def test_wechat_refusals(
    token_changes: dict[str, object],
    profile_changes: dict[str, object],
    error: str,
    fake: FakeProvider,
    client_for: ClientFor,
    database: Database,
) -> None:
    """An `errcode`, a token response without `openid`, or a profile of another `openid` is no sign-in."""
    fake.token_response = {**WECHAT_TOKEN, **token_changes}
    fake.answers = {
        ("GET", WECHAT_USER_INFO): {**LAST_CASES["wechat"].answers[("GET", WECHAT_USER_INFO)], **profile_changes}
    }
    assert await sign_in(await client_for(WeChat("client-1", "secret-1")), "wechat", fake) == f"{ERROR}{error}"
    assert await stored(database) == []


async def test_wechat_refresh_is_a_get_without_the_secret(fake: FakeProvider) -> None:
    fake.token_response = dict(WECHAT_TOKEN)
    provider = on_loopback(WeChat("client-1", "secret-1"), fake.base)
    refreshed = await ProviderClient().refresh(provider, "fake-rt")
    assert refreshed["access_token"] == ACCESS_TOKEN
    [call] = fake.token_calls
    assert (call.method, call.form) == (
        "GET",
        {"appid": ["client-1"], "grant_type": ["refresh_token"], "refresh_token": ["fake-rt"]},
    )


async def test_paybin_believes_its_id_token_only_from_the_token_endpoint(
    fake: FakeProvider, client_for: ClientFor, database: Database
) -> None:
    """O6's exception: Paybin publishes no keys, so its id token is believed for coming from its token endpoint
    over TLS, with issuer, audience, expiry and nonce still checked; one handed in by a client is never believed."""
    now = int(time.time())
    claims = {"iss": "https://idp.paybin.io", "aud": "someone-else", "iat": now, "exp": now + 600}
    fake.id_token_claims = {**claims, **(LAST_CASES["paybin"].id_token or {})}
    client = await client_for(Paybin("client-1", "secret-1"))
    assert await sign_in(client, "paybin", fake) == f"{ERROR}unable_to_get_user_info"
    assert await stored(database) == []
    fake.id_token_claims["aud"] = "client-1"
    fake.token_calls.clear()
    assert await sign_in(client, "paybin", fake) == "/in"
    token = {"token": "e30.e30.c2ln", "nonce": "n"}
    submitted = await client.post("/api/auth/sign-in/social", json={"provider": "paybin", "idToken": token})
    assert (submitted.status_code, submitted.json()["code"]) == (404, "ID_TOKEN_NOT_SUPPORTED")
    unchecked = jwt.encode({"alg": "RS256"}, {**fake.id_token_claims, "nonce": "n"}, fake.key)
    checked = ProviderClient().verify_id_token
    paybin = Paybin("client-1", "secret-1")
    assert (await checked(paybin, unchecked, nonce="n", now=datetime.now(UTC), from_token_endpoint=True))["sub"]
    with pytest.raises(ProviderError):  # the same token, handed in by a client
        await checked(paybin, unchecked, nonce="n", now=datetime.now(UTC))


def test_paybin_needs_its_secret_and_takes_an_issuer() -> None:
    with pytest.raises(ValueError, match="client secret"):
        Paybin("client-1", "")
    own = Paybin("c", "s", issuer="https://idp.paybin.example/", prompt="login")
    assert own.token_endpoint == "https://idp.paybin.example/oauth2/token"
    assert query(own.authorization_url(redirect_uri="r", state="s", code_verifier="v"))["prompt"] == "login"


async def test_zoom_without_pkce_still_sends_the_verifier(fake: FakeProvider, client_for: ClientFor) -> None:
    """Zoom's `pkce: false`: no code challenge in the authorization request; the token request carries the verifier
    all the same, as better-auth's does."""
    url = Zoom("c", "s", pkce=False).authorization_url(redirect_uri="r", state="s", code_verifier="v" * 64)
    assert "code_challenge" not in query(url)
    assert "code_challenge_method" in query(
        Zoom("c", "s").authorization_url(redirect_uri="r", state="s", code_verifier="v")
    )
    fake.answers = {("GET", "/v2/users/me"): {"id": "z-1", "email": "z@zoom.example", "verified": 1}}
    client = await client_for(Zoom("client-1", "secret-1", pkce=False))
    started = await client.post("/api/auth/sign-in/social", json={"provider": "zoom", "callbackURL": "/in"})
    assert "code_challenge" not in query(started.json()["url"])
    state = query(started.json()["url"])["state"]
    back = await client.get("/api/auth/callback/zoom", params={"code": "good-code", "state": state})
    assert back.headers["location"] == "/in"
    assert len(fake.token_calls[0].form["code_verifier"][0]) == 128


async def test_reddit_redirect_uri_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, fake: FakeProvider, client_for: ClientFor
) -> None:
    """better-auth's `redirectURI`: the URI registered at Reddit, in the authorization and the token request."""
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__REDDIT__CLIENT_ID", "client-1")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__REDDIT__CLIENT_SECRET", "secret-1")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__REDDIT__REDIRECT_URI", "https://proxy.example/reddit/cb")
    [reddit] = [p for p in builtin_providers(AuthSettings().social) if p.id == "reddit"]
    assert reddit.redirect_uri == "https://proxy.example/reddit/cb"
    assert Reddit("c", "s").redirect_uri is None
    fake.answers = dict(CASES["reddit"].answers)
    client = await client_for(reddit)
    started = await client.post("/api/auth/sign-in/social", json={"provider": "reddit", "callbackURL": "/in"})
    assert query(started.json()["url"])["redirect_uri"] == "https://proxy.example/reddit/cb"
    state = query(started.json()["url"])["state"]
    back = await client.get("/api/auth/callback/reddit", params={"code": "good-code", "state": state})
    assert back.headers["location"] == "/in"
    assert fake.token_calls[0].form["redirect_uri"] == ["https://proxy.example/reddit/cb"]


def test_new_providers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "LINE__CLIENT_ID": "line-channel",
        "LINE__CLIENT_SECRET": LINE_SECRET,
        "VK__CLIENT_ID": "vk-app",
        "VK__CLIENT_SECRET": "vk-secret",
        "WECHAT__CLIENT_ID": "wx-app",
        "WECHAT__CLIENT_SECRET": "wx-secret",
        "WECHAT__LANG": "en",
        "PAYBIN__CLIENT_ID": "pb-client",
        "PAYBIN__CLIENT_SECRET": "pb-secret",
        "PAYBIN__ISSUER": "https://idp.paybin.example",
        "ZOOM__CLIENT_ID": "zoom-app",
        "ZOOM__PKCE": "false",
    }.items():
        monkeypatch.setenv(f"BETTER_AUTH_SOCIAL__{name}", value)
    built = {p.id: p for p in builtin_providers(AuthSettings().social)}
    assert {k: built[k].client_id for k in ("line", "vk", "wechat", "paybin")} == {
        "line": "line-channel",
        "vk": "vk-app",
        "wechat": "wx-app",
        "paybin": "pb-client",
    }
    assert built["line"].client_secret == LINE_SECRET
    assert built["wechat"].authorization_params == {"lang": "en"}
    assert built["paybin"].issuer == "https://idp.paybin.example"
    assert built["zoom"].pkce is False
