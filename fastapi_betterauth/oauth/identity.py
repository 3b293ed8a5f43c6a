"""Which user a provider identity signs in as. Identity is (provider, subject): a linked account signs in its
user; an address links to an existing user only when the provider vouches for it (or is trusted) and the local
address is verified (docs/security.md O7); otherwise a new user is made, unless sign-up is off. Without a database,
user and account are made from the provider's answer at every sign-in. No HTTP here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..audit import audit
from ..clock import Clock
from ..crypto.tokens import generate_id, stable_id
from ..db.engine import Database
from ..db.models import Account, User
from ..db.queries import find_provider_account, find_user_by_email
from ..errors import AuthError
from ..hooks import HookRunner, HookVetoError
from ..sessions.issuer import SessionIssuer, SignInAttempt
from ..sessions.service import AuthSession
from ..settings import SocialSettings
from ..users.service import UserService
from .accounts import AccountService
from .providers.base import OAuthProfile, OAuthProvider
from .results import CallbackError
from .token_storage import ProviderTokenCipher, granted_scope


@dataclass(frozen=True, slots=True)
class IdentityStores:
    """Where provider identities become users and accounts."""

    database: Database
    users: UserService
    accounts: AccountService
    """Linked accounts: their provider tokens are stored (and refreshed) there."""
    cipher: ProviderTokenCipher
    """Encrypts provider tokens on new accounts (`social.encrypt_oauth_tokens`)."""
    hooks: HookRunner
    has_database: bool = True
    """False when running without a database: users and accounts come from the provider's answer alone."""


AttemptFor = Callable[[User], SignInAttempt]
"""The sign-in attempt of a user (its method and client)."""


