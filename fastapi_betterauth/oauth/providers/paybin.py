"""Paybin (OpenID Connect; the profile from the id token, as better-auth reads it). Subject: `sub`.

Paybin publishes no key set, and better-auth decodes its id token unchecked. Here the id token is believed only when
it came straight from Paybin's token endpoint to our own code exchange over TLS (OpenID Connect Core §3.1.3.7), and
its issuer, audience, expiry and nonce must still be right; an id token a client hands in is refused
(`ID_TOKEN_NOT_SUPPORTED`), as better-auth has no way to check it either. The address is vouched for by
`email_verified`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .base import OAuthProfile, OAuthProvider, openid_profile

DEFAULT_ISSUER = "https://idp.paybin.io"


def map_paybin(claims: Mapping[str, Any]) -> OAuthProfile:
    profile = openid_profile(claims)
    return replace(profile, name=profile.name or claims.get("preferred_username") or None)


def Paybin(
    client_id: str,
    client_secret: str,
    *,
    issuer: str = DEFAULT_ISSUER,
    scopes: tuple[str, ...] = ("openid", "email", "profile"),
    prompt: str | None = None,
) -> OAuthProvider:
    """`issuer`: Paybin's identity provider (better-auth's `issuer`), whose `/oauth2/*` endpoints are used."""
    if not client_id or not client_secret:
        raise ValueError("paybin needs a client id and a client secret")
    issuer = issuer.rstrip("/")
    return OAuthProvider(
        id="paybin",
        name="Paybin",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint=f"{issuer}/oauth2/authorize",
        token_endpoint=f"{issuer}/oauth2/token",
        issuer=issuer,
        id_token_signature="token_endpoint",
        scopes=scopes,
        authorization_params={"prompt": prompt} if prompt else {},
        map_profile=map_paybin,
    )
