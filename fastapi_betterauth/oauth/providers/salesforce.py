"""Salesforce (OpenID Connect with PKCE, read from the user-info endpoint as better-auth does). Subject: `user_id`
(`sub` is a URL naming the org and the user)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider, claim_is_true


def map_salesforce(data: Mapping[str, Any]) -> OAuthProfile:
    photos = data.get("photos") or {}
    return OAuthProfile(
        subject=str(data["user_id"]),
        email=provider_email(data.get("email")),
        email_verified=claim_is_true(data.get("email_verified")),
        name=data.get("name"),
        image=photos.get("picture") or photos.get("thumbnail"),
        raw=dict(data),
    )


def Salesforce(
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = ("openid", "email", "profile"),
    environment: Literal["production", "sandbox"] = "production",
    login_url: str | None = None,
) -> OAuthProvider:
    """`login_url`: a My Domain host such as `acme.my.salesforce.com` (better-auth's `loginUrl`), else
    `login.salesforce.com`, or `test.salesforce.com` for the `sandbox` environment."""
    host = login_url or ("test.salesforce.com" if environment == "sandbox" else "login.salesforce.com")
    base = f"https://{host}/services/oauth2"
    return OAuthProvider(
        id="salesforce",
        name="Salesforce",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint=f"{base}/authorize",
        token_endpoint=f"{base}/token",
        userinfo_endpoint=f"{base}/userinfo",
        scopes=scopes,
        openid=False,
        map_profile=map_salesforce,
    )
