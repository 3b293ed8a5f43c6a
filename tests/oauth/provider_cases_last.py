"""Recorded payloads of the built-in providers' documented shapes, for tests/oauth/test_builtin_catalogue.py: the
providers with non-standard flows (LINE's HS256 id token, VK ID's `device_id` and form-POST user info, WeChat's GET
token request and `openid`, Paybin's id token without a key set)."""

from __future__ import annotations

from typing import Any

from fastapi_betterauth.oauth.providers import VK, Line, Paybin, WeChat

from .fake_provider import ACCESS_TOKEN
from .provider_cases import Case

LINE_SECRET_SUFFIX = "-line-channel-secret-32"
"""LINE channel secrets are 32 characters: HS256 keys of a realistic size."""

WECHAT_OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
WECHAT_UNIONID = "o6_bmasdasdsad6_2sgVt7hMZOPfL"
WECHAT_USER_INFO = f"/sns/userinfo?access_token={ACCESS_TOKEN}&openid={WECHAT_OPENID}&lang=zh_CN"
WECHAT_PROFILE: dict[str, Any] = {
    "openid": WECHAT_OPENID,
    "nickname": "Zhang San",
    "sex": 1,
    "province": "Guangdong",
    "city": "Shenzhen",
    "country": "CN",
    "headimgurl": "https://thirdwx.qlogo.example/mmopen/g3MonUZtNHkdmzicIlibx6iaFqAc56vxLSUfpb6n5WKSYVY0ChQKkiaJSgQ/0",
    "privilege": ["PRIVILEGE1"],
    "unionid": WECHAT_UNIONID,
}
WECHAT_TOKEN: dict[str, Any] = {
    "access_token": ACCESS_TOKEN,
    "expires_in": 7200,
    "refresh_token": "fake-rt",
    "openid": WECHAT_OPENID,
    "scope": "snsapi_login",
    "unionid": WECHAT_UNIONID,
}

LAST_CASES: dict[str, Case] = {
    "line": Case(
        lambda client_id, secret: Line(client_id, secret + LINE_SECRET_SUFFIX),
        "https://access.line.me/oauth2/v2.1/authorize",
        "openid profile email",
        "client_secret_post",
        {
            ("GET", "/oauth2/v2.1/userinfo"): {
                "sub": "U1234567890abcdef1234567890abcdef",
                "name": "Taro Line",
                "picture": "https://profile.line-scdn.example/0hAbCdEf",
            }
        },
        ("taro.line@line.example", False, "Taro Line", "https://profile.line-scdn.example/0hAbCdEf"),
        "U1234567890abcdef1234567890abcdef",
        id_token={
            "sub": "U1234567890abcdef1234567890abcdef",
            "amr": ["pwd"],
            "name": "Taro Line",
            "picture": "https://profile.line-scdn.example/0hAbCdEf",
            "email": "taro.line@line.example",
        },
        id_token_hs256=True,
    ),
    "vk": Case(
        VK,
        "https://id.vk.com/authorize",
        "email phone",
        "client_secret_post",
        {
            ("POST", "/oauth2/user_info"): {
                "user": {
                    "user_id": "1234567890",
                    "first_name": "Ivan",
                    "last_name": "Ivanov",
                    "phone": "79991234567",
                    "avatar": "https://pp.userapi.example/60tZWMo4SmwcploUVl9XEt8ufnTTvDUmQ6Bj1g/mmv1pcj63C4.png",
                    "email": "ivan_i123@vk.example",
                    "sex": 2,
                    "verified": False,
                    "birthday": "01.01.2000",
                }
            }
        },
        (
            "ivan_i123@vk.example",
            False,
            "Ivan Ivanov",
            "https://pp.userapi.example/60tZWMo4SmwcploUVl9XEt8ufnTTvDUmQ6Bj1g/mmv1pcj63C4.png",
        ),
        "1234567890",
        callback={"device_id": "vk-device-7f3a", "type": "code_v2", "expires_in": "600"},
    ),
    "wechat": Case(
        WeChat,
        "https://open.weixin.qq.com/connect/qrconnect",
        "snsapi_login",
        "client_secret_post",  # in the query of WeChat's own GET (see `token`)
        {("GET", WECHAT_USER_INFO): WECHAT_PROFILE},
        (
            f"{WECHAT_UNIONID.lower()}@wechat.placeholder.invalid",
            False,
            "Zhang San",
            WECHAT_PROFILE["headimgurl"],
        ),
        WECHAT_UNIONID,
        params={"lang": "cn"},
        pkce=False,
        token_response=WECHAT_TOKEN,
        token={"appid": "client-1", "secret": "secret-1", "code": "good-code", "grant_type": "authorization_code"},
    ),
    "paybin": Case(
        Paybin,
        "https://idp.paybin.io/oauth2/authorize",
        "openid email profile",
        "client_secret_post",
        {},
        ("payer@paybin.example", True, "payer", "https://cdn.paybin.example/u/pb_7f2c.png"),
        "pb_7f2c9e",
        id_token={
            "sub": "pb_7f2c9e",
            "email": "payer@paybin.example",
            "email_verified": True,
            "preferred_username": "payer",
            "picture": "https://cdn.paybin.example/u/pb_7f2c.png",
        },
    ),
}
