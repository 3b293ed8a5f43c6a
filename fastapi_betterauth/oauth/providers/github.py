"""GitHub (OAuth 2.0, not OpenID). Subject: the numeric user id. Addresses come from `/user/emails`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_github(data: Mapping[str, Any]) -> OAuthProfile:
    """`data` is `/user`, with `/user/emails` under `emails` when it was fetched."""
    emails = data.get("emails") or []
    primary = next((e for e in emails if e.get("primary")), None) or next(iter(emails), None)
    email = (primary or {}).get("email") or data.get("email")
    verified = bool(primary and primary.get("verified") and primary.get("email") == email)
    return OAuthProfile(
        subject=str(data["id"]),
        email=provider_email(email),
        email_verified=verified,
        name=data.get("name") or data.get("login"),
        image=data.get("avatar_url"),
        raw=dict(data),
    )


def GitHub(
    client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("read:user", "user:email")
) -> OAuthProvider:
    return OAuthProvider(
        id="github",
        name="GitHub",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://github.com/login/oauth/authorize",
        token_endpoint="https://github.com/login/oauth/access_token",
        userinfo_endpoint="https://api.github.com/user",
        email_endpoint="https://api.github.com/user/emails",
        scopes=scopes,
        token_endpoint_auth_method="client_secret_post",
        map_profile=map_github,
    )
