"""The built-in providers better-auth ships, as data: for each one the authorization request, the token request
(how the client authenticates, the PKCE verifier) and the mapping of a recorded user-info payload of the provider's
documented shape to the user and account, end to end against a loopback provider (O2, O7)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import Account, ManualClock, User
from fastapi_betterauth.cli import main
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.oauth.providers import (
    Atlassian,
    Cloudflare,
    Cognito,
    Dropbox,
    Facebook,
    Figma,
    HuggingFace,
    Kakao,
    Kick,
    Linear,
    LinkedIn,
    Naver,
    Notion,
    OAuthProvider,
    PayPal,
    Polar,
    Railway,
    Reddit,
    Roblox,
    Salesforce,
    Slack,
    Spotify,
    TikTok,
    Twitch,
    Twitter,
    Vercel,
    Zoom,
)

from ..conftest import AuthFactory, ConfiguredClientFactory
from .fake_provider import FakeProvider, serving

BETTER_AUTH_PROVIDERS = {
    "apple", "atlassian", "cloudflare", "cognito", "discord", "dropbox", "facebook", "figma", "github", "gitlab",
    "google", "huggingface", "kakao", "kick", "line", "linear", "linkedin", "microsoft", "naver", "notion", "paybin",
    "paypal", "polar", "railway", "reddit", "roblox", "salesforce", "slack", "spotify", "tiktok", "twitch", "twitter",
    "vercel", "vk", "wechat", "zoom",
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One provider: what its requests look like and what a recorded profile becomes."""

    build: Callable[[str, str], OAuthProvider]
    authorize: str
    """Scheme, host and path of the authorization endpoint."""
    scope: str | None
    """The `scope` parameter (None: none is sent)."""
    auth_method: str
    answers: dict[tuple[str, str], Any]
    """User-info answers by (method, path?query) as the provider documents them."""
    user: tuple[str, bool, str | None, str | None]
    """email, email_verified, name, image."""
    account_id: str
    params: dict[str, str] = field(default_factory=dict)
    """Further parameters of the authorization request."""
    headers: dict[str, str] = field(default_factory=dict)
    """Headers every user-info call must carry."""
    id_token: dict[str, Any] | None = None
    """The claims of the id token the provider issues (its issuer and our client as audience are added)."""


