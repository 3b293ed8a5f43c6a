"""The OAuth / OpenID Connect sign-in flow (docs/better-auth.md#oauth). No HTTP here: callers bring the callback
parameters and the browser's state cookie, and get a session or an error code to redirect with.

State waits in an `OAuthStateStore` (a single-use verification row plus a signed cookie, or an encrypted cookie) and
must come back to the browser that started the flow, so a callback delivered to another browser, replayed, or
tampered with fails (docs/security.md O1).
PKCE S256 (O2), a nonce for OpenID providers, the RFC 9207 `iss` check, and id tokens checked as O6 says.
`OAuthService` is the face the routes and `BetterAuth` use; which user an identity signs in as is decided in
`identity.py` (docs/security.md O7), linking to a signed-in user in `linking.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ..audit import audit
from ..clock import Clock
from ..crypto.tokens import generate_id
from ..db.models import User
from ..errors import AuthError, ErrorCode
from ..sessions.issuer import SignInAttempt
from ..sessions.service import ClientInfo
from ..settings import AuthSettings
from .client import ProviderClient, ProviderError
from .config import PendingDiscovery
from .identity import IdentityResolver, IdentityStores
from .linking import LINK_SESSION_PURPOSE, AccountLinker, SessionAccess
from .providers.base import OAuthProfile, OAuthProvider, new_code_verifier
from .results import CallbackError, SignedIn, Started
from .state import OAuthStateStore, StateError

__all__ = [
    "ID_TOKEN_MAX_AGE",
    "LINK_SESSION_PURPOSE",
    "CallbackError",
    "IdentityStores",
    "OAuthService",
    "SessionAccess",
    "SignedIn",
    "Started",
]

ID_TOKEN_MAX_AGE = timedelta(hours=1)

logger = logging.getLogger("fastapi_betterauth.oauth")


class OAuthService:
    """The flow: start, callback, id-token sign-in and id-token link. What `BetterAuth` and the routes use."""

    def __init__(
        self,
        settings: AuthSettings,
        providers: dict[str, OAuthProvider],
        *,
        states: OAuthStateStore,
        client: ProviderClient,
        clock: Clock,
        stores: IdentityStores,
        sessions: SessionAccess,
    ) -> None:
        self.discovery = PendingDiscovery(providers)
        """Generic OpenID providers whose discovery is still to succeed (run `start` when the app starts)."""
        self.settings = settings
        self._has_database = stores.has_database
        self.providers = providers  # shared with the account service; discovered providers are added at start
        self._issuer = sessions.issuer
        self.states = states
        self._client = client
        self._clock = clock
        self._identities = IdentityResolver(settings.social, stores, clock, sessions.issuer)
        self._linker = AccountLinker(settings.social, stores, sessions, self._identities, clock)

    def redirect_uri(self, provider_id: str) -> str:
        """The exact redirect URI to register at the provider: its own `redirect_uri` if it has one, else the
        callback route."""
        provider = self.providers.get(provider_id)
        if provider is not None and provider.redirect_uri:
            return provider.redirect_uri
        return f"{self.settings.url}{self.settings.base_path}/callback/{provider_id}"

    def provider(self, provider_id: str) -> OAuthProvider:
        found = self.providers.get(provider_id)
        if found is None:
            raise AuthError(ErrorCode.PROVIDER_NOT_FOUND)
        return found

    async def start(
        self,
        provider_id: str,
        *,
        callback_url: str,
        error_url: str | None = None,
        new_user_url: str | None = None,
        scopes: tuple[str, ...] = (),
        login_hint: str | None = None,
        extra_params: Mapping[str, str] | None = None,
        link_user: User | None = None,
        link_session_token: str | None = None,
    ) -> Started:
        """Mint the state (with PKCE verifier and nonce) and the authorization URL. With `link_user`, the callback
        links the provider account to that user instead of signing in, if the session `link_session_token` is still
        live by then. `extra_params` go on the authorization URL
        (better-auth's `additionalParams`; the flow's own parameters are never replaced)."""
        await self.discovery.ensure(provider_id)
        provider = self.provider(provider_id)
        verifier = new_code_verifier()
        nonce = generate_id(32) if provider.is_openid else None
        # better-auth's state fields (absent rather than null, as its schema wants), plus the provider it is for.
        value: dict[str, Any] = {
            "callbackURL": callback_url,
            "codeVerifier": verifier,
            "errorURL": error_url,
            "newUserURL": new_user_url,
            "idTokenNonce": nonce,
            "providerId": provider_id,
        }
        value = {key: item for key, item in value.items() if item is not None}
        if link_user is not None:
            value["link"] = {"userId": link_user.id, "email": link_user.email}
            sealed = self._linker.seal_session(link_session_token) if link_session_token is not None else None
            if sealed is not None:
                value["link"]["encryptedSessionToken"] = sealed
        state = await self.states.issue(value)
        url = provider.authorization_url(
            redirect_uri=self.redirect_uri(provider_id),
            state=state.state,
            code_verifier=verifier,
            nonce=nonce,
            scopes=scopes,
            login_hint=login_hint,
            extra_params=extra_params,
        )
        return Started(url, state)

    async def finish(
        self,
        provider_id: str,
        params: Mapping[str, str],
        *,
        browser_state: str | None,
        ip_address: str | None = None,
        user_agent: str | None = None,
    ) -> SignedIn:
        """Complete the flow from the callback parameters. `browser_state`: the value of the state store's cookie."""
        await self.discovery.ensure(provider_id)
        state = params.get("state")
        if not state:
            raise CallbackError("state_not_found", None, state_consumed=False)
        try:
            stored = await self.states.redeem(state, browser_state)
        except StateError as failure:
            raise CallbackError(failure.code, failure.error_url, state_consumed=failure.consumed) from None
        error_url = stored.get("errorURL") or None
        if stored.get("providerId", provider_id) != provider_id:
            raise CallbackError("state_mismatch", error_url)  # a callback for another provider (mix-up, O4)
        if params.get("error"):
            raise CallbackError(params["error"], error_url, params.get("error_description"))
        code = params.get("code")
        if not code:
            raise CallbackError("no_code", error_url)
        provider = self.providers.get(provider_id)
        if provider is None:
            raise CallbackError("oauth_provider_not_found", error_url)
        if provider.sends_iss and "iss" not in params:
            raise CallbackError("issuer_missing", error_url)  # a response stripped of its issuer (mix-up, O4)
        if provider.issuer is not None and "iss" in params and params["iss"] != provider.issuer:
            raise CallbackError("issuer_mismatch", error_url)
        if provider.is_openid and not (stored.get("idTokenNonce") or stored.get("nonce")):
            raise CallbackError("nonce_binding_missing", error_url)  # a state minted without the id token's nonce
        try:
            profile, token = await self._profile(provider, code, stored, params)
        except ProviderError as failure:
            raise CallbackError(failure.code, error_url) from None
        callback_url = stored.get("callbackURL")
        if not isinstance(callback_url, str) or not callback_url:
            raise CallbackError("no_callback_url", error_url)
        link = stored.get("link")
        if isinstance(link, dict):
            await self._linker.link_from_callback(provider, profile, token, link, error_url)
            return SignedIn(None, callback_url, is_new_user=False)
        client = ClientInfo(ip_address, user_agent)
        if not self._has_database:
            user, account = self._identities.cookie_identity(provider, profile, token, error_url)
            found = await self._issuer.issue(SignInAttempt(user, provider_id, client=client))
            audit("sign_in.succeeded", user=user.id, session=found.session.id, ip=ip_address, method=provider_id)
            return SignedIn(found, callback_url, is_new_user=False, account=account, error_url=error_url)
        found, is_new = await self._identities.sign_in(
            provider, profile, token, error_url, lambda user: SignInAttempt(user, provider_id, client=client)
        )
        audit("sign_in.succeeded", user=found.user.id, session=found.session.id, ip=ip_address, method=provider_id)
        new_user_url = stored.get("newUserURL")
        redirect_to = str(new_user_url) if is_new and new_user_url else callback_url
        return SignedIn(found, redirect_to, is_new, error_url=error_url)

    async def sign_in_with_id_token(
        self,
        provider_id: str,
        id_token: str,
        *,
        nonce: str | None,
        access_token: str | None = None,
        refresh_token: str | None = None,
        ip_address: str | None = None,
        user_agent: str | None = None,
    ) -> SignedIn:
        """Native and mobile apps that did the provider flow themselves send the id token
        (docs/better-auth.md#social-sign-in).

        The token must verify against the provider's JWKS, name this client and be at most an hour old. Unlike
        better-auth, which checks the nonce only when the client sends one, a token that carries a nonce must come
        with the same nonce, so a captured token cannot be replayed without it.
        """
        provider, profile = await self._id_token_profile(provider_id, id_token, nonce)
        token = {"id_token": id_token, "access_token": access_token, "refresh_token": refresh_token}
        account = None
        method = f"{provider_id}:id_token"

        def attempt(user: User) -> SignInAttempt:
            return SignInAttempt(user, method, client=ClientInfo(ip_address, user_agent))

        try:
            if self._has_database:
                found, is_new = await self._identities.sign_in(provider, profile, token, "", attempt)
            else:
                user, account = self._identities.cookie_identity(provider, profile, token, "")
                found, is_new = await self._issuer.issue(attempt(user)), False
        except CallbackError as refused:
            raise AuthError(ErrorCode.OAUTH_LINK_ERROR, 401, refused.code.replace("_", " ")) from None
        audit("sign_in.succeeded", user=found.user.id, session=found.session.id, ip=ip_address, method=method)
        return SignedIn(found, "", is_new, account)

    async def link_with_id_token(
        self,
        user: User,
        provider_id: str,
        id_token: str,
        *,
        nonce: str | None,
        access_token: str | None = None,
        refresh_token: str | None = None,
    ) -> None:
        """`link-social` with an id token: link the provider account to `user` at once, without a
        redirect. The token is checked as for the id-token sign-in. Errors as better-auth's: 409
        `SOCIAL_ACCOUNT_ALREADY_LINKED` (another user's), 401 `LINKING_NOT_ALLOWED` (the provider does not vouch
        for the address, or linking is off), 401 `LINKING_DIFFERENT_EMAILS_NOT_ALLOWED`, 417 `LINKING_FAILED`."""
        provider, profile = await self._id_token_profile(provider_id, id_token, nonce)
        token = {"id_token": id_token, "access_token": access_token, "refresh_token": refresh_token}
        await self._linker.link_id_token(user, provider, profile, token)

    async def _id_token_profile(
        self, provider_id: str, id_token: str, nonce: str | None
    ) -> tuple[OAuthProvider, OAuthProfile]:
        """The provider and the profile of a client-submitted id token; 404 `PROVIDER_NOT_FOUND` /
        `ID_TOKEN_NOT_SUPPORTED`, 401 `INVALID_TOKEN` / `FAILED_TO_GET_USER_INFO` / `USER_EMAIL_NOT_FOUND`."""
        await self.discovery.ensure(provider_id)
        provider = self.provider(provider_id)
        if not provider.checks_submitted_id_tokens:
            raise AuthError(ErrorCode.ID_TOKEN_NOT_SUPPORTED)
        now = self._clock.now()
        try:
            claims = await self._client.verify_id_token(provider, id_token, nonce=nonce, now=now)
        except ProviderError:
            raise AuthError(ErrorCode.INVALID_TOKEN) from None
        if claims.get("nonce") is not None and nonce is None:
            raise AuthError(ErrorCode.INVALID_TOKEN)
        if now.timestamp() - float(claims["iat"]) > ID_TOKEN_MAX_AGE.total_seconds():
            raise AuthError(ErrorCode.INVALID_TOKEN)
        try:
            profile = provider.to_user_profile(provider.map_profile(claims))
        except (KeyError, TypeError, ValueError) as failure:
            logger.warning("%s: cannot map the id token's claims: %s", provider.id, failure)
            raise AuthError(ErrorCode.FAILED_TO_GET_USER_INFO) from None
        if not profile.email:
            raise AuthError(ErrorCode.USER_EMAIL_NOT_FOUND)
        return provider, profile

    async def _profile(
        self, provider: OAuthProvider, code: str, stored: Mapping[str, Any], params: Mapping[str, str]
    ) -> tuple[OAuthProfile, dict[str, Any]]:
        token = await self._client.exchange_code(
            provider,
            code=code,
            code_verifier=str(stored["codeVerifier"]),
            redirect_uri=self.redirect_uri(provider.id),
            extra={name: params[name] for name in provider.callback_token_params if params.get(name)},
        )
        claims: dict[str, Any] = {}
        if provider.is_openid:
            if not token.get("id_token"):
                raise ProviderError("unable_to_get_user_info", "no id token")
            nonce = stored.get("idTokenNonce") or stored.get("nonce")  # `nonce`: our states' older field name
            claims = await self._client.verify_id_token(
                provider,
                str(token["id_token"]),
                nonce=str(nonce) if nonce else None,
                now=self._clock.now(),
                from_token_endpoint=True,
            )
        info = await self._client.user_info(provider, token)
        if claims and info.get("sub") not in (None, claims["sub"]):
            raise ProviderError("unable_to_get_user_info", "user info names another subject")
        try:
            return provider.to_user_profile(provider.map_profile({**info, **claims})), token
        except (KeyError, TypeError, ValueError) as failure:
            logger.warning("%s: cannot map the provider's profile: %s", provider.id, failure)
            raise ProviderError("unable_to_get_user_info", "profile") from None
