"""A user's linked accounts (SPEC §5.6, §5.8): list, unlink, and provider access tokens kept fresh.

Refreshing takes a per-account lock, so concurrent `get-access-token` calls spend a rotating refresh token once
(better-auth has no lock). The lock is per process; behind several instances, a provider that rotates refresh
tokens may still see a second use (the loser then gets `FAILED_TO_REFRESH_ACCESS_TOKEN` and can retry).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
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
from .token_storage import ProviderTokenCipher, ProviderTokens

EXPIRY_MARGIN = timedelta(seconds=10)


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

    async def find(self, user_id: str, provider_id: str, account_id: str | None = None) -> Account:
        """The user's (first) account with this provider, and this provider subject when given."""
        statement = select(Account).where(Account.user_id == user_id, Account.provider_id == provider_id)
        if account_id is not None:
            statement = statement.where(Account.account_id == account_id)
        async with self._database.session() as db:
            found = (await db.exec(statement.order_by(Account.created_at).limit(1))).first()  # type: ignore[arg-type]
        if found is None:
            raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)
        return found

    async def unlink(self, user_id: str, provider_id: str, account_id: str | None = None) -> None:
        """Remove a way to sign in; never the last one unless `allow_unlinking_all`."""
        accounts = await self.list(user_id)
        account = next(
            (a for a in accounts if a.provider_id == provider_id and account_id in (None, a.account_id)), None
        )
        if account is None:
            raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)
        if len(accounts) <= 1 and not self._settings.allow_unlinking_all:
            raise AuthError(ErrorCode.FAILED_TO_UNLINK_LAST_ACCOUNT)
        async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
            await self._hooks.before("account", "delete", account.model_dump())
            await db.exec(delete(Account).where(Account.id == account.id))  # type: ignore[arg-type]
            await self._hooks.after("account", "delete", account.model_dump())

    async def access_token(self, user_id: str, provider_id: str, account_id: str | None = None) -> ProviderTokens:
        """The account's tokens with a valid access token, refreshed first when it is about to expire."""
        account = await self.find(user_id, provider_id, account_id)
        tokens = self._cipher.tokens(account)
        return tokens if self._usable(tokens) else await self._refresh(account, only_if_expiring=True)

    def _usable(self, tokens: ProviderTokens) -> bool:
        """An access token that is there (and readable) and not about to expire."""
        expires = tokens.account.access_token_expires_at
        return tokens.access_token is not None and (expires is None or expires - EXPIRY_MARGIN > self._clock.now())

    async def refresh(
        self, user_id: str, provider_id: str, account_id: str | None = None, *, only_if_expiring: bool = False
    ) -> ProviderTokens:
        """Use the refresh token (one refresh per account at a time) and store the new tokens."""
        if provider_id not in self._providers:
            raise AuthError(ErrorCode.PROVIDER_NOT_FOUND, 404)
        return await self._refresh(await self.find(user_id, provider_id, account_id))

    async def _refresh(self, account: Account, *, only_if_expiring: bool = False) -> ProviderTokens:
        provider = self._providers.get(account.provider_id)
        if provider is None:
            raise AuthError(ErrorCode.PROVIDER_NOT_FOUND, 404)
        async with self._locks.setdefault(account.id, asyncio.Lock()):
            async with self._database.session() as db:  # another caller may have refreshed it meanwhile
                current = await db.get(Account, account.id)
            if current is None:
                raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)
            account = current
            tokens = self._cipher.tokens(account)
            if only_if_expiring and self._usable(tokens):
                return tokens
            await self.store_tokens(account, await self._refreshed(provider, tokens))
            return self._cipher.tokens(account)

    async def _refreshed(self, provider: OAuthProvider, tokens: ProviderTokens) -> Mapping[str, Any]:
        """The provider's answer to the account's refresh token."""
        if not tokens.refresh_token:
            raise AuthError(ErrorCode.REFRESH_TOKEN_NOT_FOUND)
        try:
            return await self._client.refresh(provider, tokens.refresh_token)
        except ProviderError:
            raise AuthError(ErrorCode.FAILED_TO_REFRESH_ACCESS_TOKEN) from None

    async def fresh_tokens(self, account: Account) -> tuple[ProviderTokens, bool]:
        """For an account kept outside the database (the `account_data` cookie): its tokens with a valid access
        token, refreshed first when about to expire; True when they changed (the caller re-issues the cookie)."""
        tokens = self._cipher.tokens(account)
        if self._usable(tokens):
            return tokens, False
        provider = self._providers.get(account.provider_id)
        if provider is None:
            raise AuthError(ErrorCode.PROVIDER_NOT_FOUND, 404)
        token = await self._refreshed(provider, tokens)
        account.sqlmodel_update(self._cipher.account_fields(token, self._clock.now(), account))
        return self._cipher.tokens(account), True

    async def provider_profile(self, user_id: str, account_ref: str) -> OAuthProfile:
        """What the provider says now about one of the user's accounts (by account row id or provider subject)."""
        accounts = [a for a in await self.list(user_id) if account_ref in (a.id, a.account_id)]
        provider = self._providers.get(accounts[0].provider_id) if accounts else None
        if not accounts or provider is None:
            raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)
        tokens = self._cipher.tokens(accounts[0])
        if not self._usable(tokens):
            tokens = await self._refresh(accounts[0], only_if_expiring=True)
        try:
            data = await self._client.user_info(provider, {"access_token": tokens.access_token})
            return provider.map_profile(data)
        except (ProviderError, KeyError, TypeError, ValueError):
            raise AuthError(ErrorCode.FAILED_TO_GET_USER_INFO) from None

    async def store_tokens(self, account: Account, token: Mapping[str, Any]) -> None:
        """Write a provider token response to the account (the one place account tokens are written)."""
        account.sqlmodel_update(self._cipher.account_fields(token, self._clock.now(), account))
        async with self._database.session() as db, db.begin():
            db.add(account)
