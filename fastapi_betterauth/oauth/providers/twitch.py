"""Twitch (OpenID Connect; everything from the id token, whose claims are asked for with the `claims` parameter).
Subject: `sub`. better-auth decodes the id token without checking it; here its signature, issuer, audience and nonce
are checked against Twitch's keys like every id token (docs/security.md O3)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from .base import OAuthProfile, OAuthProvider, openid_profile

DEFAULT_CLAIMS = ("email", "email_verified", "preferred_username", "picture")


def map_twitch(claims: Mapping[str, Any]) -> OAuthProfile:
    return replace(openid_profile(claims), name=claims.get("preferred_username") or None)


def claims_parameter(claims: Sequence[str]) -> str:
    """The `claims` request parameter as better-auth builds it: the id token's email claims, then these, all null."""
    wanted = dict.fromkeys(("email", "email_verified", *claims))
    return json.dumps({"id_token": wanted}, separators=(",", ":"))


def Twitch(
    client_id: str,
    client_secret: str,
    *,
    scopes: tuple[str, ...] = ("user:read:email", "openid"),
    claims: Sequence[str] = DEFAULT_CLAIMS,
) -> OAuthProvider:
    return OAuthProvider(
        id="twitch",
        name="Twitch",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://id.twitch.tv/oauth2/authorize",
        token_endpoint="https://id.twitch.tv/oauth2/token",
        issuer="https://id.twitch.tv/oauth2",
        jwks_uri="https://id.twitch.tv/oauth2/keys",
        scopes=scopes,
        authorization_params={"claims": claims_parameter(claims)},
        map_profile=map_twitch,
    )
