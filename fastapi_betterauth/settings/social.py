"""Sign-in with OAuth / OpenID Connect providers: built-in providers' clients, generic OpenID Connect
providers, account linking."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator


class ProviderCredentials(BaseModel):
    """A built-in provider's client: `BETTER_AUTH_SOCIAL__GITHUB__CLIENT_ID`, `..._CLIENT_SECRET`."""

    client_id: str
    """The client id registered at the provider."""
    client_secret: SecretStr | None = None
    """The client secret; none for a public client."""
    override_user_info_on_sign_in: bool = False
    """Copy the provider's name and image (and a verified, unclaimed address) to the user on every sign-in."""
    redirect_uri: str | None = None
    """The redirect URI registered at the provider when it is not `{url}{base_path}/callback/<id>` (better-auth's
    `redirectURI`); whatever it is must bring the browser back to that callback with the provider's parameters."""


class MicrosoftCredentials(ProviderCredentials):
    tenant: str = "common"


class GitLabCredentials(ProviderCredentials):
    base_url: str = "https://gitlab.com"


class FacebookCredentials(ProviderCredentials):
    fields: list[str] = Field(default_factory=list)
    """More Graph API fields of `/me` to fetch (better-auth's `fields`)."""
    config_id: str | None = None
    """A Facebook Login for Business configuration (better-auth's `configId`)."""


class PromptCredentials(ProviderCredentials):
    prompt: str | None = None
    """The authorization request's `prompt`, e.g. `consent` (better-auth's `prompt`)."""


class TikTokCredentials(ProviderCredentials):
    """TikTok names its client id `client_key` (better-auth's `clientKey`)."""

    client_id: str = ""
    client_key: str


class SalesforceCredentials(ProviderCredentials):
    environment: Literal["production", "sandbox"] = "production"
    login_url: str | None = None
    """A My Domain host, e.g. `acme.my.salesforce.com` (better-auth's `loginUrl`)."""


class PayPalCredentials(ProviderCredentials):
    environment: Literal["sandbox", "live"] = "sandbox"
    """`live` in production: better-auth's default is the sandbox."""
    prompt: str | None = None


class CognitoCredentials(ProviderCredentials):
    domain: str
    """The user pool's hosted-UI domain."""
    region: str
    user_pool_id: str
    prompt: str | None = None
    identity_provider: str | None = None
    """Go straight to this federated provider (better-auth's `identityProvider`)."""


class PublicClientCredentials(ProviderCredentials):
    """Vercel's and Cloudflare's: a public client has no secret."""

    token_endpoint_auth_method: Literal["client_secret_basic", "client_secret_post", "none"] | None = None
    """As registered at Vercel (better-auth's `tokenEndpointAuth.method`); `none` for a public client."""


class DropboxCredentials(ProviderCredentials):
    access_type: Literal["online", "offline", "legacy"] | None = None
    """`offline` for a refresh token (better-auth's `accessType`)."""


class RedditCredentials(ProviderCredentials):
    duration: Literal["temporary", "permanent"] | None = None
    """`permanent` for a refresh token (better-auth's `duration`)."""


class ZoomCredentials(ProviderCredentials):
    pkce: bool = True
    """False for a Zoom app that does not take the PKCE code challenge (better-auth's `pkce`)."""


class WeChatCredentials(ProviderCredentials):
    lang: Literal["cn", "en"] = "cn"
    """The language of WeChat's QR-code page (better-auth's `lang`)."""


class PaybinCredentials(PromptCredentials):
    issuer: str = "https://idp.paybin.io"
    """Paybin's identity provider (better-auth's `issuer`)."""


