"""WeChat website login (OAuth 2.0-like, not standard). Subject: the `unionid` when WeChat gives one (the same person
across the developer's apps), else the app's `openid`, as better-auth chooses.

WeChat's quirks, as better-auth handles them: the authorization URL names the client `appid`, joins scopes with
commas, carries `lang` and ends with `#wechat_redirect`; WeChat takes no PKCE. The code is exchanged by a GET with
`appid`, `secret`, `code` and `grant_type` in the query, and WeChat reports errors with status 200 and an `errcode`.
The token response names the user's `openid` (and maybe `unionid`); the user info is a GET with the access token and
that `openid` in the query. WeChat gives no address: better-auth's placeholder stands in, never vouched for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider, placeholder_email

if TYPE_CHECKING:
    import httpx2 as httpx


def map_wechat(data: Mapping[str, Any]) -> OAuthProfile:
    subject = str(data.get("unionid") or data["openid"])
    return OAuthProfile(
        subject=subject,
        email=provider_email(data.get("email")) or placeholder_email(subject, "wechat"),
        email_verified=False,
        name=data.get("nickname") or None,
        image=data.get("headimgurl") or None,
        raw=dict(data),
    )


async def _wechat_get(http: httpx.AsyncClient, url: str, query: Mapping[str, str]) -> dict[str, Any]:
    """One WeChat API call: its answer, or `ValueError` for an `errcode` (WeChat says it with status 200)."""
    response = await http.get(f"{url}?{urlencode(query)}", headers={"Accept": "application/json"})
    response.raise_for_status()
    answer = response.json()
    if not isinstance(answer, dict) or answer.get("errcode"):
        raise ValueError(f"WeChat refused: {answer.get('errcode') if isinstance(answer, dict) else 'not an object'}")
    return answer


async def wechat_token(http: httpx.AsyncClient, provider: OAuthProvider, grant: Mapping[str, str]) -> Mapping[str, Any]:
    """WeChat's code exchange and refresh: GETs, the secret in the query (only for the code), the scopes joined with
    commas (made the standard's spaces here)."""
    if grant["grant_type"] == "refresh_token":
        url = provider.token_endpoint.rsplit("/", 1)[0] + "/refresh_token"
        query = {"appid": provider.client_id, "grant_type": "refresh_token", "refresh_token": grant["refresh_token"]}
    else:
        url = provider.token_endpoint
        query = {
            "appid": provider.client_id,
            "secret": provider.client_secret or "",
            "code": grant["code"],
            "grant_type": "authorization_code",
        }
    token = await _wechat_get(http, url, query)
    token["scope"] = " ".join(scope for scope in str(token.get("scope") or "").split(",") if scope)
    token.setdefault("token_type", "Bearer")
    return token


async def wechat_user_info(
    http: httpx.AsyncClient, provider: OAuthProvider, token: Mapping[str, Any]
) -> Mapping[str, Any]:
    """`/sns/userinfo` for the `openid` the token response named; a profile of another `openid` is refused."""
    assert provider.userinfo_endpoint is not None
    openid = token.get("openid")
    if not openid:
        raise ValueError("no openid: WeChat names the user only in the token response")
    query = {"access_token": str(token["access_token"]), "openid": str(openid), "lang": "zh_CN"}
    profile = await _wechat_get(http, provider.userinfo_endpoint, query)
    if profile.get("openid", openid) != openid:
        raise ValueError("WeChat's profile names another openid")
    return {"openid": openid, **profile}


def WeChat(
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = ("snsapi_login",),
    lang: Literal["cn", "en"] = "cn",
) -> OAuthProvider:
    """`client_id`: the website app's AppID; `client_secret`: its AppSecret; `lang`: of WeChat's QR-code page."""
    return OAuthProvider(
        id="wechat",
        name="WeChat",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://open.weixin.qq.com/connect/qrconnect",
        token_endpoint="https://api.weixin.qq.com/sns/oauth2/access_token",
        userinfo_endpoint="https://api.weixin.qq.com/sns/userinfo",
        scopes=scopes,
        scope_separator=",",
        client_id_param="appid",
        authorization_params={"lang": lang},
        authorization_fragment="wechat_redirect",
        pkce=False,
        token_call=wechat_token,
        user_info_call=wechat_user_info,
        map_profile=map_wechat,
    )
