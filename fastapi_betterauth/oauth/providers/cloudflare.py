"""Cloudflare (OAuth 2.0 with PKCE). Cloudflare's OpenID user-info holds only `sub`, so the profile comes from the
API's `/client/v4/user` (scope `user-details.read`), as in better-auth. Subject: the user `id`. The address is not
vouched for. HTTP Basic at the token endpoint with a secret, a public client (`none`) without."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import AuthMethod, OAuthProfile, OAuthProvider


def map_cloudflare(data: Mapping[str, Any]) -> OAuthProfile:
    if data.get("success") is not True or not data.get("result"):
        raise ValueError("cloudflare answered without a result")
    user = data["result"]
    name = " ".join(part for part in (user.get("first_name"), user.get("last_name")) if part) or user.get("email")
    return OAuthProfile(
        subject=str(user["id"]),
        email=provider_email(user.get("email")),
        email_verified=False,
        name=name,
        image=None,
        raw=dict(user),
    )


def Cloudflare(
    client_id: str,
    client_secret: str | None,
    *,
    scopes: tuple[str, ...] = ("user-details.read",),
    token_endpoint_auth_method: AuthMethod | None = None,
) -> OAuthProvider:
    method: AuthMethod = token_endpoint_auth_method or ("client_secret_basic" if client_secret else "none")
    return OAuthProvider(
        id="cloudflare",
        name="Cloudflare",
        client_id=client_id,
        client_secret=client_secret or None,
        authorization_endpoint="https://dash.cloudflare.com/oauth2/auth",
        token_endpoint="https://dash.cloudflare.com/oauth2/token",
        userinfo_endpoint="https://api.cloudflare.com/client/v4/user",
        scopes=scopes,
        token_endpoint_auth_method=method,
        map_profile=map_cloudflare,
    )
