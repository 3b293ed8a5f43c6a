"""X / Twitter (OAuth 2.0 with PKCE). Subject: `data.id`.

X's confidential clients authenticate with HTTP Basic at the token endpoint and must still send the PKCE verifier.
The address comes from a second `/2/users/me` call for `confirmed_email` (it needs the `users.email` scope); X only
returns a confirmed address, so it is vouched for. Without one, better-auth's placeholder address stands in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider, placeholder_email

ME = "https://api.x.com/2/users/me"


def map_twitter(data: Mapping[str, Any]) -> OAuthProfile:
    """`data` is `/2/users/me`, with the `confirmed_email` call's answer under `emails` when it succeeded."""
    user = data["data"]
    confirmed = ((data.get("emails") or {}).get("data") or {}).get("confirmed_email")
    return OAuthProfile(
        subject=str(user["id"]),
        email=provider_email(confirmed) if confirmed else placeholder_email(str(user["id"]), "twitter"),
        email_verified=bool(confirmed),
        name=user.get("name"),
        image=user.get("profile_image_url"),
        raw=dict(data),
    )


def Twitter(
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = ("users.read", "tweet.read", "offline.access", "users.email"),
) -> OAuthProvider:
    return OAuthProvider(
        id="twitter",
        name="Twitter",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://x.com/i/oauth2/authorize",
        token_endpoint="https://api.x.com/2/oauth2/token",
        userinfo_endpoint=f"{ME}?user.fields=profile_image_url",
        email_endpoint=f"{ME}?user.fields=confirmed_email",
        scopes=scopes,
        token_endpoint_auth_method="client_secret_basic",
        map_profile=map_twitter,
    )