CASES: dict[str, Case] = {
    "facebook": Case(
        Facebook,
        "https://www.facebook.com/v24.0/dialog/oauth",
        "email public_profile",
        "client_secret_post",
        {
            ("GET", "/me?fields=id,name,email,picture"): {
                "id": "10158223340101",
                "name": "Ann Lee",
                "email": "Ann@FB.example",
                "picture": {"data": {"height": 50, "is_silhouette": False, "url": "https://fb.example/a.jpg"}},
            }
        },
        ("ann@fb.example", False, "Ann Lee", "https://fb.example/a.jpg"),
        "10158223340101",
    ),
    "linkedin": Case(
        LinkedIn,
        "https://www.linkedin.com/oauth/v2/authorization",
        "profile email openid",
        "client_secret_post",
        {
            ("GET", "/v2/userinfo"): {
                "sub": "782bbtaQ",
                "name": "John Doe",
                "given_name": "John",
                "family_name": "Doe",
                "picture": "https://media.licdn.example/p.jpg",
                "locale": "en-US",
                "email": "doe@email.example",
                "email_verified": True,
            }
        },
        ("doe@email.example", True, "John Doe", "https://media.licdn.example/p.jpg"),
        "782bbtaQ",
    ),
    "slack": Case(
        Slack,
        "https://slack.com/openid/connect/authorize",
        "openid profile email",
        "client_secret_post",
        {
            ("GET", "/api/openid.connect.userInfo"): {
                "ok": True,
                "sub": "U0R7JM",
                "https://slack.com/user_id": "U0R7JM",
                "https://slack.com/team_id": "T0R7GR",
                "email": "krane@slack-corp.example",
                "email_verified": True,
                "name": "krane",
                "https://slack.com/user_image_512": "https://slack.example/512.jpg",
            }
        },
        ("krane@slack-corp.example", True, "krane", "https://slack.example/512.jpg"),
        "U0R7JM",
    ),
    "twitter": Case(
        Twitter,
        "https://x.com/i/oauth2/authorize",
        "users.read tweet.read offline.access users.email",
        "client_secret_basic",
        {
            ("GET", "/2/users/me?user.fields=profile_image_url"): {
                "data": {
                    "id": "2244994945",
                    "name": "X Dev",
                    "username": "TwitterDev",
                    "profile_image_url": "https://pbs.twimg.example/p.jpg",
                }
            },
            ("GET", "/2/users/me?user.fields=confirmed_email"): {
                "data": {"id": "2244994945", "username": "TwitterDev", "confirmed_email": "dev@x.example"}
            },
        },
        ("dev@x.example", True, "X Dev", "https://pbs.twimg.example/p.jpg"),
        "2244994945",
    ),
    "spotify": Case(
        Spotify,
        "https://accounts.spotify.com/authorize",
        "user-read-email",
        "client_secret_post",
        {
            ("GET", "/v1/me"): {
                "country": "SE",
                "display_name": "JM Wizzler",
                "email": "wizzler@spotify.example",
                "href": "https://api.spotify.com/v1/users/wizzler",
                "id": "wizzler",
                "images": [{"height": None, "url": "https://i.scdn.example/ab67.jpg", "width": None}],
                "type": "user",
                "uri": "spotify:user:wizzler",
            }
        },
        ("wizzler@spotify.example", False, "JM Wizzler", "https://i.scdn.example/ab67.jpg"),
        "wizzler",
    ),
    "reddit": Case(
        Reddit,
        "https://www.reddit.com/api/v1/authorize",
        "identity",
        "client_secret_basic",
        {
            ("GET", "/api/v1/me"): {
                "id": "1w72",
                "name": "spez",
                "icon_img": "https://styles.redditmedia.example/avatar.png?width=256&s=abc",
                "has_verified_email": True,
            }
        },
        ("1w72@reddit.placeholder.invalid", False, "spez", "https://styles.redditmedia.example/avatar.png"),
        "1w72",
        headers={"user-agent": "better-auth"},
    ),
    "notion": Case(
        Notion,
        "https://api.notion.com/v1/oauth/authorize",
        None,
        "client_secret_basic",
        {
            ("GET", "/v1/users/me"): {
                "object": "user",
                "id": "92a680bb-6970-4726-952b-4f4c03bff617",
                "name": "Avo's integration",
                "type": "bot",
                "bot": {
                    "owner": {
                        "type": "user",
                        "user": {
                            "object": "user",
                            "id": "e79a0b74-3aba-4149-9f74-0bb5791a6ee6",
                            "name": "Avo Cado",
                            "avatar_url": "https://notion.example/avo.png",
                            "type": "person",
                            "person": {"email": "avo@notion.example"},
                        },
                    },
                    "workspace_name": "Avo's workspace",
                },
            }
        },
        ("avo@notion.example", False, "Avo Cado", "https://notion.example/avo.png"),
        "e79a0b74-3aba-4149-9f74-0bb5791a6ee6",
        params={"owner": "user"},
        headers={"notion-version": "2022-06-28"},
    ),
    "dropbox": Case(
        Dropbox,
        "https://www.dropbox.com/oauth2/authorize",
        "account_info.read",
        "client_secret_post",
        {
            ("POST", "/2/users/get_current_account"): {
                "account_id": "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
                "name": {"display_name": "Franz Ferdinand (Personal)", "given_name": "Franz", "surname": "Ferdinand"},
                "email": "franz@dropbox.example",
                "email_verified": True,
                "disabled": False,
                "account_type": {".tag": "basic"},
                "profile_photo_url": "https://dl-web.dropbox.example/account_photo/get/x?size=128x128",
            }
        },
        (
            "franz@dropbox.example",
            True,
            "Franz Ferdinand (Personal)",
            "https://dl-web.dropbox.example/account_photo/get/x?size=128x128",
        ),
        "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
    ),
    "zoom": Case(
        Zoom,
        "https://zoom.us/oauth/authorize",
        None,
        "client_secret_post",
        {
            ("GET", "/v2/users/me"): {
                "id": "KDcuGIm1QgePTO8WbOqwIQ",
                "first_name": "Jill",
                "last_name": "Chill",
                "display_name": "Jill Chill",
                "email": "jchill@zoom.example",
                "type": 1,
                "pic_url": "https://zoom.example/photo.jpg",
                "verified": 1,
            }
        },
        ("jchill@zoom.example", True, "Jill Chill", "https://zoom.example/photo.jpg"),
        "KDcuGIm1QgePTO8WbOqwIQ",
    ),
    "atlassian": Case(
        Atlassian,
        "https://auth.atlassian.com/authorize",
        "read:jira-user offline_access",
        "client_secret_post",
        {
            ("GET", "/me"): {
                "account_type": "atlassian",
                "account_id": "112233:aa8a5f0d-1ab9-4a6c-b3b5-d3b4b1a7b9c1",
                "email": "mia@atlassian.example",
                "name": "Mia Krystof",
                "picture": "https://avatar-management.example/mia.png",
                "account_status": "active",
                "nickname": "mia",
                "email_verified": True,
            }
        },
        ("mia@atlassian.example", False, "Mia Krystof", "https://avatar-management.example/mia.png"),
        "112233:aa8a5f0d-1ab9-4a6c-b3b5-d3b4b1a7b9c1",
        params={"audience": "api.atlassian.com"},
    ),
    "figma": Case(
        Figma,
        "https://www.figma.com/oauth",
        "current_user:read",
        "client_secret_basic",
        {
            ("GET", "/v1/me"): {
                "id": "1234567890",
                "email": "ana@figma.example",
                "handle": "Ana",
                "img_url": "https://s3-alpha.figma.example/ana.png",
            }
        },
        ("ana@figma.example", False, "Ana", "https://s3-alpha.figma.example/ana.png"),
        "1234567890",
    ),
    "linear": Case(
        Linear,
        "https://linear.app/oauth/authorize",
        "read",
        "client_secret_post",
        {
            ("POST", "/graphql"): {
                "data": {
                    "viewer": {
                        "id": "2b2a1c4e-6a2f-4d0b-9a0e-1f9e8b7c6d5e",
                        "name": "Lin Ear",
                        "email": "lin@linear.example",
                        "avatarUrl": "https://public.linear.example/lin.png",
                        "active": True,
                        "createdAt": "2024-01-01T00:00:00.000Z",
                        "updatedAt": "2024-06-01T00:00:00.000Z",
                    }
                }
            }
        },
        ("lin@linear.example", False, "Lin Ear", "https://public.linear.example/lin.png"),
        "2b2a1c4e-6a2f-4d0b-9a0e-1f9e8b7c6d5e",
        headers={"content-type": "application/json"},
    ),
    "huggingface": Case(
        HuggingFace,
        "https://huggingface.co/oauth/authorize",
        "openid profile email",
        "client_secret_post",
        {
            ("GET", "/oauth/userinfo"): {
                "sub": "62f5c8d0b6a2c3e4f5a6b7c8",
                "name": "",
                "preferred_username": "hugger",
                "profile": "https://huggingface.co/hugger",
                "picture": "https://cdn-avatars.huggingface.example/hugger.png",
                "email": "hugger@hf.example",
                "email_verified": True,
            }
        },
        ("hugger@hf.example", True, "hugger", "https://cdn-avatars.huggingface.example/hugger.png"),
        "62f5c8d0b6a2c3e4f5a6b7c8",
    ),
    "kakao": Case(
        Kakao,
        "https://kauth.kakao.com/oauth/authorize",
        "account_email profile_image profile_nickname",
        "client_secret_post",
        {
            ("GET", "/v2/user/me"): {
                "id": 123456789,
                "connected_at": "2022-04-11T01:45:28Z",
                "kakao_account": {
                    "profile_nickname_needs_agreement": False,
                    "profile": {
                        "nickname": "홍길동",
                        "thumbnail_image_url": "http://yyy.kakao.example/thumb.jpg",
                        "profile_image_url": "http://yyy.kakao.example/profile.jpg",
                        "is_default_image": False,
                    },
                    "email_needs_agreement": False,
                    "is_email_valid": True,
                    "is_email_verified": True,
                    "email": "sample@kakao.example",
                },
            }
        },
        ("sample@kakao.example", True, "홍길동", "http://yyy.kakao.example/profile.jpg"),
        "123456789",
    ),
    "naver": Case(
        Naver,
        "https://nid.naver.com/oauth2.0/authorize",
        "profile email",
        "client_secret_post",
        {
            ("GET", "/v1/nid/me"): {
                "resultcode": "00",
                "message": "success",
                "response": {
                    "id": "32742776",
                    "nickname": "OpenAPI",
                    "profile_image": "https://ssl.pstatic.example/p.png",
                    "email": "openapi@naver.example",
                    "name": "오픈 API",
                },
            }
        },
        ("openapi@naver.example", False, "오픈 API", "https://ssl.pstatic.example/p.png"),
        "32742776",
    ),
    "kick": Case(
        Kick,
        "https://id.kick.com/oauth/authorize",
        "user:read",
        "client_secret_post",
        {
            ("GET", "/public/v1/users"): {
                "data": [
                    {
                        "user_id": 4377088,
                        "name": "kickster",
                        "email": "kickster@kick.example",
                        "profile_picture": "https://files.kick.example/p.webp",
                    }
                ],
                "message": "OK",
            }
        },
        ("kickster@kick.example", False, "kickster", "https://files.kick.example/p.webp"),
        "4377088",
    ),
    "polar": Case(
        Polar,
        "https://polar.sh/oauth2/authorize",
        "openid profile email",
        "client_secret_post",
        {
            ("GET", "/v1/oauth2/userinfo"): {
                "sub": "9c8d7e6f-5a4b-3c2d-1e0f-a1b2c3d4e5f6",
                "id": "9c8d7e6f-5a4b-3c2d-1e0f-a1b2c3d4e5f6",
                "email": "pola@polar.example",
                "email_verified": True,
                "public_name": "Pola",
                "avatar_url": "https://avatars.polar.example/pola.png",
            }
        },
        ("pola@polar.example", True, "Pola", "https://avatars.polar.example/pola.png"),
        "9c8d7e6f-5a4b-3c2d-1e0f-a1b2c3d4e5f6",
    ),
    "vercel": Case(
        Vercel,
        "https://vercel.com/oauth/authorize",
        None,
        "client_secret_post",
        {
            ("GET", "/login/oauth/userinfo"): {
                "sub": "vNQ5kx0Qh9s6ZrN3lS8w2mYd",
                "email": "vee@vercel.example",
                "email_verified": True,
                "name": None,
                "preferred_username": "vee",
                "picture": "https://api.vercel.example/www/avatar/vee",
            }
        },
        ("vee@vercel.example", True, "vee", "https://api.vercel.example/www/avatar/vee"),
        "vNQ5kx0Qh9s6ZrN3lS8w2mYd",
    ),
    "railway": Case(
        Railway,
        "https://backboard.railway.com/oauth/auth",
        "openid email profile",
        "client_secret_basic",
        {
            ("GET", "/oauth/me"): {
                "sub": "user_7a1c2b3d",
                "email": "rail@railway.example",
                "email_verified": True,
                "name": "Rail Way",
                "picture": "https://avatars.railway.example/rail.png",
            }
        },
        ("rail@railway.example", False, "Rail Way", "https://avatars.railway.example/rail.png"),
        "user_7a1c2b3d",
    ),
    "roblox": Case(
        Roblox,
        "https://apis.roblox.com/oauth/v1/authorize",
        "openid profile",
        "client_secret_post",
        {
            ("GET", "/oauth/v1/userinfo"): {
                "sub": "1516563360",
                "name": "exampleuser",
                "nickname": "exampleuser",
                "preferred_username": "exampleuser",
                "created_at": 1584682495,
                "profile": "https://www.roblox.com/users/1516563360/profile",
                "picture": "https://tr.rbxcdn.example/avatar.png",
            }
        },
        ("1516563360@roblox.placeholder.invalid", False, "exampleuser", "https://tr.rbxcdn.example/avatar.png"),
        "1516563360",
        params={"prompt": "select_account consent"},
    ),
    "tiktok": Case(
        TikTok,
        "https://www.tiktok.com/v2/auth/authorize",
        "user.info.profile",
        "client_secret_post",
        {
            ("GET", "/v2/user/info/?fields=open_id,avatar_large_url,display_name,username"): {
                "data": {
                    "user": {
                        "open_id": "723f24d7-e717-40f8-a2b6-cb8464cd23b4",
                        "avatar_large_url": "https://p16-sign.tiktokcdn.example/a.jpeg",
                        "display_name": "Tik Toker",
                        "username": "tiktoker",
                    }
                },
                "error": {"code": "ok", "message": "", "log_id": "20220829194722CBE87ED59D524E727021"},
            }
        },
        (
            "723f24d7-e717-40f8-a2b6-cb8464cd23b4@tiktok.placeholder.invalid",
            False,
            "Tik Toker",
            "https://p16-sign.tiktokcdn.example/a.jpeg",
        ),
        "723f24d7-e717-40f8-a2b6-cb8464cd23b4",
    ),
    "salesforce": Case(
        Salesforce,
        "https://login.salesforce.com/services/oauth2/authorize",
        "openid email profile",
        "client_secret_post",
        {
            ("GET", "/services/oauth2/userinfo"): {
                "sub": "https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P",
                "user_id": "005x00000012Q9P",
                "organization_id": "00Dx0000000BV7z",
                "name": "Sales Force",
                "email": "sales@force.example",
                "email_verified": True,
                "photos": {
                    "picture": "https://c.salesforce.example/profilephoto/F",
                    "thumbnail": "https://c.salesforce.example/profilephoto/T",
                },
            }
        },
        ("sales@force.example", True, "Sales Force", "https://c.salesforce.example/profilephoto/F"),
        "005x00000012Q9P",
    ),
    "paypal": Case(
        PayPal,
        "https://www.sandbox.paypal.com/signin/authorize",
        None,
        "client_secret_basic",
        {
            ("GET", "/v1/identity/oauth2/userinfo?schema=paypalv1.1"): {
                "user_id": "https://www.paypal.com/webapps/auth/identity/user/mWq6_1sU85v5EG9yHdPxJRrhGHrnMJ-1PQKtX6pcsmA",
                "sub": "https://www.paypal.com/webapps/auth/identity/user/mWq6_1sU85v5EG9yHdPxJRrhGHrnMJ-1PQKtX6pcsmA",
                "name": "Pay Pal",
                "email": "pay@paypal.example",
                "email_verified": True,
                "verified_account": True,
            }
        },
        ("pay@paypal.example", True, "Pay Pal", None),
        "https://www.paypal.com/webapps/auth/identity/user/mWq6_1sU85v5EG9yHdPxJRrhGHrnMJ-1PQKtX6pcsmA",
    ),
    "cloudflare": Case(
        Cloudflare,
        "https://dash.cloudflare.com/oauth2/auth",
        "user-details.read",
        "client_secret_basic",
        {
            ("GET", "/client/v4/user"): {
                "success": True,
                "errors": [],
                "messages": [],
                "result": {
                    "id": "7c5dae5552338874e5053f2534d2767a",
                    "email": "user@cloudflare.example",
                    "first_name": "John",
                    "last_name": "Appleseed",
                    "suspended": False,
                },
            }
        },
        ("user@cloudflare.example", False, "John Appleseed", None),
        "7c5dae5552338874e5053f2534d2767a",
    ),
    "twitch": Case(
        Twitch,
        "https://id.twitch.tv/oauth2/authorize",
        "user:read:email openid",
        "client_secret_post",
        {},
        ("twitcher@twitch.example", True, "twitcher", "https://static-cdn.jtvnw.example/u.png"),
        "713936733",
        params={"claims": '{"id_token":{"email":null,"email_verified":null,"preferred_username":null,"picture":null}}'},
        id_token={
            "sub": "713936733",
            "azp": "client-1",
            "email": "twitcher@twitch.example",
            "email_verified": True,
            "preferred_username": "twitcher",
            "picture": "https://static-cdn.jtvnw.example/u.png",
        },
    ),
    "cognito": Case(
        lambda client_id, secret: Cognito(
            client_id, secret, domain="https://auth.app.example", region="eu-west-1", user_pool_id="eu-west-1_AbC123"
        ),
        "https://auth.app.example/oauth2/authorize",
        "openid profile email",
        "client_secret_post",
        {},
        ("cora@cognito.example", True, "Cora", None),
        "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        id_token={
            "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "cognito:username": "cora",
            "token_use": "id",
            "auth_time": 1700000000,
            "email": "cora@cognito.example",
            "email_verified": True,
            "given_name": "Cora",
        },
    ),
}


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def test_the_cli_lists_the_builtin_provider_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == sorted(listed)
    assert {"github", "google", "apple", "microsoft", "gitlab", "discord", *CASES} <= set(listed)
    assert set(listed) <= BETTER_AUTH_PROVIDERS  # only better-auth's ids