class OIDCProviderSettings(BaseModel):
    """Any OpenID Connect provider; its discovery document is fetched at start-up and its issuer checked."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    """The provider id: its callback is `<base path>/callback/<id>`."""
    discovery_url: str
    """The `.well-known/openid-configuration` URL; the issuer it names must match it."""
    client_id: str
    """The client id registered at the provider."""
    client_secret: SecretStr | None = None
    """The client secret; none for a public client."""
    name: str | None = None
    """A display name (the id when none)."""
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])
    """Scopes asked for."""
    override_user_info_on_sign_in: bool = False
    """Copy the provider's name and image (and a verified, unclaimed address) to the user on every sign-in."""
    token_endpoint_auth_method: Literal["client_secret_basic", "client_secret_post", "none"] | None = None
    """How the client authenticates at the token endpoint, as registered at the provider (better-auth's
    `tokenEndpointAuth.method`). None: `client_secret_post` with a secret, `none` without (better-auth's default)."""

    @model_validator(mode="after")
    def _auth_method_fits_the_secret(self) -> OIDCProviderSettings:
        method = self.token_endpoint_auth_method
        if method in ("client_secret_basic", "client_secret_post") and self.client_secret is None:
            raise ValueError(f"token_endpoint_auth_method {method} needs a client_secret")
        if method == "none" and self.client_secret is not None:
            raise ValueError("token_endpoint_auth_method none cannot have a client_secret")
        return self


class SocialSettings(BaseModel):
    """Sign-in with OAuth / OpenID Connect providers (better-auth `account.accountLinking.*`, provider options)."""

    disable_sign_up: bool = False
    """Only people who already have an account may sign in with a provider."""
    account_linking: bool = True
    """Link a provider to an existing user with the same address, when both vouch for it (see `trusted_providers`)."""
    trusted_providers: list[str] = Field(default_factory=list)
    """Providers whose address is believed even when they do not mark it verified (e.g. `github`)."""
    allow_different_emails: bool = False
    """`link-social` may link a provider account whose address differs from the user's."""
    allow_unlinking_all: bool = False
    """`unlink-account` may remove the last way to sign in."""
    store_state_strategy: Literal["database", "cookie"] = "database"
    """Where a sign-in's OAuth state waits for the callback: a single-use verification row plus a signed `state`
    cookie, or an encrypted `oauth_state` cookie only (for deployments without a database; see the README)."""
    encrypt_oauth_tokens: bool = False
    """Keep provider access and refresh tokens encrypted at rest (better-auth's `$ba$` envelope, XChaCha20-Poly1305,
    readable by a Node better-auth app with `account.encryptOAuthTokens` and the same secrets)."""
    github: ProviderCredentials | None = None
    google: ProviderCredentials | None = None
    microsoft: MicrosoftCredentials | None = None
    discord: ProviderCredentials | None = None
    apple: ProviderCredentials | None = None
    gitlab: GitLabCredentials | None = None
    facebook: FacebookCredentials | None = None
    linkedin: ProviderCredentials | None = None
    slack: ProviderCredentials | None = None
    twitter: ProviderCredentials | None = None
    spotify: ProviderCredentials | None = None
    reddit: RedditCredentials | None = None
    notion: ProviderCredentials | None = None
    dropbox: DropboxCredentials | None = None
    zoom: ZoomCredentials | None = None
    atlassian: PromptCredentials | None = None
    figma: ProviderCredentials | None = None
    linear: ProviderCredentials | None = None
    huggingface: ProviderCredentials | None = None
    kakao: ProviderCredentials | None = None
    naver: ProviderCredentials | None = None
    kick: ProviderCredentials | None = None
    polar: PromptCredentials | None = None
    vercel: PublicClientCredentials | None = None
    railway: ProviderCredentials | None = None
    roblox: PromptCredentials | None = None
    tiktok: TikTokCredentials | None = None
    salesforce: SalesforceCredentials | None = None
    paypal: PayPalCredentials | None = None
    cloudflare: PublicClientCredentials | None = None
    twitch: ProviderCredentials | None = None
    cognito: CognitoCredentials | None = None
    line: ProviderCredentials | None = None
    vk: ProviderCredentials | None = None
    wechat: WeChatCredentials | None = None
    paybin: PaybinCredentials | None = None
    oidc: list[OIDCProviderSettings] = Field(default_factory=list)
    """Generic OpenID Connect providers (a JSON list in the environment)."""
