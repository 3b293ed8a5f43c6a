"""Linear (OAuth 2.0; who the user is comes from the GraphQL API's `viewer`). Subject: the viewer's `id`. The address
is not vouched for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider

VIEWER_QUERY = "query { viewer { id name email avatarUrl active createdAt updatedAt } }"


def map_linear(data: Mapping[str, Any]) -> OAuthProfile:
    viewer = data["data"]["viewer"]
    return OAuthProfile(
        subject=str(viewer["id"]),
        email=provider_email(viewer.get("email")),
        email_verified=False,
        name=viewer.get("name"),
        image=viewer.get("avatarUrl"),
        raw=dict(viewer),
    )


def Linear(client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("read",)) -> OAuthProvider:
    return OAuthProvider(
        id="linear",
        name="Linear",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://linear.app/oauth/authorize",
        token_endpoint="https://api.linear.app/oauth/token",
        userinfo_endpoint="https://api.linear.app/graphql",
        userinfo_method="POST",
        userinfo_json={"query": VIEWER_QUERY},
        scopes=scopes,
        map_profile=map_linear,
    )
