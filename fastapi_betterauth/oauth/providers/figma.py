"""Figma (OAuth 2.0 with PKCE, HTTP Basic at the token endpoint, `/v1/me`). Subject: the user `id`. The address is
not vouched for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_figma(data: Mapping[str, Any]) -> OAuthProfile:
    return OAuthProfile(
        subject=str(data["id"]),
        email=provider_email(data.get("email")),
        email_verified=False,
        name=data.get("handle"),
        image=data.get("img_url"),
        raw=dict(data),
    )


def Figma(client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("current_user:read",)) -> OAuthProvider:
    return OAuthProvider(
        id="figma",
        name="Figma",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://www.figma.com/oauth",
        token_endpoint="https://api.figma.com/v1/oauth/token",
        userinfo_endpoint="https://api.figma.com/v1/me",
        scopes=scopes,
        token_endpoint_auth_method="client_secret_basic",
        map_profile=map_figma,
    )
