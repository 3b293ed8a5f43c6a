"""Railway (OpenID Connect with PKCE and HTTP Basic at the token endpoint; read from `/oauth/me` as better-auth does).
Subject: `sub`. The address is not vouched for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .base import OAuthProfile, OAuthProvider, openid_profile


def map_railway(claims: Mapping[str, Any]) -> OAuthProfile:
    return replace(openid_profile(claims), email_verified=False)


def Railway(
    client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("openid", "email", "profile")
) -> OAuthProvider:
    return OAuthProvider(
        id="railway",
        name="Railway",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://backboard.railway.com/oauth/auth",
        token_endpoint="https://backboard.railway.com/oauth/token",
        userinfo_endpoint="https://backboard.railway.com/oauth/me",
        scopes=scopes,
        openid=False,
        token_endpoint_auth_method="client_secret_basic",
        map_profile=map_railway,
    )
