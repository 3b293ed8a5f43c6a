"""LinkedIn (Sign In with LinkedIn using OpenID Connect; read from the user-info endpoint, as better-auth does).
Subject: `sub`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import OAuthProfile, OAuthProvider, openid_profile


def map_linkedin(claims: Mapping[str, Any]) -> OAuthProfile:
    return openid_profile(claims)


def LinkedIn(
    client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("profile", "email", "openid")
) -> OAuthProvider:
    return OAuthProvider(
        id="linkedin",
        name="Linkedin",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://www.linkedin.com/oauth/v2/authorization",
        token_endpoint="https://www.linkedin.com/oauth/v2/accessToken",
        userinfo_endpoint="https://api.linkedin.com/v2/userinfo",
        scopes=scopes,
        openid=False,
        map_profile=map_linkedin,
    )
