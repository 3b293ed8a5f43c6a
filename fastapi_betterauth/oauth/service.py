"""The OAuth / OpenID Connect sign-in flow (docs/better-auth.md#oauth). No HTTP here: callers bring the callback
parameters and the browser's state cookie, and get a session or an error code to redirect with.

State waits in an `OAuthStateStore` (a single-use verification row plus a signed cookie, or an encrypted cookie) and
must come back to the browser that started the flow, so a callback delivered to another browser, replayed, or
tampered with fails (docs/security.md O1).
PKCE S256 always, a nonce for OpenID providers, the RFC 9207 `iss` check, and id tokens checked against the JWKS.
Identity is (provider, subject); an address links to an existing user only when the provider vouches for it (or is
trusted) and the local address is verified (docs/security.md O7).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..audit import audit
from ..clock import Clock
from ..crypto.envelope import EnvelopeError, open_sealed, purpose_keyring, seal
from ..crypto.keyring import Keyring
from ..crypto.tokens import generate_id, stable_id
from ..db.engine import Database
from ..db.models import Account, User
from ..db.queries import find_provider_account, find_user_by_email
from ..errors import AuthError, ErrorCode
from ..hooks import HookRunner
from ..sessions.issuer import SessionIssuer, SignInAttempt
from ..sessions.service import AuthSession, ClientInfo, SessionService
from ..settings import AuthSettings
from ..users.service import UserService
from .accounts import AccountService
from .client import ProviderClient, ProviderError
from .config import PendingDiscovery
from .providers.base import OAuthProfile, OAuthProvider, new_code_verifier
from .state import IssuedState, OAuthStateStore, StateError
from .token_storage import ProviderTokenCipher, granted_scope, merged_scope

ID_TOKEN_MAX_AGE = timedelta(hours=1)
LINK_SESSION_PURPOSE = "oauth-link-session-token"

logger = logging.getLogger("fastapi_betterauth.oauth")


class CallbackError(Exception):
    """The callback failed: redirect to `error_url` (the flow's `errorCallbackURL`; None: the auth base URL's
    `/error` page) with `?error=<code>`, a lower snake case code (README *Social sign-in* lists them).
    `state_consumed`: the flow's state was used up, so its cookie is cleared; a callback that is not the flow's
    leaves both alone."""

    def __init__(
        self, code: str, error_url: str | None, description: str | None = None, *, state_consumed: bool = True
    ) -> None:
        super().__init__(code)
        self.code = code
        self.error_url = error_url
        self.description = description
        self.state_consumed = state_consumed


@dataclass(frozen=True, slots=True)
class SignedIn:
    found: AuthSession | None
    """None after linking: the user's current session stays."""
    redirect_to: str
    is_new_user: bool
    account: Account | None = None
    """Without a database: the provider account, to keep in the `account_data` cookie."""


@dataclass(frozen=True, slots=True)
class Started:
    url: str
    state: IssuedState


