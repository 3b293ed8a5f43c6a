"""LINE Login v2.1 (OpenID Connect-like; the profile from the id token, as better-auth reads it). Subject: the id
token's `sub`. LINE's id tokens from web login are signed with HS256 keyed by the channel secret, and are checked so
(signature, issuer, audience, expiry, nonce); better-auth decodes them unchecked. LINE does not say it has verified
the address: never vouched for, as better-auth."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .base import OAuthProfile, OAuthProvider, openid_profile

ISSUER = "https://access.line.me"


def map_line(claims: Mapping[str, Any]) -> OAuthProfile:
    return replace(openid_profile(claims), email_verified=False)


def Line(
    client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("openid", "profile", "email")
) -> OAuthProvider:
    """`client_id`: the LINE Login channel id; `client_secret`: its channel secret, which also keys the id tokens."""
    if not client_secret:
        raise ValueError("line needs the channel secret: it signs the id tokens")
    return OAuthProvider(
        id="line",
        name="LINE",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://access.line.me/oauth2/v2.1/authorize",
        token_endpoint="https://api.line.me/oauth2/v2.1/token",
        userinfo_endpoint="https://api.line.me/oauth2/v2.1/userinfo",
        issuer=ISSUER,
        id_token_signature="client_secret",
        scopes=scopes,
        map_profile=map_line,
    )
