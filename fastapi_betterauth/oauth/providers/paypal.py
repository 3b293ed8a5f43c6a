"""Log in with PayPal (OAuth 2.0 with PKCE, HTTP Basic at the token endpoint; the identity user-info endpoint).
Subject: `user_id`. The environment defaults to `sandbox`, as in better-auth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ..emails import provider_email
from .base import OAuthProfile, OAuthProvider, claim_is_true


def map_paypal(data: Mapping[str, Any]) -> OAuthProfile:
    return OAuthProfile(
        subject=str(data["user_id"]),
        email=provider_email(data.get("email")),
        email_verified=claim_is_true(data.get("email_verified")),
        name=data.get("name"),
        image=data.get("picture"),
        raw=dict(data),
    )


def PayPal(
    client_id: str,
    client_secret: str,
    *,
    environment: Literal["sandbox", "live"] = "sandbox",
    prompt: str | None = None,
) -> OAuthProvider:
    """Scopes are those enabled on the PayPal app; none are requested."""
    sandbox = environment == "sandbox"
    web = "https://www.sandbox.paypal.com" if sandbox else "https://www.paypal.com"
    api = "https://api-m.sandbox.paypal.com" if sandbox else "https://api-m.paypal.com"
    return OAuthProvider(
        id="paypal",
        name="PayPal",
        client_id=client_id,
        client_secret=client_secret,
        authorization_endpoint=f"{web}/signin/authorize",
        token_endpoint=f"{api}/v1/oauth2/token",
        userinfo_endpoint=f"{api}/v1/identity/oauth2/userinfo?schema=paypalv1.1",
        token_endpoint_auth_method="client_secret_basic",
        authorization_params={"prompt": prompt} if prompt else {},
        map_profile=map_paypal,
    )
