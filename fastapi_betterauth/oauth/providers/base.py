"""Providers are data (docs/better-auth.md#oauth-providers): endpoints, scopes, a pure profile mapper, and the rules for
the stable subject and the issuer; a provider that does not speak standard OAuth brings its own small calls (see
`TokenCall`, `UserInfoCall`). Building the authorization request (with PKCE S256 unless the provider cannot take it,
docs/security.md O2) lives here, once."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

if TYPE_CHECKING:
    import httpx2 as httpx

from ..emails import provider_email

RESERVED_PARAMS_ORDER = (
    "state",
    "client_id",
    "redirect_uri",
    "response_type",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "scope",
)
"""Parameters the flow sets itself, in better-auth's order; callers' extras may never replace them."""
RESERVED_PARAMS = frozenset(RESERVED_PARAMS_ORDER)


@dataclass(frozen=True, slots=True)
class OAuthProfile:
    """What a provider says about the person, normalised. `subject` is the provider's stable, immutable id."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    image: str | None
    raw: Mapping[str, Any] = field(default_factory=dict)


AuthMethod = Literal["client_secret_basic", "client_secret_post", "none"]
"""How the client authenticates at the token endpoint: the secret in a Basic `Authorization` header, the secret in
the form body, or no secret (a public client; `client_id` in the body)."""

ProfileMapper = Callable[[Mapping[str, Any]], OAuthProfile]
"""A pure function from the provider's claims / user-info JSON to an `OAuthProfile`."""

UserMapper = Callable[[OAuthProfile], Mapping[str, Any]]
"""better-auth's `mapProfileToUser`: user fields from a profile (`profile.raw` holds everything the provider said).
Keys among `USER_FIELDS`; they override the defaults taken from the profile."""

USER_FIELDS = frozenset({"name", "image", "email", "email_verified"})
"""The user fields a provider may set."""

IdTokenSignature = Literal["jwks", "client_secret", "token_endpoint"]
"""How an id token's origin is established: its signature against the provider's JWKS (asymmetric algorithms only);
HS256 keyed by the client secret (OpenID Connect Core §10.1, LINE's web login); or only by having come straight from
the provider's token endpoint over TLS to our own code exchange (OpenID Connect Core §3.1.3.7, for a provider that
publishes no keys: Paybin). Issuer, audience, expiry and nonce are checked whichever it is."""

TokenCall = Callable[["httpx.AsyncClient", "OAuthProvider", Mapping[str, str]], Awaitable[Mapping[str, Any]]]
"""A provider's own token-endpoint call, for one that does not speak the standard form POST (WeChat's GET): given the
grant's fields (`grant_type`, `code`, `code_verifier`, `redirect_uri`, or `refresh_token`), the token response with
an `access_token`. It raises `ValueError` or an `httpx.HTTPError` when the provider refuses."""

UserInfoCall = Callable[["httpx.AsyncClient", "OAuthProvider", Mapping[str, Any]], Awaitable[Mapping[str, Any]]]
"""A provider's own user-info call, for one that does not take a bearer token (VK ID's form POST, WeChat's query):
given the token response, the JSON object the profile mapper reads. It raises `ValueError` or an `httpx.HTTPError`
when the provider refuses."""


