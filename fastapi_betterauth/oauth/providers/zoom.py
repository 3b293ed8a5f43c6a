"""Zoom (OAuth 2.0 with PKCE unless switched off, `/v2/users/me`; scopes are set on the app, none are requested).
Subject: the Zoom user id. The address is vouched for when Zoom marks the user `verified`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_zoom(data: Mapping[str, Any]) -> OAuthProfile:
    return OAuthProfile(
        subject=str(data["id"]),
        email=provider_email(data.get("email")),
        email_verified=bool(data.get("verified")),
        name=data.get("display_name"),
        image=data.get("pic_url"),
        raw=dict(data),
    )


def Zoom(client_id: str, client_secret: str, *, scopes: tuple[str, ...] = (), pkce: bool = True) -> OAuthProvider:
    """`pkce`: False for a Zoom app that does not take the code challenge (better-auth's `pkce`); the verifier is
    still sent to the token endpoint, as better-auth sends it."""
    return OAuthProvider(
        id="zoom",
        name="Zoom",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://zoom.us/oauth/authorize",
        token_endpoint="https://zoom.us/oauth/token",
        userinfo_endpoint="https://api.zoom.us/v2/users/me",
        scopes=scopes,
        token_endpoint_auth_method="client_secret_post",
        pkce=pkce,
        map_profile=map_zoom,
    )
