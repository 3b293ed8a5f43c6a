"""Talking to a provider: the code exchange and user info through Authlib's httpx client (docs/design.md#dependencies;
no SessionMiddleware: our state lives in the verification table), and id-token checks with joserfc against the
provider's JWKS (docs/security.md O3, O6): an allow-list of asymmetric algorithms, `iss`, `aud`, `exp`/`iat` and the
nonce."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import httpx2 as httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from .providers.base import OAuthProvider

ID_TOKEN_LEEWAY_SECONDS = 60
_JSON = {"Accept": "application/json"}
JWKS_TTL_SECONDS = 3600


class ProviderError(Exception):
    """The provider refused or answered something unusable; `code` is the callback error code to report."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


def _headers(provider: OAuthProvider) -> dict[str, str]:
    return {**provider.token_headers, **_JSON}


class ProviderClient:
    """HTTP to providers, with a JWKS cache (refetched once when an id token names an unknown key)."""

    def __init__(self, timeout: float = 10.0) -> None:
        self._timeout = timeout
        self._jwks: dict[str, tuple[KeySet, float]] = {}

    def _oauth(self, provider: OAuthProvider, redirect_uri: str | None = None) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            token_endpoint_auth_method=provider.token_auth_method,
            redirect_uri=redirect_uri,
            timeout=self._timeout,
        )

    async def exchange_code(
        self, provider: OAuthProvider, *, code: str, code_verifier: str, redirect_uri: str
    ) -> dict[str, Any]:
        """The token response for an authorization code (PKCE verifier included)."""
        return await self._token_request(
            provider,
            "invalid_code",
            lambda client: client.fetch_token(
                provider.token_endpoint,
                code=code,
                code_verifier=code_verifier,
                headers=_headers(provider),
                **provider.token_params,
            ),
            redirect_uri,
        )

    async def refresh(self, provider: OAuthProvider, refresh_token: str) -> dict[str, Any]:
        """A new token response for a refresh token (which the provider may rotate)."""
        return await self._token_request(
            provider,
            "refresh_failed",
            lambda client: client.refresh_token(
                provider.token_endpoint,
                refresh_token=refresh_token,
                headers=_headers(provider),
                **provider.token_params,
            ),
        )

    async def _token_request(
        self,
        provider: OAuthProvider,
        error_code: str,
        call: Callable[[AsyncOAuth2Client], Awaitable[Any]],
        redirect_uri: str | None = None,
    ) -> dict[str, Any]:
        """One token-endpoint call; every failure (Authlib's OAuthError, httpx transport errors, a response without
        an access token) is `ProviderError(error_code)`."""
        try:
            async with self._oauth(provider, redirect_uri) as client:
                token = await call(client)
        except Exception as exc:
            raise ProviderError(error_code, type(exc).__name__) from None
        if not isinstance(token, Mapping) or "access_token" not in token:
            raise ProviderError(error_code, "no access token")
        return dict(token)

    async def user_info(self, provider: OAuthProvider, token: Mapping[str, Any]) -> dict[str, Any]:
        """The user-info document (and GitHub-style address list), or {} for providers without one."""
        if provider.userinfo_endpoint is None:
            return {}
        headers = {
            **provider.userinfo_headers,
            "Authorization": f"Bearer {token['access_token']}",
            "Accept": "application/json",
        }
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as http:
                response = await http.request(
                    provider.userinfo_method, provider.userinfo_endpoint, headers=headers, json=provider.userinfo_json
                )
                response.raise_for_status()
                data: dict[str, Any] = response.json()
                if provider.email_endpoint is not None:
                    emails = await http.get(provider.email_endpoint, headers=headers)
                    if emails.status_code == 200:
                        data["emails"] = emails.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderError("unable_to_get_user_info", type(exc).__name__) from None
        if not isinstance(data, dict):
            raise ProviderError("unable_to_get_user_info", "not an object")
        return data

    async def _key_set(self, provider: OAuthProvider, *, refresh: bool = False) -> KeySet:
        assert provider.jwks_uri is not None
        cached = self._jwks.get(provider.jwks_uri)
        if cached is not None and not refresh and time.monotonic() - cached[1] < JWKS_TTL_SECONDS:
            return cached[0]
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as http:
                response = await http.get(provider.jwks_uri)
                response.raise_for_status()
                keys = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError) as exc:
            raise ProviderError("unable_to_get_user_info", f"jwks: {type(exc).__name__}") from None
        self._jwks[provider.jwks_uri] = (keys, time.monotonic())
        return keys

    async def verify_id_token(
        self, provider: OAuthProvider, id_token: str, *, nonce: str | None, now: datetime
    ) -> dict[str, Any]:
        """The claims of a valid id token from `provider`, else `ProviderError("unable_to_get_user_info")`."""
        if provider.jwks_uri is None or provider.issuer is None:
            raise ProviderError("unable_to_get_user_info", "the provider has no issuer or JWKS to check id tokens")
        algorithms = [a for a in provider.id_token_algorithms if a != "none" and not a.startswith("HS")]
        try:
            try:
                token = jwt.decode(id_token, await self._key_set(provider), algorithms=algorithms)
            except JoseError:
                token = jwt.decode(id_token, await self._key_set(provider, refresh=True), algorithms=algorithms)
            options: dict[str, Any] = {
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
                "exp": {"essential": True},
                "iat": {"essential": True},
                "sub": {"essential": True},
            }
            if nonce is not None:
                options["nonce"] = {"essential": True, "value": nonce}
            registry = JWTClaimsRegistry(now=int(now.timestamp()), leeway=ID_TOKEN_LEEWAY_SECONDS, **options)
            registry.validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise ProviderError("unable_to_get_user_info", f"id token: {type(exc).__name__}") from None
        return dict(json.loads(json.dumps(token.claims)))