@dataclass(frozen=True, slots=True)
class OAuthProvider:
    """One configured provider. `id` is the callback path segment (`/callback/<id>`) and `account.providerId`."""

    id: str
    name: str
    client_id: str
    client_secret: str | None
    authorization_endpoint: str
    token_endpoint: str
    map_profile: ProfileMapper
    scopes: tuple[str, ...] = ()
    userinfo_endpoint: str | None = None
    issuer: str | None = None
    """The OpenID issuer: id tokens must carry it, and an `iss` on the callback (RFC 9207) must equal it."""
    jwks_uri: str | None = None
    sends_iss: bool = False
    """The provider puts `iss` on every callback (RFC 9207); one without it is then refused (`issuer_missing`)."""
    id_token_algorithms: tuple[str, ...] = ("RS256",)
    token_endpoint_auth_method: AuthMethod | None = None
    """None: `client_secret_post` when there is a secret, else `none` (better-auth's default)."""
    authorization_params: Mapping[str, str] = field(default_factory=dict)
    """Fixed extra parameters of the authorization request (e.g. Google's `include_granted_scopes`)."""
    email_endpoint: str | None = None
    """A second user-info call for addresses (GitHub's `/user/emails`)."""
    map_profile_to_user: UserMapper | None = None
    """Choose the user's fields from the profile, e.g. a display name from another claim."""
    override_user_info_on_sign_in: bool = False
    """On every sign-in, copy the provider's name and image (and a verified, unclaimed address) to the user, instead
    of only when the user is created."""
    openid: bool | None = None
    """Whether sign-in checks an id token (and sends a nonce). None: when `openid` is among the scopes. False for
    providers better-auth reads from their user-info endpoint only, though they are asked for `openid` (Slack)."""
    userinfo_method: Literal["GET", "POST"] = "GET"
    """Dropbox answers who the user is to a POST only."""
    userinfo_json: Mapping[str, Any] | None = None
    """A JSON body for the user-info call (Linear's GraphQL `viewer` query)."""
    userinfo_headers: Mapping[str, str] = field(default_factory=dict)
    """Extra headers of the user-info calls (Notion's API version, Reddit's required `User-Agent`)."""
    token_headers: Mapping[str, str] = field(default_factory=dict)
    """Extra headers of the token-endpoint calls."""
    token_params: Mapping[str, str] = field(default_factory=dict)
    """Extra form fields of the token-endpoint calls (TikTok's `client_key`)."""
    client_id_param: str = "client_id"
    """The authorization request's name for the client id (TikTok calls it `client_key`)."""
    scope_separator: str = " "
    """How the `scope` parameter joins scopes (TikTok: commas)."""
    pkce: bool = True
    """Send the S256 code challenge. False only for a provider that cannot take it (WeChat) or when asked to (Zoom's
    `pkce` option); the verifier is still sent to the token endpoint, as better-auth does."""
    redirect_uri: str | None = None
    """The redirect URI registered at the provider, when it is not this server's `/callback/<id>` (better-auth's
    `redirectURI`): it must bring the browser back to that callback with the provider's parameters."""
    authorization_fragment: str = ""
    """A fragment the authorization URL ends with (WeChat's `wechat_redirect`)."""
    callback_token_params: tuple[str, ...] = ()
    """Callback parameters the token request carries on (VK ID's `device_id`)."""
    id_token_signature: IdTokenSignature = "jwks"
    """How an id token of this provider is checked (see `IdTokenSignature`)."""
    token_call: TokenCall | None = None
    """The provider's own token-endpoint call, instead of the standard form POST (see `TokenCall`)."""
    user_info_call: UserInfoCall | None = None
    """The provider's own user-info call, instead of a bearer-token request (see `UserInfoCall`)."""

    @property
    def token_auth_method(self) -> AuthMethod:
        """The token-endpoint authentication in effect (see `token_endpoint_auth_method`)."""
        if self.token_endpoint_auth_method is not None:
            return self.token_endpoint_auth_method
        return "client_secret_post" if self.client_secret else "none"

    def to_user_profile(self, profile: OAuthProfile) -> OAuthProfile:
        """The profile with `map_profile_to_user` applied: what the user's fields are made from. `ValueError` if the
        mapper returns a field a provider may not set (`id`, say). Whatever mapped it, its address has passed
        `provider_email`: none with control characters (docs/security.md L9) or that Unicode folding changes (O10)."""
        if self.map_profile_to_user is None:
            return replace(profile, email=provider_email(profile.email))
        mapped = dict(self.map_profile_to_user(profile))
        if unknown := set(mapped) - USER_FIELDS:
            raise ValueError(f"map_profile_to_user of {self.id!r} returned fields it may not set: {sorted(unknown)}")
        return replace(
            profile,
            name=mapped.get("name", profile.name),
            image=mapped.get("image", profile.image),
            email=provider_email(mapped.get("email", profile.email)),
            email_verified=bool(mapped.get("email_verified", profile.email_verified)),
        )

    @property
    def is_openid(self) -> bool:
        """Sign-in checks an id token (see `openid`)."""
        return "openid" in self.scopes if self.openid is None else self.openid

    @property
    def checks_submitted_id_tokens(self) -> bool:
        """An id token a client hands in can be checked: its signature, against the JWKS or the client secret. One
        that is believed only for coming from the token endpoint (`token_endpoint`) cannot."""
        if not self.is_openid:
            return False
        if self.id_token_signature == "client_secret":
            return bool(self.client_secret)
        return self.id_token_signature == "jwks" and self.jwks_uri is not None

    def authorization_url(
        self,
        *,
        redirect_uri: str,
        state: str,
        code_verifier: str,
        nonce: str | None = None,
        scopes: tuple[str, ...] = (),
        login_hint: str | None = None,
        extra_params: Mapping[str, str] | None = None,
    ) -> str:
        """The URL to send the browser to. PKCE S256 (unless `pkce` is off); extra scopes add to the defaults;
        reserved parameters in `extra_params` are ignored. `redirect_uri`: this server's callback, unless the provider
        has its own."""
        requested = tuple(dict.fromkeys((*self.scopes, *scopes)))
        params: dict[str, str] = {
            **self.authorization_params,
            **{k: v for k, v in (extra_params or {}).items() if k not in RESERVED_PARAMS and k != self.client_id_param},
            "response_type": "code",
            self.client_id_param: self.client_id,
            "redirect_uri": self.redirect_uri or redirect_uri,
            "state": state,
        }
        if self.pkce:
            params |= {"code_challenge": code_challenge(code_verifier), "code_challenge_method": "S256"}
        if requested:  # as better-auth: no `scope` at all rather than an empty one (Zoom, Notion)
            params["scope"] = self.scope_separator.join(requested)
        if nonce is not None:
            params["nonce"] = nonce
        if login_hint:
            params["login_hint"] = login_hint
        separator = "&" if "?" in self.authorization_endpoint else "?"
        fragment = f"#{self.authorization_fragment}" if self.authorization_fragment else ""
        return f"{self.authorization_endpoint}{separator}{urlencode(params)}{fragment}"


