"""Recorded payloads of the built-in providers' documented shapes, for tests/oauth/test_builtin_catalogue.py: the
rest of better-auth's list, id-token providers included."""

from __future__ import annotations

from fastapi_betterauth.oauth.providers import (
    Atlassian,
    Cloudflare,
    Cognito,
    Figma,
    HuggingFace,
    Kakao,
    Kick,
    Linear,
    Naver,
    PayPal,
    Polar,
    Railway,
    Roblox,
    Salesforce,
    TikTok,
    Twitch,
    Vercel,
)

from .provider_cases import Case

MORE_CASES: dict[str, Case] = {
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
