"""Notion (OAuth 2.0 for public integrations; `/v1/users/me` answers with the bot, whose owner is the person).
Subject: the owner's user id. The address is not vouched for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_notion(data: Mapping[str, Any]) -> OAuthProfile:
    user = data["bot"]["owner"]["user"]
    return OAuthProfile(
        subject=str(user["id"]),
        email=provider_email((user.get("person") or {}).get("email")),
        email_verified=False,
        name=user.get("name") or None,
        image=user.get("avatar_url"),
        raw=dict(user),
    )


def Notion(client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ()) -> OAuthProvider:
    return OAuthProvider(
        id="notion",
        name="Notion",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://api.notion.com/v1/oauth/authorize",
        token_endpoint="https://api.notion.com/v1/oauth/token",
        userinfo_endpoint="https://api.notion.com/v1/users/me",
        scopes=scopes,
        token_endpoint_auth_method="client_secret_basic",
        authorization_params={"owner": "user"},
        userinfo_headers={"Notion-Version": "2022-06-28"},
        map_profile=map_notion,
    )
