"""TikTok (Login Kit for Web, OAuth 2.0). Subject: `data.user.open_id`. TikTok gives no address: better-auth's
placeholder stands in, never vouched for.

TikTok names the client `client_key`, not `client_id` (in the authorization request and the token request's body,
with the secret) and joins scopes with commas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider, placeholder_email

FIELDS = "open_id,avatar_large_url,display_name,username"


def map_tiktok(data: Mapping[str, Any]) -> OAuthProfile:
    user = data["data"]["user"]
    email = user.get("email")
    return OAuthProfile(
        subject=str(user["open_id"]),
        email=provider_email(email) if email else placeholder_email(str(user["open_id"]), "tiktok"),
        email_verified=False,
        name=user.get("display_name") or user.get("username") or None,
        image=user.get("avatar_large_url"),
        raw=dict(data),
    )


def TikTok(client_key: str, client_secret: str, *, scopes: tuple[str, ...] = ("user.info.profile",)) -> OAuthProvider:
    """`client_key` is TikTok's client id (better-auth's `clientKey`)."""
    return OAuthProvider(
        id="tiktok",
        name="TikTok",
        client_id=client_key,
        client_secret=client_secret,
        authorization_endpoint="https://www.tiktok.com/v2/auth/authorize",
        token_endpoint="https://open.tiktokapis.com/v2/oauth/token/",
        userinfo_endpoint=f"https://open.tiktokapis.com/v2/user/info/?fields={FIELDS}",
        scopes=scopes,
        client_id_param="client_key",
        scope_separator=",",
        token_endpoint_auth_method="client_secret_post",
        token_params={"client_key": client_key},
        map_profile=map_tiktok,
    )
