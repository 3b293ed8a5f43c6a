"""Any OpenID Connect provider, from its discovery document (docs/security.md O4: the document's `issuer` must be the
one its URL names, so a tampered or mixed-up discovery cannot redirect the flow)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import AuthMethod, OAuthProvider, ProfileMapper, openid_profile

WELL_KNOWN = "/.well-known/openid-configuration"


class DiscoveryError(ValueError):
    """The discovery document is unusable or names another issuer."""


def issuer_of(discovery_url: str) -> str:
    if not discovery_url.endswith(WELL_KNOWN):
        raise DiscoveryError(f"a discovery URL ends with {WELL_KNOWN}: {discovery_url}")
    return discovery_url.removesuffix(WELL_KNOWN)


def oidc_from_discovery(
    provider_id: str,
    document: Mapping[str, Any],
    *,
    discovery_url: str,
    client_id: str,
    client_secret: str | None,
    scopes: tuple[str, ...] = ("openid", "email", "profile"),
    name: str | None = None,
    map_profile: ProfileMapper = openid_profile,
    token_endpoint_auth_method: AuthMethod | None = None,
) -> OAuthProvider:
    """A provider from a fetched discovery document; refuses a document whose issuer is not the expected one or that
    lacks S256 PKCE, the endpoints or the JWKS.

    `token_endpoint_auth_method`: how the client authenticates at the token endpoint, as registered at the provider
    (better-auth's generic OAuth `tokenEndpointAuth` / `authentication`). Default: `client_secret_post` with a secret,
    `none` without, as better-auth; the document's `token_endpoint_auth_methods_supported` does not change it. A
    method that does not fit the secret is a `ValueError` (better-auth refuses it at start too)."""
    if token_endpoint_auth_method in ("client_secret_basic", "client_secret_post") and not client_secret:
        raise ValueError(
            f"{provider_id}: token_endpoint_auth_method {token_endpoint_auth_method} needs a client secret"
        )
    if token_endpoint_auth_method == "none" and client_secret:
        raise ValueError(f"{provider_id}: token_endpoint_auth_method none cannot have a client secret")
    expected = issuer_of(discovery_url)
    if document.get("issuer") != expected:
        raise DiscoveryError(f"discovery names issuer {document.get('issuer')!r}, expected {expected!r}")
    methods = document.get("code_challenge_methods_supported")
    if methods is not None and "S256" not in methods:
        raise DiscoveryError("the provider does not support PKCE S256")
    try:
        authorization, token, jwks = (
            document["authorization_endpoint"],
            document["token_endpoint"],
            document["jwks_uri"],
        )
    except KeyError as missing:
        raise DiscoveryError(f"discovery lacks {missing}") from None
    algorithms = tuple(document.get("id_token_signing_alg_values_supported") or ("RS256",))
    return OAuthProvider(
        id=provider_id,
        name=name or provider_id,
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint=str(authorization),
        token_endpoint=str(token),
        userinfo_endpoint=document.get("userinfo_endpoint"),
        issuer=expected,
        jwks_uri=str(jwks),
        sends_iss=document.get("authorization_response_iss_parameter_supported") is True,
        # Never "none": an id token must be signed with an asymmetric key the JWKS publishes.
        id_token_algorithms=tuple(a for a in algorithms if a != "none" and not a.startswith("HS")) or ("RS256",),
        token_endpoint_auth_method=token_endpoint_auth_method,
        scopes=scopes,
        map_profile=map_profile,
    )
