"""Google (OpenID Connect). Subject: `sub`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import OAuthProfile, OAuthProvider, openid_profile


def map_google(claims: Mapping[str, Any]) -> OAuthProfile:
    return openid_profile(claims)


def Google(
    client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("openid", "email", "profile")
) -> OAuthProvider:
    return OAuthProvider(
        id="google",
        name="Google",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://accounts.google.com/o/oauth2/v2/auth",
        token_endpoint="https://oauth2.googleapis.com/token",
        userinfo_endpoint="https://openidconnect.googleapis.com/v1/userinfo",
        issuer="https://accounts.google.com",
        jwks_uri="https://www.googleapis.com/oauth2/v3/certs",
        scopes=scopes,
        authorization_params={"include_granted_scopes": "true"},
        map_profile=map_google,
    )
