"""Providers from settings: built-ins whose credentials are set, and generic OpenID Connect providers, whose
discovery documents are fetched (and their issuers checked) when the app starts.

A provider whose discovery cannot be fetched at start-up (the IdP is down) does not stop the app: it waits in
`PendingDiscovery`, answers `PROVIDER_NOT_FOUND` meanwhile, and discovery is tried again by each request that names
it, until one finds the IdP up (better-auth's generic OAuth does the same). A document that can be fetched but
not trusted (another issuer, no S256, no JWKS) is a configuration error and stops start-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import httpx2 as httpx

from ..settings import OIDCProviderSettings, ProviderCredentials, SocialSettings
from .providers import (
    VK,
    Apple,
    Atlassian,
    Cloudflare,
    Cognito,
    Discord,
    Dropbox,
    Facebook,
    Figma,
    GitHub,
    GitLab,
    Google,
    HuggingFace,
    Kakao,
    Kick,
    Line,
    Linear,
    LinkedIn,
    Microsoft,
    Naver,
    Notion,
    OAuthProvider,
    Paybin,
    PayPal,
    Polar,
    Railway,
    Reddit,
    Roblox,
    Salesforce,
    Slack,
    Spotify,
    TikTok,
    Twitch,
    Twitter,
    Vercel,
    WeChat,
    Zoom,
    oidc_from_discovery,
)
from .providers.oidc import DiscoveryError

DISCOVERY_TIMEOUT_SECONDS = 10.0

logger = logging.getLogger("fastapi_betterauth.oauth")


class DiscoveryUnavailable(DiscoveryError):
    """The discovery document could not be fetched (unreachable, an error status, not JSON)."""


def _secret(credentials: ProviderCredentials) -> str:
    return credentials.client_secret.get_secret_value() if credentials.client_secret is not None else ""


def _plain(factory: Callable[[str, str], OAuthProvider]) -> Callable[[Any], OAuthProvider]:
    return lambda credentials: factory(credentials.client_id, _secret(credentials))


BUILTIN: dict[str, Callable[[Any], OAuthProvider]] = {
    "apple": _plain(Apple),
    "atlassian": lambda c: Atlassian(c.client_id, _secret(c), prompt=c.prompt),
    "cloudflare": lambda c: Cloudflare(
        c.client_id, _secret(c) or None, token_endpoint_auth_method=c.token_endpoint_auth_method
    ),
    "cognito": lambda c: Cognito(
        c.client_id,
        _secret(c) or None,
        domain=c.domain,
        region=c.region,
        user_pool_id=c.user_pool_id,
        prompt=c.prompt,
        identity_provider=c.identity_provider,
    ),
    "discord": _plain(Discord),
    "dropbox": lambda c: Dropbox(c.client_id, _secret(c), access_type=c.access_type),
    "facebook": lambda c: Facebook(c.client_id, _secret(c), fields=c.fields, config_id=c.config_id),
    "figma": _plain(Figma),
    "github": _plain(GitHub),
    "gitlab": lambda c: GitLab(c.client_id, _secret(c), base_url=c.base_url),
    "google": _plain(Google),
    "huggingface": _plain(HuggingFace),
    "kakao": _plain(Kakao),
    "kick": _plain(Kick),
    "line": _plain(Line),
    "linear": _plain(Linear),
    "linkedin": _plain(LinkedIn),
    "microsoft": lambda c: Microsoft(c.client_id, _secret(c), tenant=c.tenant),
    "naver": _plain(Naver),
    "notion": _plain(Notion),
    "paybin": lambda c: Paybin(c.client_id, _secret(c), issuer=c.issuer, prompt=c.prompt),
    "paypal": lambda c: PayPal(c.client_id, _secret(c), environment=c.environment, prompt=c.prompt),
    "polar": lambda c: Polar(c.client_id, _secret(c), prompt=c.prompt),
    "railway": _plain(Railway),
    "reddit": lambda c: Reddit(c.client_id, _secret(c), duration=c.duration),
    "roblox": lambda c: Roblox(c.client_id, _secret(c), prompt=c.prompt or "select_account consent"),
    "salesforce": lambda c: Salesforce(c.client_id, _secret(c), environment=c.environment, login_url=c.login_url),
    "slack": _plain(Slack),
    "spotify": _plain(Spotify),
    "tiktok": lambda c: TikTok(c.client_key, _secret(c)),
    "twitch": _plain(Twitch),
    "twitter": _plain(Twitter),
    "vercel": lambda c: Vercel(
        c.client_id, _secret(c) or None, token_endpoint_auth_method=c.token_endpoint_auth_method
    ),
    "vk": _plain(VK),
    "wechat": lambda c: WeChat(c.client_id, _secret(c), lang=c.lang),
    "zoom": lambda c: Zoom(c.client_id, _secret(c), pkce=c.pkce),
}
"""Every built-in provider by id (the `social.<id>` setting), building it from its credentials and options."""


def builtin_providers(settings: SocialSettings) -> list[OAuthProvider]:
    """The built-in providers configured in the settings."""
    found: list[OAuthProvider] = []
    for provider_id, build in BUILTIN.items():
        credentials: ProviderCredentials | None = getattr(settings, provider_id)
        if credentials is not None:
            found.append(_with_options(build(credentials), credentials))
    return found


def _with_options(provider: OAuthProvider, options: ProviderCredentials | OIDCProviderSettings) -> OAuthProvider:
    if isinstance(options, ProviderCredentials) and options.redirect_uri:
        provider = replace(provider, redirect_uri=options.redirect_uri)
    return replace(provider, override_user_info_on_sign_in=options.override_user_info_on_sign_in)


async def discover(configured: OIDCProviderSettings) -> OAuthProvider:
    """Fetch a provider's discovery document and build it; `DiscoveryUnavailable` when it cannot be fetched,
    `DiscoveryError` when it cannot be trusted."""
    try:
        async with httpx.AsyncClient(timeout=DISCOVERY_TIMEOUT_SECONDS) as http:
            response = await http.get(configured.discovery_url)
            response.raise_for_status()
            document = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        message = f"{configured.id}: cannot read {configured.discovery_url}: {type(exc).__name__}"
        raise DiscoveryUnavailable(message) from None
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


class PendingDiscovery:
    """Generic OpenID Connect providers not discovered yet; discovered ones go into the shared `providers` map."""

    def __init__(self, providers: dict[str, OAuthProvider]) -> None:
        self._providers = providers
        self._pending: dict[str, OIDCProviderSettings] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def start(self, configured: Sequence[OIDCProviderSettings]) -> None:
        """Discover every provider not given in code. One that cannot be fetched waits for a later request;
        `DiscoveryError` (untrustworthy) stops start-up."""
        for oidc in configured:
            if oidc.id in self._providers:
                continue
            try:
                self._providers[oidc.id] = await discover(oidc)
            except DiscoveryUnavailable as failure:
                logger.error("%s; the provider is unavailable until a request finds its discovery up", failure)
                self._pending[oidc.id] = oidc

    async def ensure(self, provider_id: str) -> None:
        """If `provider_id` is still pending, try its discovery again (one attempt at a time per provider)."""
        if provider_id not in self._pending:
            return
        async with self._locks.setdefault(provider_id, asyncio.Lock()):
            configured = self._pending.get(provider_id)
            if configured is None:
                return  # discovered by the request we waited for
            try:
                self._providers[provider_id] = await discover(configured)
            except DiscoveryError as failure:
                logger.error("%s; the provider stays unavailable", failure)
                return
            del self._pending[provider_id]
            logger.info("%s: discovered; the provider is available", provider_id)
