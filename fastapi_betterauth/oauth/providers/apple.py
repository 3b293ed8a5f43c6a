"""Sign in with Apple (OpenID Connect; no user-info endpoint, everything is in the id token). Subject: `sub`.

Apple sends the name only on the first authorization, as a form field, and posts the callback (`form_post`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider, claim_is_true


def map_apple(claims: Mapping[str, Any]) -> OAuthProfile:
    return OAuthProfile(
        subject=str(claims["sub"]),
        email=provider_email(claims.get("email")),
        email_verified=claim_is_true(claims.get("email_verified")),
        name=None,
        image=None,
        raw=dict(claims),
    )


def Apple(
    client_id: str, client_secret: str, *, scopes: tuple[str, ...] = ("openid", "name", "email")
) -> OAuthProvider:
    """`client_secret` is the ES256 JWT Apple asks for, made from your key (it expires: rotate it)."""
    return OAuthProvider(
        id="apple",
        name="Apple",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint="https://appleid.apple.com/auth/authorize",
        token_endpoint="https://appleid.apple.com/auth/token",
        issuer="https://appleid.apple.com",
        jwks_uri="https://appleid.apple.com/auth/keys",
        scopes=scopes,
        token_endpoint_auth_method="client_secret_post",
        authorization_params={"response_mode": "form_post"},
        map_profile=map_apple,
    )
