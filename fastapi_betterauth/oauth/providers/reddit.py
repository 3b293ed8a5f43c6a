"""Reddit (OAuth 2.0, `/api/v1/me`). Subject: the Reddit user id. Reddit gives no address: better-auth's placeholder
address stands in, never vouched for. Reddit wants HTTP Basic at the token endpoint and a `User-Agent`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import OAuthProfile, OAuthProvider, placeholder_email

USER_AGENT = {"User-Agent": "better-auth"}


def map_reddit(data: Mapping[str, Any]) -> OAuthProfile:
    icon = data.get("icon_img")
    return OAuthProfile(
        subject=str(data["id"]),
        email=placeholder_email(str(data["id"]), "reddit"),
        email_verified=False,
        name=data.get("name"),
        image=icon.split("?")[0] if isinstance(icon, str) and icon else None,
        raw=dict(data),
    )


def Reddit(
    client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("identity",), duration: str | None = None
) -> OAuthProvider:
    """`duration`: `permanent` for a refresh token (better-auth's `duration`)."""
    return OAuthProvider(
        id="reddit",
        name="Reddit",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://www.reddit.com/api/v1/authorize",
        token_endpoint="https://www.reddit.com/api/v1/access_token",
        userinfo_endpoint="https://oauth.reddit.com/api/v1/me",
        scopes=scopes,
        token_endpoint_auth_method="client_secret_basic",
        authorization_params={"duration": duration} if duration else {},
        token_headers=USER_AGENT,
        userinfo_headers=USER_AGENT,
        map_profile=map_reddit,
    )
