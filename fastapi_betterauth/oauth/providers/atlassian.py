"""Atlassian (OAuth 2.0 (3LO) with PKCE, `api.atlassian.com/me`). Subject: `account_id`. The address is not vouched
for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_atlassian(data: Mapping[str, Any]) -> OAuthProfile:
    return OAuthProfile(
        subject=str(data["account_id"]),
        email=provider_email(data.get("email")),
        email_verified=False,
        name=data.get("name"),
        image=data.get("picture"),
        raw=dict(data),
    )


def Atlassian(
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = ("read:jira-user", "offline_access"),
    prompt: str | None = None,
) -> OAuthProvider:
    params = {"audience": "api.atlassian.com"} | ({"prompt": prompt} if prompt else {})
    return OAuthProvider(
        id="atlassian",
        name="Atlassian",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://auth.atlassian.com/authorize",
        token_endpoint="https://auth.atlassian.com/oauth/token",
        userinfo_endpoint="https://api.atlassian.com/me",
        scopes=scopes,
        authorization_params=params,
        map_profile=map_atlassian,
    )
