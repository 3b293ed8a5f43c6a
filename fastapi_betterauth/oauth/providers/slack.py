"""Slack (Sign in with Slack, OpenID Connect; read from the user-info endpoint, as better-auth does). Subject: the
`https://slack.com/user_id` claim (`sub` too, but better-auth keys accounts by this one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider, claim_is_true


def map_slack(claims: Mapping[str, Any]) -> OAuthProfile:
    return OAuthProfile(
        subject=str(claims["https://slack.com/user_id"]),
        email=provider_email(claims.get("email")),
        email_verified=claim_is_true(claims.get("email_verified")),
        name=claims.get("name") or None,
        image=claims.get("picture") or claims.get("https://slack.com/user_image_512"),
        raw=dict(claims),
    )


def Slack(
    client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("openid", "profile", "email")
) -> OAuthProvider:
    return OAuthProvider(
        id="slack",
        name="Slack",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://slack.com/openid/connect/authorize",
        token_endpoint="https://slack.com/api/openid.connect.token",
        userinfo_endpoint="https://slack.com/api/openid.connect.userInfo",
        scopes=scopes,
        openid=False,
        map_profile=map_slack,
    )
