"""Polar (OpenID Connect, read from the user-info endpoint as better-auth does). Subject: `id`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider, claim_is_true


def map_polar(data: Mapping[str, Any]) -> OAuthProfile:
    return OAuthProfile(
        subject=str(data["id"]),
        email=provider_email(data.get("email")),
        email_verified=claim_is_true(data.get("email_verified")),
        name=data.get("public_name") or data.get("username") or None,
        image=data.get("avatar_url"),
        raw=dict(data),
    )


def Polar(
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = ("openid", "profile", "email"),
    prompt: str | None = None,
) -> OAuthProvider:
    return OAuthProvider(
        id="polar",
        name="Polar",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://polar.sh/oauth2/authorize",
        token_endpoint="https://api.polar.sh/v1/oauth2/token",
        userinfo_endpoint="https://api.polar.sh/v1/oauth2/userinfo",
        scopes=scopes,
        openid=False,
        authorization_params={"prompt": prompt} if prompt else {},
        map_profile=map_polar,
    )
