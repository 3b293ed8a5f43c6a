"""Kakao (OAuth 2.0, `/v2/user/me`). Subject: the numeric user `id`. The address is vouched for when Kakao says it
is both valid and verified."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_kakao(data: Mapping[str, Any]) -> OAuthProfile:
    account = data.get("kakao_account") or {}
    profile = account.get("profile") or {}
    return OAuthProfile(
        subject=str(data["id"]),
        email=provider_email(account.get("email")),
        email_verified=account.get("is_email_valid") is True and account.get("is_email_verified") is True,
        name=profile.get("nickname") or account.get("name") or None,
        image=profile.get("profile_image_url") or profile.get("thumbnail_image_url"),
        raw=dict(data),
    )


def Kakao(
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = ("account_email", "profile_image", "profile_nickname"),
) -> OAuthProvider:
    return OAuthProvider(
        id="kakao",
        name="Kakao",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://kauth.kakao.com/oauth/authorize",
        token_endpoint="https://kauth.kakao.com/oauth/token",
        userinfo_endpoint="https://kapi.kakao.com/v2/user/me",
        scopes=scopes,
        map_profile=map_kakao,
    )
