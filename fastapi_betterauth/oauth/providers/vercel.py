"""Sign in with Vercel (OAuth 2.0 with PKCE, user-info endpoint; scopes are set on the app). Subject: `sub`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .base import AuthMethod, OAuthProfile, OAuthProvider, openid_profile


def map_vercel(claims: Mapping[str, Any]) -> OAuthProfile:
    profile = openid_profile(claims)
    if profile.name is None and claims.get("preferred_username"):
        return replace(profile, name=str(claims["preferred_username"]))
    return profile


def Vercel(
    client_id: str,
    client_secret: str | None,
    *,
    scopes: tuple[str, ...] = (),
    token_endpoint_auth_method: AuthMethod | None = None,
) -> OAuthProvider:
    """A public client has no secret (`none`); better-auth's `tokenEndpointAuth.method` otherwise."""
    if token_endpoint_auth_method in ("client_secret_basic", "client_secret_post") and not client_secret:
        raise ValueError(f"vercel: token_endpoint_auth_method {token_endpoint_auth_method} needs a client secret")
    if token_endpoint_auth_method == "none" and client_secret:
        raise ValueError("vercel: token_endpoint_auth_method none cannot have a client secret")
    return OAuthProvider(
        id="vercel",
        name="Vercel",
        client_id=client_id,
        client_secret=client_secret or None,
        authorization_endpoint="https://vercel.com/oauth/authorize",
        token_endpoint="https://api.vercel.com/login/oauth/token",
        userinfo_endpoint="https://api.vercel.com/login/oauth/userinfo",
        scopes=scopes,
        openid=False,
        token_endpoint_auth_method=token_endpoint_auth_method,
        map_profile=map_vercel,
    )
