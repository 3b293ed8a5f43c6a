"""Naver (OAuth 2.0, `/v1/nid/me`, whose answer is wrapped in `response`). Subject: `response.id`. The address is not
vouched for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_naver(data: Mapping[str, Any]) -> OAuthProfile:
    if data.get("resultcode") != "00":
        raise ValueError(f"naver answered resultcode {data.get('resultcode')!r}")
    user = data["response"]
    return OAuthProfile(
        subject=str(user["id"]),
        email=provider_email(user.get("email")),
        email_verified=False,
        name=user.get("name") or user.get("nickname") or None,
        image=user.get("profile_image"),
        raw=dict(data),
    )


def Naver(client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("profile", "email")) -> OAuthProvider:
    return OAuthProvider(
        id="naver",
        name="Naver",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://nid.naver.com/oauth2.0/authorize",
        token_endpoint="https://nid.naver.com/oauth2.0/token",
        userinfo_endpoint="https://openapi.naver.com/v1/nid/me",
        scopes=scopes,
        map_profile=map_naver,
    )
