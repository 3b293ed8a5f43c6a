"""Discord (OAuth 2.0). Subject: the snowflake user id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_discord(data: Mapping[str, Any]) -> OAuthProfile:
    avatar = data.get("avatar")
    image = f"https://cdn.discordapp.com/avatars/{data['id']}/{avatar}.png" if avatar else None
    return OAuthProfile(
        subject=str(data["id"]),
        email=provider_email(data.get("email")),
        email_verified=data.get("verified") is True,
        name=data.get("global_name") or data.get("username"),
        image=image,
        raw=dict(data),
    )


def Discord(client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("identify", "email")) -> OAuthProvider:
    return OAuthProvider(
        id="discord",
        name="Discord",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://discord.com/oauth2/authorize",
        token_endpoint="https://discord.com/api/oauth2/token",
        userinfo_endpoint="https://discord.com/api/users/@me",
        scopes=scopes,
        map_profile=map_discord,
    )
