"""Amazon Cognito user pools (OpenID Connect; the profile from the id token, as better-auth reads it). Subject: `sub`.
The hosted UI lives at `domain`; id tokens are issued by the pool (`region`, `user_pool_id`) and checked against its
keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .base import OAuthProfile, OAuthProvider, openid_profile


def map_cognito(claims: Mapping[str, Any]) -> OAuthProfile:
    name = claims.get("name") or claims.get("given_name") or claims.get("username") or None
    return replace(openid_profile(claims), name=name)


def Cognito(
    client_id: str,
    client_secret: str | None,
    *,
    domain: str,
    region: str,
    user_pool_id: str,
    scopes: tuple[str, ...] = ("openid", "profile", "email"),
    prompt: str | None = None,
    identity_provider: str | None = None,
) -> OAuthProvider:
    """`domain`: the pool's hosted-UI domain (`auth.example.com` or `<prefix>.auth.<region>.amazoncognito.com`);
    `identity_provider`: go straight to a federated provider (better-auth's `identityProvider`)."""
    if not (domain and region and user_pool_id):
        raise ValueError("cognito needs domain, region and user_pool_id")
    host = domain.removeprefix("https://").removeprefix("http://").rstrip("/")
    pool = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
    params = {"prompt": prompt} if prompt else {}
    if identity_provider:
        params["identity_provider"] = identity_provider
    return OAuthProvider(
        id="cognito",
        name="Cognito",
        client_id=client_id,
        client_secret=client_secret or None,
        authorization_endpoint=f"https://{host}/oauth2/authorize",
        token_endpoint=f"https://{host}/oauth2/token",
        issuer=pool,
        jwks_uri=f"{pool}/.well-known/jwks.json",
        scopes=scopes,
        authorization_params=params,
        map_profile=map_cognito,
    )