class OAuthService:
    def __init__(
        self,
        settings: AuthSettings,
        providers: dict[str, OAuthProvider],
        database: Database,
        sessions: SessionService,
        users: UserService,
        states: OAuthStateStore,
        client: ProviderClient,
        clock: Clock,
        hooks: HookRunner,
        cipher: ProviderTokenCipher,
        accounts: AccountService,
        *,
        issuer: SessionIssuer,
        has_database: bool = True,
        keyring: Keyring | None = None,
        session_rows: bool = True,
    ) -> None:
        self._link_keys = purpose_keyring(keyring, LINK_SESSION_PURPOSE) if keyring is not None else None
        """Seals the session token a link started from (better-auth's `encryptedSessionToken`)."""
        self._session_rows = session_rows
        """Sessions can be looked up by token (not stateless), so a link checks its session is still live."""
        self.discovery = PendingDiscovery(providers)
        """Generic OpenID providers whose discovery is still to succeed (run `start` when the app starts)."""
        self.settings = settings
        self._has_database = has_database
        self._cipher = cipher
        self._accounts = accounts
        self.providers = providers  # shared with the account service; discovered providers are added at start
        self._database = database
        self._sessions = sessions
        self._issuer = issuer
        self._users = users
        self.states = states
        self._client = client
        self._clock = clock
        self._hooks = hooks

    def redirect_uri(self, provider_id: str) -> str:
        """The exact redirect URI to register at the provider."""
        return f"{self.settings.url}{self.settings.base_path}/callback/{provider_id}"

    def provider(self, provider_id: str) -> OAuthProvider:
        found = self.providers.get(provider_id)
        if found is None:
            raise AuthError(ErrorCode.PROVIDER_NOT_FOUND, 404)
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
            if link_session_token is not None and self._link_keys is not None:
                value["link"]["encryptedSessionToken"] = seal(self._link_keys, link_session_token)
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
            profile, token = await self._profile(provider, code, stored)
        except ProviderError as failure:
            raise CallbackError(failure.code, error_url) from None
        callback_url = stored.get("callbackURL")
        if not isinstance(callback_url, str) or not callback_url:
            raise CallbackError("no_callback_url", error_url)
        link = stored.get("link")
        if isinstance(link, dict):
            await self._link(provider, profile, token, link, error_url)
            return SignedIn(None, callback_url, is_new_user=False)
        client = ClientInfo(ip_address, user_agent)
        if not self._has_database:
            user, account = self._cookie_identity(provider, profile, token, error_url)
            found = await self._issuer.issue(SignInAttempt(user, provider_id, client=client))
            audit("sign_in.succeeded", user=user.id, session=found.session.id, ip=ip_address, method=provider_id)
            return SignedIn(found, callback_url, is_new_user=False, account=account)
        user, is_new = await self._resolve(provider, profile, token, error_url)
        found = await self._issuer.issue(SignInAttempt(user, provider_id, client=client))
        audit("sign_in.succeeded", user=user.id, session=found.session.id, ip=ip_address, method=provider_id)
        new_user_url = stored.get("newUserURL")
        redirect_to = str(new_user_url) if is_new and new_user_url else callback_url
        return SignedIn(found, redirect_to, is_new)

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
        try:
            if self._has_database:
                user, is_new = await self._resolve(provider, profile, token, "")
            else:
                (user, account), is_new = self._cookie_identity(provider, profile, token, ""), False
        except CallbackError as refused:
            raise AuthError(ErrorCode.OAUTH_LINK_ERROR, 401, refused.code.replace("_", " ")) from None
        method = f"{provider_id}:id_token"
        found = await self._issuer.issue(SignInAttempt(user, method, client=ClientInfo(ip_address, user_agent)))
        audit("sign_in.succeeded", user=user.id, session=found.session.id, ip=ip_address, method=method)
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
        async with self._database.session() as db:
            linked = await find_provider_account(db, provider.id, profile.subject)
        if linked is not None:
            account, owner = linked
            if owner.id != user.id:
                raise AuthError(ErrorCode.SOCIAL_ACCOUNT_ALREADY_LINKED, 409)
            await self._accounts.store_tokens(account, token)
            return
        if not self._may_link(provider, profile):
            raise AuthError(ErrorCode.LINKING_NOT_ALLOWED, 401)
        if profile.email != user.email.lower() and not self.settings.social.allow_different_emails:
            raise AuthError(ErrorCode.LINKING_DIFFERENT_EMAILS_NOT_ALLOWED, 401)
        try:
            await self._add_account(user, provider, profile, token)
        except IntegrityError:
            raise AuthError(ErrorCode.LINKING_FAILED, 417) from None

    async def _id_token_profile(
        self, provider_id: str, id_token: str, nonce: str | None
    ) -> tuple[OAuthProvider, OAuthProfile]:
        """The provider and the profile of a client-submitted id token; 404 `PROVIDER_NOT_FOUND` /
        `ID_TOKEN_NOT_SUPPORTED`, 401 `INVALID_TOKEN` / `FAILED_TO_GET_USER_INFO` / `USER_EMAIL_NOT_FOUND`."""
        await self.discovery.ensure(provider_id)
        provider = self.provider(provider_id)
        if not provider.is_openid or provider.jwks_uri is None:
            raise AuthError(ErrorCode.ID_TOKEN_NOT_SUPPORTED, 404)
        now = self._clock.now()
        try:
            claims = await self._client.verify_id_token(provider, id_token, nonce=nonce, now=now)
        except ProviderError:
            raise AuthError(ErrorCode.INVALID_TOKEN, 401) from None
        if claims.get("nonce") is not None and nonce is None:
            raise AuthError(ErrorCode.INVALID_TOKEN, 401)
        if now.timestamp() - float(claims["iat"]) > ID_TOKEN_MAX_AGE.total_seconds():
            raise AuthError(ErrorCode.INVALID_TOKEN, 401)
        try:
            profile = provider.to_user_profile(provider.map_profile(claims))
        except (KeyError, TypeError, ValueError) as failure:
            logger.warning("%s: cannot map the id token's claims: %s", provider.id, failure)
            raise AuthError(ErrorCode.FAILED_TO_GET_USER_INFO, 401) from None
        if not profile.email:
            raise AuthError(ErrorCode.USER_EMAIL_NOT_FOUND, 401)
        return provider, profile

    async def _profile(
        self, provider: OAuthProvider, code: str, stored: Mapping[str, Any]
    ) -> tuple[OAuthProfile, dict[str, Any]]:
        token = await self._client.exchange_code(
            provider,
            code=code,
            code_verifier=str(stored["codeVerifier"]),
            redirect_uri=self.redirect_uri(provider.id),
        )
        claims: dict[str, Any] = {}
        if provider.is_openid:
            if not token.get("id_token"):
                raise ProviderError("unable_to_get_user_info", "no id token")
            nonce = stored.get("idTokenNonce") or stored.get("nonce")  # `nonce`: our states' older field name
            claims = await self._client.verify_id_token(
                provider, str(token["id_token"]), nonce=str(nonce) if nonce else None, now=self._clock.now()
            )
        info = await self._client.user_info(provider, token)
        if claims and info.get("sub") not in (None, claims["sub"]):
            raise ProviderError("unable_to_get_user_info", "user info names another subject")
        try:
            return provider.to_user_profile(provider.map_profile({**info, **claims})), token
        except (KeyError, TypeError, ValueError) as failure:
            logger.warning("%s: cannot map the provider's profile: %s", provider.id, failure)
            raise ProviderError("unable_to_get_user_info", "profile") from None

    async def _link(
        self,
        provider: OAuthProvider,
        profile: OAuthProfile,
        token: Mapping[str, Any],
        link: Mapping[str, Any],
        error_url: str | None,
    ) -> None:
        """The link branch: the session that started the link is still live, the provider vouches for
        the address, which must be the user's."""
        if not await self._link_session_is_live(link):
            raise CallbackError("unable_to_link_account", error_url)
        if not self._may_link(provider, profile):
            raise CallbackError("unable_to_link_account", error_url)
        if profile.email != link.get("email") and not self.settings.social.allow_different_emails:
            raise CallbackError("email_does_not_match", error_url)
        async with self._database.session() as db:
            linked = await find_provider_account(db, provider.id, profile.subject)
            user = await db.get(User, str(link.get("userId")))
        if user is None:
            raise CallbackError("unable_to_link_account", error_url)
        if linked is not None:
            account, owner = linked
            if owner.id != user.id:
                raise CallbackError("account_already_linked_to_different_user", error_url)
            await self._accounts.store_tokens(account, token, scope=merged_scope(account.scope, token))
            return
        await self._add_account(user, provider, profile, token)

    async def _link_session_is_live(self, link: Mapping[str, Any]) -> bool:
        """Whether the session that started the link still exists and is the user's (better-auth's
        `isLinkSessionLive`). Links without a recorded session, or with stateless sessions, are not checked."""
        sealed = link.get("encryptedSessionToken")
        if not isinstance(sealed, str) or not self._session_rows or self._link_keys is None:
            return True
        try:
            token = open_sealed(self._link_keys, sealed)
        except EnvelopeError:
            return False
        loaded = await self._sessions.store.load(token)
        if loaded is None:
            return False
        session, _ = loaded
        return session.user_id == link.get("userId") and session.expires_at > self._clock.now()

    async def _resolve(
        self, provider: OAuthProvider, profile: OAuthProfile, token: Mapping[str, Any], error_url: str | None
    ) -> tuple[User, bool]:
        """The user this provider identity signs in as: linked account, safely linked address, or a new user."""
        options = self.settings.social
        async with self._database.session() as db:
            linked = await find_provider_account(db, provider.id, profile.subject)
        if linked is not None:
            account, user = linked
            await self._accounts.store_tokens(account, token)
            changes = await self._returning_user_changes(provider, profile, user)
            if changes:
                user = await self._users.update(user, changes)
            return user, False
        if not profile.email:
            raise CallbackError("email_not_found", error_url)
        async with self._database.session() as db:
            existing = await find_user_by_email(db, profile.email)
        if existing is not None:
            if not (self._may_link(provider, profile) and existing.email_verified):
                raise CallbackError("account_not_linked", error_url)
            await self._add_account(existing, provider, profile, token)
            return existing, False
        if options.disable_sign_up:
            raise CallbackError("signup_disabled", error_url)
        return await self._create_user(provider, profile, token, error_url), True

    def _cookie_identity(
        self, provider: OAuthProvider, profile: OAuthProfile, token: Mapping[str, Any], error_url: str | None
    ) -> tuple[User, Account]:
        """Without a database, the user and the account are made from the provider's answer at every sign-in. Their
        ids derive from (provider, subject), so a person keeps one user id across sign-ins, restarts and instances."""
        if not profile.email:
            raise CallbackError("email_not_found", error_url)
        if self.settings.social.disable_sign_up:
            raise CallbackError("signup_disabled", error_url)  # nobody "already has an account" without a database
        now = self._clock.now()
        user = User(
            id=stable_id("user", provider.id, profile.subject),
            name=profile.name or profile.email.split("@")[0],
            email=profile.email.lower(),
            email_verified=profile.email_verified,
            image=profile.image,
            created_at=now,
            updated_at=now,
        )
        account = self._new_account(user, provider, profile, token)
        account.id = stable_id("account", provider.id, profile.subject)
        return user, account

    def _may_link(self, provider: OAuthProvider, profile: OAuthProfile) -> bool:
        """Linking is on and the provider vouches for the address (it says verified, or it is trusted; O7)."""
        options = self.settings.social
        vouched = profile.email_verified or provider.id in options.trusted_providers
        return options.account_linking and vouched

    async def _returning_user_changes(
        self, provider: OAuthProvider, profile: OAuthProfile, user: User
    ) -> dict[str, Any]:
        """What a sign-in of a linked account changes on the user: the address becomes verified when the provider
        vouches for the same one; with `override_user_info_on_sign_in`, name and image follow the provider, and so
        does the address when the provider vouches for it and no other user has it (better-auth would fail there)."""
        vouched = profile.email_verified and profile.email is not None
        changes: dict[str, Any] = {}
        if vouched and profile.email == user.email and not user.email_verified:
            changes["email_verified"] = True
        if not provider.override_user_info_on_sign_in:
            return changes
        if profile.name and profile.name != user.name:
            changes["name"] = profile.name
        if profile.image and profile.image != user.image:
            changes["image"] = profile.image
        if vouched and profile.email != user.email:
            async with self._database.session() as db:
                taken = await find_user_by_email(db, str(profile.email))
            if taken is None:
                changes.update(email=profile.email, email_verified=True)
        return changes

    def _new_account(
        self, user: User, provider: OAuthProvider, profile: OAuthProfile, token: Mapping[str, Any]
    ) -> Account:
        now = self._clock.now()
        return Account(
            id=generate_id(),
            account_id=profile.subject,
            provider_id=provider.id,
            user_id=user.id,
            created_at=now,
            scope=granted_scope(token),
            **self._cipher.account_fields(token, now),
        )

    async def _add_account(
        self, user: User, provider: OAuthProvider, profile: OAuthProfile, token: Mapping[str, Any]
    ) -> None:
        account = self._new_account(user, provider, profile, token)
        async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
            db.add(account)
            await self._hooks.after("account", "create", account.model_dump())

    async def _create_user(
        self, provider: OAuthProvider, profile: OAuthProfile, token: Mapping[str, Any], error_url: str | None
    ) -> User:
        now = self._clock.now()
        assert profile.email is not None
        data = await self._hooks.before(
            "user",
            "create",
            {
                "name": profile.name or profile.email.split("@")[0],
                "email": profile.email,
                "email_verified": profile.email_verified,
                "image": profile.image,
                "created_at": now,
                "updated_at": now,
            },
        )
        user = User(**{**data, "id": generate_id(), "email": str(data["email"]).lower()})
        account = self._new_account(user, provider, profile, token)
        try:
            async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
                db.add(user)
                await db.flush()
                db.add(account)
                await self._hooks.after("user", "create", user.model_dump())
                await self._hooks.after("account", "create", account.model_dump())
        except IntegrityError:
            raise CallbackError("unable_to_create_user", error_url) from None
        audit("sign_up", user=user.id, method=provider.id)
        return user
