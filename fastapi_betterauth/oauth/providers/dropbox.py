"""Dropbox (OAuth 2.0 with PKCE; `get_current_account` is a POST). Subject: `account_id`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_dropbox(data: Mapping[str, Any]) -> OAuthProfile:
    return OAuthProfile(
        subject=str(data["account_id"]),
        email=provider_email(data.get("email")),
        email_verified=data.get("email_verified") is True,
        name=(data.get("name") or {}).get("display_name"),
        image=data.get("profile_photo_url"),
        raw=dict(data),
    )


def Dropbox(
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = ("account_info.read",),
    access_type: str | None = None,
) -> OAuthProvider:
    """`access_type`: `offline` for a refresh token (better-auth's `accessType`, Dropbox's `token_access_type`)."""
    return OAuthProvider(
        id="dropbox",
        name="Dropbox",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://www.dropbox.com/oauth2/authorize",
        token_endpoint="https://api.dropboxapi.com/oauth2/token",
        userinfo_endpoint="https://api.dropboxapi.com/2/users/get_current_account",
        userinfo_method="POST",
        scopes=scopes,
        authorization_params={"token_access_type": access_type} if access_type else {},
        map_profile=map_dropbox,
    )
