"""Microsoft Entra ID (OpenID Connect). Subject: `oid`, the immutable object id (`sub` differs per application)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider


def map_microsoft(claims: Mapping[str, Any]) -> OAuthProfile:
    email = claims.get("email") or claims.get("preferred_username")
    return OAuthProfile(
        subject=str(claims.get("oid") or claims["sub"]),
        email=provider_email(email),
        # Entra does not vouch for `email` unless the `xms_edov` optional claim says the domain is verified.
        email_verified=claims.get("xms_edov") is True or claims.get("email_verified") is True,
        name=claims.get("name"),
        image=None,
        raw=dict(claims),
    )


def Microsoft(
    client_id: str,
    client_secret: str,
    *,
    tenant: str = "common",
    scopes: tuple[str, ...] = ("openid", "profile", "email", "offline_access"),
) -> OAuthProvider:
    base = f"https://login.microsoftonline.com/{tenant}"
    # A fixed tenant has one issuer; the multi-tenant endpoints issue per-tenant issuers, checked by `tid` later.
    single_tenant = tenant not in ("common", "organizations", "consumers")
    return OAuthProvider(
        id="microsoft",
        name="Microsoft",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint=f"{base}/oauth2/v2.0/authorize",
        token_endpoint=f"{base}/oauth2/v2.0/token",
        userinfo_endpoint="https://graph.microsoft.com/oidc/userinfo",
        issuer=f"{base}/v2.0" if single_tenant else None,
        jwks_uri=f"{base}/discovery/v2.0/keys",
        scopes=scopes,
        map_profile=map_microsoft,
    )