@pytest.mark.parametrize("provider_id", CASES)
def test_the_authorization_request(provider_id: str) -> None:
    """O2: PKCE S256 whatever better-auth does for the provider; the provider's scopes and fixed parameters."""
    case = CASES[provider_id]
    provider = case.build("client-1", "secret-1")
    assert provider.id == provider_id
    url = provider.authorization_url(redirect_uri="https://a.example/cb", state="st", code_verifier="v" * 64)
    assert url.split("?")[0] == case.authorize
    params = query(url)
    assert params.get("scope") == case.scope
    assert (params[provider.client_id_param], params["state"], params["response_type"]) == ("client-1", "st", "code")
    assert params["code_challenge_method"] == "S256"
    assert params.items() >= case.params.items()
    assert "secret-1" not in url
    assert provider.token_auth_method == case.auth_method


@pytest.fixture
async def fake() -> AsyncIterator[FakeProvider]:
    async with serving(FakeProvider()) as provider:
        yield provider


def on_loopback(provider: OAuthProvider, base: str) -> OAuthProvider:
    """The provider with its token and user-info endpoints moved to the loopback server, paths and queries kept."""

    def moved(url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url)
        return f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    return replace(
        provider,
        token_endpoint=f"{base}/token",
        jwks_uri=f"{base}/jwks" if provider.jwks_uri else None,
        userinfo_endpoint=moved(provider.userinfo_endpoint),
        email_endpoint=moved(provider.email_endpoint),
    )