_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def new_code_verifier() -> str:
    """A 128-character PKCE verifier from the unreserved alphabet (RFC 7636 §4.1), as better-auth makes them."""
    return "".join(secrets.choice(_UNRESERVED) for _ in range(128))


def code_challenge(verifier: str) -> str:
    """`base64url_nopad(SHA-256(verifier))` (S256)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def claim_is_true(value: Any) -> bool:
    """An `email_verified` claim: some providers send the string "true" (Apple)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def openid_profile(claims: Mapping[str, Any], *, subject_claim: str = "sub") -> OAuthProfile:
    """The standard OpenID Connect claims as a profile."""
    return OAuthProfile(
        subject=str(claims[subject_claim]),
        email=provider_email(claims.get("email")),
        email_verified=claim_is_true(claims.get("email_verified")),
        name=claims.get("name") or None,
        image=claims.get("picture") or None,
        raw=dict(claims),
    )


PLACEHOLDER_EMAIL_DOMAIN = "placeholder.invalid"


def placeholder_email(identifier: str, namespace: str) -> str:
    """better-auth's stand-in address for a provider that gives none (Twitter without `users.email`, Reddit):
    `<id>@<provider>.placeholder.invalid`, never routable (RFC 6761 §6.4) and never vouched for."""
    return f"{identifier}@{namespace}.{PLACEHOLDER_EMAIL_DOMAIN}"
