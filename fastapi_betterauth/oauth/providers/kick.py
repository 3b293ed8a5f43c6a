"""Kick (OAuth 2.1 with PKCE; `/public/v1/users` lists the token's user first). Subject: `user_id`. The address is
not vouched for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_kick(data: Mapping[str, Any]) -> OAuthProfile:
    user = data["data"][0]
    return OAuthProfile(
        subject=str(user["user_id"]),
        email=provider_email(user.get("email")),
        email_verified=False,
        name=user.get("name"),
        image=user.get("profile_picture"),
        raw=dict(user),
    )


def Kick(client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("user:read",)) -> OAuthProvider:
    return OAuthProvider(
        id="kick",
        name="Kick",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://id.kick.com/oauth/authorize",
        token_endpoint="https://id.kick.com/oauth/token",
        userinfo_endpoint="https://api.kick.com/public/v1/users",
        scopes=scopes,
        map_profile=map_kick,
    )
