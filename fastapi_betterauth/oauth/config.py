"""Providers from settings: built-ins whose credentials are set, and generic OpenID Connect providers, whose
discovery documents are fetched (and their issuers checked) when the app starts."""

from __future__ import annotations

from dataclasses import replace

import httpx2 as httpx

from ..settings import OIDCProviderSettings, ProviderCredentials, SocialSettings
from .providers import Apple, Discord, GitHub, GitLab, Google, Microsoft, OAuthProvider, oidc_from_discovery
from .providers.oidc import DiscoveryError

DISCOVERY_TIMEOUT_SECONDS = 10.0


def _secret(credentials: ProviderCredentials) -> str:
    return credentials.client_secret.get_secret_value() if credentials.client_secret is not None else ""


def builtin_providers(settings: SocialSettings) -> list[OAuthProvider]:
    """The built-in providers configured in the settings."""
    found: list[OAuthProvider] = []
    for factory, credentials in (
        (GitHub, settings.github),
        (Google, settings.google),
        (Discord, settings.discord),
        (Apple, settings.apple),
    ):
        if credentials is not None:
            found.append(_with_options(factory(credentials.client_id, _secret(credentials)), credentials))
    if settings.microsoft is not None:
        ms = settings.microsoft
        found.append(_with_options(Microsoft(ms.client_id, _secret(ms), tenant=ms.tenant), ms))
    if settings.gitlab is not None:
        gl = settings.gitlab
        found.append(_with_options(GitLab(gl.client_id, _secret(gl), base_url=gl.base_url), gl))
    return found


def _with_options(provider: OAuthProvider, options: ProviderCredentials | OIDCProviderSettings) -> OAuthProvider:
    return replace(provider, override_user_info_on_sign_in=options.override_user_info_on_sign_in)


async def discover(configured: OIDCProviderSettings) -> OAuthProvider:
    """Fetch a provider's discovery document and build it; `DiscoveryError` when unreachable or untrustworthy."""
    try:
        async with httpx.AsyncClient(timeout=DISCOVERY_TIMEOUT_SECONDS) as http:
            response = await http.get(configured.discovery_url)
            response.raise_for_status()
            document = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise DiscoveryError(f"{configured.id}: cannot read {configured.discovery_url}: {type(exc).__name__}") from None
    provider = oidc_from_discovery(
        configured.id,
        document,
        discovery_url=configured.discovery_url,
        client_id=configured.client_id,
        client_secret=configured.client_secret.get_secret_value() if configured.client_secret else None,
        scopes=tuple(configured.scopes),
        name=configured.name,
        token_endpoint_auth_method=configured.token_endpoint_auth_method,
    )
    return _with_options(provider, configured)