async def sign_in(client: httpx.AsyncClient, provider_id: str, fake: FakeProvider | None = None) -> str:
    started = await client.post("/api/auth/sign-in/social", json={"provider": provider_id, "callbackURL": "/in"})
    assert started.status_code == 200, started.text
    state = query(started.json()["url"])["state"]
    if fake is not None:
        fake.nonce = query(started.json()["url"]).get("nonce")
    back = await client.get(f"/api/auth/callback/{provider_id}", params={"code": "good-code", "state": state})
    return str(back.headers["location"])


async def stored(database: Database) -> list[tuple[User, Account]]:
    async with database.session() as db:
        return list((await db.exec(select(User, Account).where(Account.user_id == User.id))).all())


@pytest.fixture
def client_for(
    fake: FakeProvider, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> Callable[[OAuthProvider], Any]:
    clock.set(datetime.now(UTC))

    async def build(provider: OAuthProvider) -> httpx.AsyncClient:
        return await make_configured_client(make_auth(social_providers=[on_loopback(provider, fake.base)]))

    return build


@pytest.mark.parametrize("provider_id", CASES)
async def test_sign_in_maps_the_documented_profile(
    provider_id: str, fake: FakeProvider, client_for: Callable[[OAuthProvider], Any], database: Database
) -> None:
    """The token request authenticates as the provider wants and carries the PKCE verifier; the recorded profile
    becomes the user (O7: the address is vouched for only as better-auth vouches for it) and the account id."""
    case = CASES[provider_id]
    fake.answers = dict(case.answers)
    provider = case.build("client-1", "secret-1")
    if case.id_token is not None:
        now = int(time.time())
        issued = {"iss": provider.issuer, "aud": "client-1", "iat": now, "exp": now + 600}
        fake.id_token_claims = {**issued, **case.id_token}
    client = await client_for(provider)
    assert await sign_in(client, provider_id, fake) == "/in"
    if case.id_token is not None:
        assert fake.nonce  # an id token is checked against the sign-in's nonce

    [call] = fake.token_calls
    assert call.form["grant_type"] == ["authorization_code"]
    assert len(call.form["code_verifier"][0]) == 128
    basic = "Basic " + base64.b64encode(b"client-1:secret-1").decode()
    if case.auth_method == "client_secret_basic":
        assert call.headers["authorization"] == basic
        assert "client_secret" not in call.form
    else:
        assert call.form["client_id"] == ["client-1"]
        assert call.form["client_secret"] == ["secret-1"]
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
