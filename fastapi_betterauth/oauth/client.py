"""Talking to a provider: the code exchange and user info through Authlib's httpx client (docs/design.md#dependencies;
no SessionMiddleware: our state lives in the verification table), or through the provider's own calls where it does
not speak standard OAuth (WeChat, VK ID), and id-token checks with joserfc against the provider's JWKS
(docs/security.md O3, O6): an allow-list of asymmetric algorithms, `iss`, `aud`, `exp`/`iat` and the nonce."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import httpx2 as httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey
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
        self,
        provider: OAuthProvider,
        *,
        code: str,
        code_verifier: str,
        redirect_uri: str,
        extra: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The token response for an authorization code (PKCE verifier included; `extra`: the callback parameters
        the provider wants back, see `OAuthProvider.callback_token_params`)."""
        fields = {**provider.token_params, **(extra or {})}
        if provider.token_call is not None:
            grant = {"grant_type": "authorization_code", "code": code, "code_verifier": code_verifier}
            grant |= {"redirect_uri": redirect_uri, **fields}
            return await self._own_token_call(provider, "invalid_code", grant)
        return await self._token_request(
            provider,
            "invalid_code",
            lambda client: client.fetch_token(
                provider.token_endpoint, code=code, code_verifier=code_verifier, headers=_headers(provider), **fields
            ),
            redirect_uri,
        )

    async def refresh(self, provider: OAuthProvider, refresh_token: str) -> dict[str, Any]:
        """A new token response for a refresh token (which the provider may rotate)."""
        if provider.token_call is not None:
            grant = {"grant_type": "refresh_token", "refresh_token": refresh_token, **provider.token_params}
            return await self._own_token_call(provider, "refresh_failed", grant)
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

    async def _own_token_call(
        self, provider: OAuthProvider, error_code: str, grant: Mapping[str, str]
    ) -> dict[str, Any]:
        """The provider's `token_call`, failing as `_token_request` does."""
        assert provider.token_call is not None
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as http:
                token = await provider.token_call(http, provider, grant)
        except Exception as exc:
            raise ProviderError(error_code, type(exc).__name__) from None
        if not isinstance(token, Mapping) or not token.get("access_token"):
            raise ProviderError(error_code, "no access token")
        return dict(token)

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
        if provider.user_info_call is not None:
            try:
                async with httpx.AsyncClient(timeout=self._timeout) as http:
                    answer = await provider.user_info_call(http, provider, token)
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                raise ProviderError("unable_to_get_user_info", type(exc).__name__) from None
            if not isinstance(answer, Mapping):
                raise ProviderError("unable_to_get_user_info", "not an object")
            return dict(answer)
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

    async def _signed_claims(self, provider: OAuthProvider, id_token: str, *, from_token_endpoint: bool) -> Any:
        """The id token's claims once its origin is established as `provider.id_token_signature` says."""
        if provider.id_token_signature == "client_secret":
            if not provider.client_secret:
                raise ValueError("no client secret to check the id token with")
            return jwt.decode(id_token, OctKey.import_key(provider.client_secret), algorithms=["HS256"]).claims
        if provider.id_token_signature == "token_endpoint":
            if not from_token_endpoint:
                raise ValueError("only an id token from our own code exchange is believed unsigned")
            return json.loads(jws.extract_compact(id_token.encode()).payload)
        if provider.jwks_uri is None:
            raise ValueError("the provider has no JWKS to check id tokens")
        algorithms = [a for a in provider.id_token_algorithms if a != "none" and not a.startswith("HS")]
        try:
            return jwt.decode(id_token, await self._key_set(provider), algorithms=algorithms).claims
        except JoseError:
            return jwt.decode(id_token, await self._key_set(provider, refresh=True), algorithms=algorithms).claims

    async def verify_id_token(
        self,
        provider: OAuthProvider,
        id_token: str,
        *,
        nonce: str | None,
        now: datetime,
        from_token_endpoint: bool = False,
    ) -> dict[str, Any]:
        """The claims of a valid id token from `provider`, else `ProviderError("unable_to_get_user_info")`.
        `from_token_endpoint`: the token came from our own code exchange, not from a client."""
        if provider.issuer is None:
            raise ProviderError("unable_to_get_user_info", "the provider has no issuer to check id tokens")
        try:
            claims = await self._signed_claims(provider, id_token, from_token_endpoint=from_token_endpoint)
            if not isinstance(claims, dict):
                raise ValueError("the id token's claims are not an object")
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
            registry.validate(claims)
        except (JoseError, ValueError) as exc:
            raise ProviderError("unable_to_get_user_info", f"id token: {type(exc).__name__}") from None
        return dict(json.loads(json.dumps(claims)))
