"""Recorded payloads of the built-in providers' documented shapes, for tests/oauth/test_builtin_catalogue.py: the
providers read from a user-info endpoint with a plain bearer token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi_betterauth.oauth.providers import (
    Dropbox,
    Facebook,
    LinkedIn,
    Notion,
    OAuthProvider,
    Reddit,
    Slack,
    Spotify,
    Twitter,
    Zoom,
)


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
    id_token_hs256: bool = False
    """The id token is signed with HS256 keyed by the client secret (LINE), not with the provider's RSA key."""
    pkce: bool = True
    """The authorization request carries an S256 code challenge."""
    callback: dict[str, str] = field(default_factory=dict)
    """Further parameters of the callback, besides `code` and `state` (VK ID's `device_id`)."""
    token_response: dict[str, Any] = field(default_factory=dict)
    """Further fields of the token response (WeChat's `openid`)."""
    token: dict[str, str] | None = None
    """For a provider with its own token request: its fields, exactly (else the standard form is checked)."""


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
}
