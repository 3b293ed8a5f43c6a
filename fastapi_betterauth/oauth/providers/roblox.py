"""Roblox (OpenID Connect, read from the user-info endpoint as better-auth does). Subject: `sub`. Roblox gives no
address: better-auth's placeholder stands in, never vouched for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import OAuthProfile, OAuthProvider, placeholder_email


def map_roblox(claims: Mapping[str, Any]) -> OAuthProfile:
    return OAuthProfile(
        subject=str(claims["sub"]),
        email=placeholder_email(str(claims["sub"]), "roblox"),
        email_verified=False,
        name=claims.get("nickname") or claims.get("preferred_username") or None,
        image=claims.get("picture"),
        raw=dict(claims),
    )


def Roblox(
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = ("openid", "profile"),
    prompt: str = "select_account consent",
) -> OAuthProvider:
    return OAuthProvider(
        id="roblox",
        name="Roblox",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://apis.roblox.com/oauth/v1/authorize",
        token_endpoint="https://apis.roblox.com/oauth/v1/token",
        userinfo_endpoint="https://apis.roblox.com/oauth/v1/userinfo",
        scopes=scopes,
        openid=False,
        token_endpoint_auth_method="client_secret_post",
        authorization_params={"prompt": prompt},
        map_profile=map_roblox,
    )
