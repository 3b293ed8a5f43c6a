"""A user's linked accounts (docs/better-auth.md#linked-accounts, #provider-tokens): list, unlink, and provider access
tokens kept fresh.

Every operation on one account names it by its row id (`account.id`, the `id` of `/list-accounts`), never by the
provider or the provider's subject, as better-auth's endpoints do.

Refreshing takes a per-account lock, so concurrent `get-access-token` calls spend a rotating refresh token once
(better-auth has no lock). The lock is per process; behind several instances, a provider that rotates refresh
tokens may still see a second use (the loser then gets an error and can retry).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import select

from ..clock import Clock
from ..db.engine import Database
from ..db.models import Account
from ..errors import AuthError, ErrorCode
from ..hooks import HookRunner
from ..settings import SocialSettings
from .client import ProviderClient, ProviderError
from .providers.base import OAuthProfile, OAuthProvider
from .token_storage import ProviderTokenCipher, account_scopes

REFRESH_WINDOW = timedelta(seconds=5)
"""`get-access-token` refreshes an access token that expires within this long (better-auth's window)."""


@dataclass(frozen=True, slots=True)
class AccessToken:
    """What `get-access-token` answers: a provider access token in plain text, for the account's owner."""

    account: Account
    access_token: str
    expires_at: datetime | None
    scopes: list[str]
    id_token: str | None


@dataclass(frozen=True, slots=True)
class RefreshedTokens:
    """What `refresh-token` answers: the provider's new tokens (the refresh token in plain text)."""

    account: Account
    access_token: str
    refresh_token: str | None
    access_token_expires_at: datetime | None
    refresh_token_expires_at: datetime | None
    id_token: str | None


def provider_not_supported(provider_id: str) -> AuthError:
    """400 `PROVIDER_NOT_SUPPORTED`: the account's provider is not configured here (any more)."""
    return AuthError(ErrorCode.PROVIDER_NOT_SUPPORTED, 400, f"Provider {provider_id} is not supported.")


class AccountService:
    def __init__(
        self,
        settings: SocialSettings,
        providers: dict[str, OAuthProvider],
        database: Database,
        client: ProviderClient,
        clock: Clock,
        hooks: HookRunner,
        cipher: ProviderTokenCipher,
    ) -> None:
        self._settings = settings
        self._cipher = cipher
        self._providers = providers
        self._database = database
        self._client = client
        self._clock = clock
        self._hooks = hooks
        self._locks: dict[str, asyncio.Lock] = {}

    async def list(self, user_id: str) -> list[Account]:
        statement = select(Account).where(Account.user_id == user_id).order_by(Account.created_at)  # type: ignore[arg-type]
        async with self._database.session() as db:
            return list((await db.exec(statement)).all())

    async def find(self, user_id: str, account_id: str) -> Account:
        """The user's account with this row id; 400 `ACCOUNT_NOT_FOUND` for an unknown or another user's id."""
        statement = select(Account).where(Account.user_id == user_id, Account.id == account_id)
        async with self._database.session() as db:
            found = (await db.exec(statement)).first()
        if found is None:
            raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)
        return found

    async def unlink(self, user_id: str, account_id: str) -> None:
        """Remove a way to sign in. The last one stays unless `allow_unlinking_all` (checked first, whatever the id,
        as better-auth does)."""
        accounts = await self.list(user_id)
        if len(accounts) == 1 and not self._settings.allow_unlinking_all:
            raise AuthError(ErrorCode.FAILED_TO_UNLINK_LAST_ACCOUNT)
        account = next((a for a in accounts if a.id == account_id), None)
        if account is None:
            raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)
        async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
            await self._hooks.before("account", "delete", account.model_dump())
            await db.exec(delete(Account).where(Account.id == account.id))  # type: ignore[arg-type]
            await self._hooks.after("account", "delete", account.model_dump())

    async def access_token(self, user_id: str, account_id: str) -> AccessToken:
        """The account's access token, refreshed first when it expires within `REFRESH_WINDOW` and a refresh token
        is kept. Errors: 400 `ACCOUNT_NOT_FOUND`, `PROVIDER_NOT_SUPPORTED`, `FAILED_TO_GET_ACCESS_TOKEN`."""
        return (await self.valid_access_token(await self.find(user_id, account_id)))[0]

    async def valid_access_token(self, account: Account, *, store: bool = True) -> tuple[AccessToken, bool]:
        """`access_token` for an account in hand; True when it was refreshed. `store=False` for an account kept
        outside the database (the caller re-issues its cookie)."""
        provider = self._providers.get(account.provider_id)
        if provider is None:
            raise provider_not_supported(account.provider_id)
        refreshed = False
        if account.refresh_token and self._expiring(account):
            try:
                account = await self._refresh(provider, account, store=store, only_if_expiring=True)
            except (ProviderError, _Unreadable):
                raise AuthError(ErrorCode.FAILED_TO_GET_ACCESS_TOKEN) from None
            refreshed = True
        access = self._cipher.open(account.access_token) if account.access_token else ""
        if access is None:  # sealed with a secret we no longer have: no token, never the ciphertext
            raise AuthError(ErrorCode.FAILED_TO_GET_ACCESS_TOKEN)
        token = AccessToken(account, access, account.access_token_expires_at, account_scopes(account), account.id_token)
        return token, refreshed

    def _expiring(self, account: Account) -> bool:
        expires = account.access_token_expires_at
        return expires is not None and expires - self._clock.now() < REFRESH_WINDOW

    async def refresh(self, user_id: str, account_id: str) -> RefreshedTokens:
        """Use the refresh token now (one refresh per account at a time) and store the new tokens. Errors: 400
        `ACCOUNT_NOT_FOUND`, `PROVIDER_NOT_SUPPORTED`, `REFRESH_TOKEN_NOT_FOUND`, `FAILED_TO_REFRESH_ACCESS_TOKEN`."""
        return await self.refresh_account(await self.find(user_id, account_id))

    async def refresh_account(self, account: Account, *, store: bool = True) -> RefreshedTokens:
        """`refresh` for an account in hand (`store=False`: kept outside the database)."""
        provider = self._providers.get(account.provider_id)
        if provider is None:
            raise provider_not_supported(account.provider_id)
        if not account.refresh_token:
            raise AuthError(ErrorCode.REFRESH_TOKEN_NOT_FOUND)
        try:
            account = await self._refresh(provider, account, store=store)
        except (ProviderError, _Unreadable):
            raise AuthError(ErrorCode.FAILED_TO_REFRESH_ACCESS_TOKEN) from None
        access, refresh = self._cipher.open(account.access_token), self._cipher.open(account.refresh_token)
        if access is None:
            raise AuthError(ErrorCode.FAILED_TO_REFRESH_ACCESS_TOKEN)
        return RefreshedTokens(
            account,
            access,
            refresh,
            account.access_token_expires_at,
            account.refresh_token_expires_at,
            account.id_token,
        )

    async def _refresh(
        self, provider: OAuthProvider, account: Account, *, store: bool, only_if_expiring: bool = False
    ) -> Account:
        """Refresh under the account's lock; with `only_if_expiring`, a token another caller refreshed meanwhile
        is taken as it is. `ProviderError` when the provider refuses, `_Unreadable` when the refresh token is
        sealed with a secret we no longer have."""
        async with self._locks.setdefault(account.id, asyncio.Lock()):
            if store:
                async with self._database.session() as db:
                    current = await db.get(Account, account.id)
                if current is None:
                    raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)
                account = current
                if only_if_expiring and not self._expiring(account):
                    return account
            refresh_token = self._cipher.open(account.refresh_token)
            if not refresh_token:
                raise _Unreadable
            token = await self._client.refresh(provider, refresh_token)
            if store:
                await self.store_tokens(account, token)
            else:
                account.sqlmodel_update(self._cipher.account_fields(token, self._clock.now(), account))
            return account

    async def provider_profile(self, account: Account, *, store: bool = True) -> tuple[OAuthProfile, AccessToken, bool]:
        """What the provider says now about an account of the user (its user-info, asked with a valid access
        token), with that token and whether it was refreshed. Errors: those of `access_token`, 400
        `PROVIDER_NOT_CONFIGURED`, `ACCESS_TOKEN_NOT_FOUND`, 401 `FAILED_TO_GET_USER_INFO`."""
        provider = self._providers.get(account.provider_id)
        if provider is None:
            raise AuthError(ErrorCode.PROVIDER_NOT_CONFIGURED)
        token, refreshed = await self.valid_access_token(account, store=store)
        if not token.access_token:
            raise AuthError(ErrorCode.ACCESS_TOKEN_NOT_FOUND)
        try:
            data = await self._client.user_info(provider, {"access_token": token.access_token})
            return provider.map_profile(data), token, refreshed
        except (ProviderError, KeyError, TypeError, ValueError):
            raise AuthError(ErrorCode.FAILED_TO_GET_USER_INFO) from None

    async def store_tokens(self, account: Account, token: Mapping[str, Any], **columns: Any) -> None:
        """Write a provider token response (and any other `columns`, e.g. a grown scope) to the account: the one
        place account tokens are written."""
        account.sqlmodel_update({**self._cipher.account_fields(token, self._clock.now(), account), **columns})
        async with self._database.session() as db, db.begin():
            db.add(account)


class _Unreadable(Exception):
    """A stored refresh token that does not open (sealed with a retired secret)."""