class IdentityResolver:
    """The user a provider identity signs in as, and the accounts that tie identities to users."""

    def __init__(self, options: SocialSettings, stores: IdentityStores, clock: Clock, issuer: SessionIssuer) -> None:
        self._options = options
        self._database = stores.database
        self._users = stores.users
        self._accounts = stores.accounts
        self._cipher = stores.cipher
        self._hooks = stores.hooks
        self._clock = clock
        self._issuer = issuer

    async def sign_in(
        self,
        provider: OAuthProvider,
        profile: OAuthProfile,
        token: Mapping[str, Any],
        error_url: str | None,
        attempt: AttemptFor,
    ) -> tuple[AuthSession, bool]:
        """The session of the user this provider identity signs in as, and whether the user is new. A new user, its
        account and its session are written as one (docs/security.md L10): a session that cannot be opened leaves no
        user behind."""
        user, found = await self._resolve(provider, profile, token, error_url, attempt)
        if found is not None:
            return found, True
        return await self._issuer.issue(attempt(user)), False

    async def _resolve(
        self,
        provider: OAuthProvider,
        profile: OAuthProfile,
        token: Mapping[str, Any],
        error_url: str | None,
        attempt: AttemptFor,
    ) -> tuple[User, AuthSession | None]:
        """The user this provider identity signs in as: linked account, safely linked address, or a new user, whose
        session comes with it."""
        options = self._options
        async with self._database.session() as db:
            linked = await find_provider_account(db, provider.id, profile.subject)
        if linked is not None:
            account, user = linked
            await self._accounts.store_tokens(account, token)
            changes = await self._returning_user_changes(provider, profile, user)
            if changes:
                user = await self._users.update(user, changes)
            return user, None
        if not profile.email:
            raise CallbackError("email_not_found", error_url)
        async with self._database.session() as db:
            existing = await find_user_by_email(db, profile.email)
        if existing is not None:
            if not (self.may_link(provider, profile) and existing.email_verified):
                raise CallbackError("account_not_linked", error_url)
            try:
                await self.add_account(existing, provider, profile, token)
            except HookVetoError:
                raise CallbackError("unable_to_link_account", error_url) from None
            return existing, None
        if options.disable_sign_up:
            raise CallbackError("signup_disabled", error_url)
        return await self._create_user(provider, profile, token, error_url, attempt)

    def cookie_identity(
        self, provider: OAuthProvider, profile: OAuthProfile, token: Mapping[str, Any], error_url: str | None
    ) -> tuple[User, Account]:
        """Without a database, the user and the account are made from the provider's answer at every sign-in. Their
        ids derive from (provider, subject), so a person keeps one user id across sign-ins, restarts and instances."""
        if not profile.email:
            raise CallbackError("email_not_found", error_url)
        if self._options.disable_sign_up:
            raise CallbackError("signup_disabled", error_url)  # nobody "already has an account" without a database
        now = self._clock.now()
        user = User(
            id=stable_id("user", provider.id, profile.subject),
            name=profile.name or profile.email.split("@")[0],
            email=profile.email,  # already through provider_email (O10)
            email_verified=profile.email_verified,
            image=profile.image,
            created_at=now,
            updated_at=now,
        )
        account = self._new_account(user, provider, profile, token)
        account.id = stable_id("account", provider.id, profile.subject)
        return user, account

    def may_link(self, provider: OAuthProvider, profile: OAuthProfile) -> bool:
        """Linking is on and the provider vouches for the address (it says verified, or it is trusted; O7)."""
        options = self._options
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

    async def _hooked_account(
        self, user: User, provider: OAuthProvider, profile: OAuthProfile, token: Mapping[str, Any]
    ) -> Account:
        """A new account of `user`, as the account `before_create` hook leaves it (it cannot change the id or the
        owner), as for email sign-up; `HookVetoError` when the hook refuses it."""
        account = self._new_account(user, provider, profile, token)
        if not self._hooks.has("account", "create"):
            return account
        data = await self._hooks.before("account", "create", account.model_dump(exclude={"id"}))
        return Account(**{**data, "id": account.id, "user_id": user.id})

    async def add_account(
        self, user: User, provider: OAuthProvider, profile: OAuthProfile, token: Mapping[str, Any]
    ) -> None:
        """Link a new account to `user`, through the account create hooks (`HookVetoError` when one refuses)."""
        account = await self._hooked_account(user, provider, profile, token)
        async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
            db.add(account)
            await self._hooks.after("account", "create", account.model_dump())

    async def _create_user(
        self,
        provider: OAuthProvider,
        profile: OAuthProfile,
        token: Mapping[str, Any],
        error_url: str | None,
        attempt: AttemptFor,
    ) -> tuple[User, AuthSession]:
        now = self._clock.now()
        assert profile.email is not None
        fields = self._users.fields
        try:  # a provider's profile sets no additional field: each takes its default
            extra = fields.parse_input({}, "create")
        except AuthError:
            raise CallbackError("unable_to_create_user", error_url) from None
        new_user = {
            "name": profile.name or profile.email.split("@")[0],
            "email": profile.email,
            "email_verified": profile.email_verified,
            "image": profile.image,
            "created_at": now,
            "updated_at": now,
            **extra,
        }
        try:  # a refusing hook fails the callback like any other failure, with better-auth's error
            data = await self._hooks.before("user", "create", new_user)
            user = fields.build({**data, "id": generate_id(), "email": str(data["email"]).lower()})
            account = await self._hooked_account(user, provider, profile, token)
        except HookVetoError:
            raise CallbackError("unable_to_create_user", error_url) from None
        checked = await self._issuer.check(attempt(user))  # before the transaction, as for a password sign-up
        try:
            async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
                await fields.insert(db, user)
                db.add(account)
                await self._hooks.after("user", "create", fields.hook_data(user))
                await self._hooks.after("account", "create", account.model_dump())
                found = await self._issuer.create(checked, db=db)
        except IntegrityError:
            raise CallbackError("unable_to_create_user", error_url) from None
        audit("sign_up", user=user.id, method=provider.id)
        return user, found
