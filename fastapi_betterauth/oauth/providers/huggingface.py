"""Hugging Face (OpenID Connect, read from the user-info endpoint as better-auth does). Subject: `sub`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .base import OAuthProfile, OAuthProvider, openid_profile


def map_huggingface(claims: Mapping[str, Any]) -> OAuthProfile:
    profile = openid_profile(claims)
    if profile.name is None and claims.get("preferred_username"):
        return replace(profile, name=str(claims["preferred_username"]))
    return profile


def HuggingFace(
    client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("openid", "profile", "email")
) -> OAuthProvider:
    return OAuthProvider(
        id="huggingface",
        name="Hugging Face",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://huggingface.co/oauth/authorize",
        token_endpoint="https://huggingface.co/oauth/token",
        userinfo_endpoint="https://huggingface.co/oauth/userinfo",
        scopes=scopes,
        openid=False,
        map_profile=map_huggingface,
    )
