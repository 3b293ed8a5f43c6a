"""Linking a provider account to a signed-in user: from the OAuth callback of a flow `link-social` started, or at
once from an id token. The provider must vouch for the address, which must be the user's unless different addresses
are allowed, and a link finished from a callback needs the session that started it to be still live. No HTTP here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..clock import Clock
from ..crypto.envelope import EnvelopeError, open_sealed, purpose_keyring, seal
from ..crypto.keyring import Keyring
from ..db.models import User
from ..db.queries import find_provider_account
from ..errors import AuthError, ErrorCode
from ..hooks import HookVetoError
from ..sessions.issuer import SessionIssuer
from ..sessions.service import SessionService
from ..settings import SocialSettings
from .identity import IdentityResolver, IdentityStores
from .providers.base import OAuthProfile, OAuthProvider
from .results import CallbackError
from .token_storage import merged_scope

LINK_SESSION_PURPOSE = "oauth-link-session-token"


@dataclass(frozen=True, slots=True)
class SessionAccess:
    """How the OAuth flow reaches sessions: issuing one at sign-in, and checking the one a link started from."""

    sessions: SessionService
    issuer: SessionIssuer
    """Every sign-in becomes a session here, through the plugins' sign-in stages."""
    keyring: Keyring | None = None
    """Seals the session token a link started from; None: links are not tied to their session."""
    session_rows: bool = True
    """Sessions can be looked up by token (not stateless), so a link checks its session is still live."""


class AccountLinker:
    """Adds provider accounts to users who are signed in."""

    def __init__(
        self,
        options: SocialSettings,
        stores: IdentityStores,
        access: SessionAccess,
        identities: IdentityResolver,
        clock: Clock,
    ) -> None:
        self._link_keys = purpose_keyring(access.keyring, LINK_SESSION_PURPOSE) if access.keyring is not None else None
        """Seals the session token a link started from (better-auth's `encryptedSessionToken`)."""
        self._session_rows = access.session_rows
        """Sessions can be looked up by token (not stateless), so a link checks its session is still live."""
        self._options = options
        self._database = stores.database
        self._accounts = stores.accounts
        self._sessions = access.sessions
        self._identities = identities
        self._clock = clock

    def seal_session(self, session_token: str) -> str | None:
        """The session token a link starts from, sealed for the flow's state; None when links are not tied to it."""
        return seal(self._link_keys, session_token) if self._link_keys is not None else None

    async def link_from_callback(
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
        if not self._identities.may_link(provider, profile):
            raise CallbackError("unable_to_link_account", error_url)
        if profile.email != link.get("email") and not self._options.allow_different_emails:
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
        try:
            await self._identities.add_account(user, provider, profile, token)
        except HookVetoError:
            raise CallbackError("unable_to_link_account", error_url) from None

    async def link_id_token(
        self, user: User, provider: OAuthProvider, profile: OAuthProfile, token: Mapping[str, Any]
    ) -> None:
        """Link the account of a checked id token to `user` at once (errors as `OAuthService.link_with_id_token`)."""
        async with self._database.session() as db:
            linked = await find_provider_account(db, provider.id, profile.subject)
        if linked is not None:
            account, owner = linked
            if owner.id != user.id:
                raise AuthError(ErrorCode.SOCIAL_ACCOUNT_ALREADY_LINKED)
            await self._accounts.store_tokens(account, token)
            return
        if not self._identities.may_link(provider, profile):
            raise AuthError(ErrorCode.LINKING_NOT_ALLOWED)
        if profile.email != user.email.lower() and not self._options.allow_different_emails:
            raise AuthError(ErrorCode.LINKING_DIFFERENT_EMAILS_NOT_ALLOWED)
        try:
            await self._identities.add_account(user, provider, profile, token)
        except (IntegrityError, HookVetoError):
            raise AuthError(ErrorCode.LINKING_FAILED) from None

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
