"""Spotify (OAuth 2.0 with PKCE, `/v1/me`). Subject: the Spotify user id. The address is not vouched for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_spotify(data: Mapping[str, Any]) -> OAuthProfile:
    images = data.get("images") or []
    return OAuthProfile(
        subject=str(data["id"]),
        email=provider_email(data.get("email")),
        email_verified=False,
        name=data.get("display_name"),
        image=images[0].get("url") if images else None,
        raw=dict(data),
    )


def Spotify(client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("user-read-email",)) -> OAuthProvider:
    return OAuthProvider(
        id="spotify",
        name="Spotify",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://accounts.spotify.com/authorize",
        token_endpoint="https://accounts.spotify.com/api/token",
        userinfo_endpoint="https://api.spotify.com/v1/me",
        scopes=scopes,
        map_profile=map_spotify,
    )
