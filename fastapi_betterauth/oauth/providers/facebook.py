"""Facebook (OAuth 2.0 with the Graph API's `/me`). Subject: the app-scoped user id. Facebook never says an address
is verified, so better-auth (and we) do not vouch for it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider

GRAPH = "https://graph.facebook.com/v24.0"


def map_facebook(data: Mapping[str, Any]) -> OAuthProfile:
    picture = ((data.get("picture") or {}).get("data") or {}).get("url")
    return OAuthProfile(
        subject=str(data["id"]),
        email=provider_email(data.get("email")),
        email_verified=data.get("email_verified") is True,
        name=data.get("name"),
        image=picture,
        raw=dict(data),
    )


def Facebook(
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = ("email", "public_profile"),
    fields: Sequence[str] = (),
    config_id: str | None = None,
) -> OAuthProvider:
    """`fields`: more Graph fields of `/me` (better-auth's `fields`); `config_id`: a Facebook Login for Business
    configuration (`configId`)."""
    wanted = ",".join(dict.fromkeys(("id", "name", "email", "picture", *fields)))
    return OAuthProvider(
        id="facebook",
        name="Facebook",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://www.facebook.com/v24.0/dialog/oauth",
        token_endpoint=f"{GRAPH}/oauth/access_token",
        userinfo_endpoint=f"https://graph.facebook.com/me?fields={wanted}",
        scopes=scopes,
        authorization_params={"config_id": config_id} if config_id else {},
        map_profile=map_facebook,
    )
