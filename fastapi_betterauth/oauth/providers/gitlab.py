"""GitLab (gitlab.com or self-hosted; OAuth 2.0 with `/api/v4/user`). Subject: the numeric user id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_gitlab(data: Mapping[str, Any]) -> OAuthProfile:
    email = data.get("email")
    return OAuthProfile(
        subject=str(data["id"]),
        email=provider_email(email),
        email_verified=bool(data.get("confirmed_at")),
        name=data.get("name") or data.get("username"),
        image=data.get("avatar_url"),
        raw=dict(data),
    )


def GitLab(
    client_id: str,
    client_secret: str,
    *,
    base_url: str = "https://gitlab.com",
    scopes: tuple[str, ...] = ("read_user",),
) -> OAuthProvider:
    base = base_url.rstrip("/")
    return OAuthProvider(
        id="gitlab",
        name="GitLab",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint=f"{base}/oauth/authorize",
        token_endpoint=f"{base}/oauth/token",
        userinfo_endpoint=f"{base}/api/v4/user",
        scopes=scopes,
        map_profile=map_gitlab,
    )
