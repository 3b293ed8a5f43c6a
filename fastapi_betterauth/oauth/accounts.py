"""A user's linked accounts (SPEC §5.6, §5.8): list, unlink, and provider access tokens kept fresh.

Refreshing takes a per-account lock, so concurrent `get-access-token` calls spend a rotating refresh token once
(better-auth has no lock). The lock is per process; behind several instances, a provider that rotates refresh
tokens may still see a second use (the loser then gets `FAILED_TO_REFRESH_ACCESS_TOKEN` and can retry).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import select

from ..clock import Clock
from ..db.engine import Database
from ..db.models import Account
from ..errors import AuthError, ErrorCode
from ..hooks import HookRunner
from ..settings import SocialSettings
from .client import ProviderClient, ProviderError
from .providers.base import OAuthProfile, OAuthProvider

EXPIRY_MARGIN = timedelta(seconds=10)


def account_token_fields(token: Mapping[str, Any], now: datetime, current: Account | None = None) -> dict[str, Any]:
    """The account columns for a provider token response, the one place that decides them.

    Tokens the response lacks keep their stored values (providers often send a refresh token only once), and the
    granted scope only grows (SPEC §5.5): a narrower sign-in never forgets what was granted before.
    """
    expires_in = token.get("expires_in")
    granted = set(str(token.get("scope") or "").split())
    if current is not None:
        granted |= set((current.scope or "").split(","))
    return {
        "access_token": token.get("access_token") or (current.access_token if current else None),
        "refresh_token": token.get("refresh_token") or (current.refresh_token if current else None),
        "id_token": token.get("id_token") or (current.id_token if current else None),
        "access_token_expires_at": now + timedelta(seconds=int(expires_in)) if expires_in else None,
        "scope": ",".join(sorted(scope for scope in granted if scope)) or None,
        "updated_at": now,
    }


class AccountService:
    def __init__(
        self,
        settings: SocialSettings,
        providers: dict[str, OAuthProvider],
        database: Database,
        client: ProviderClient,
        clock: Clock,
        hooks: HookRunner,
    ) -> None:
        self._settings = settings
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
        for account in await self.list(user_id):
            if account.provider_id == provider_id and (account_id is None or account.account_id == account_id):
                return account
        raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)

    async def unlink(self, user_id: str, provider_id: str, account_id: str | None = None) -> None:
        """Remove a way to sign in; never the last one unless `allow_unlinking_all`."""
        account = await self.find(user_id, provider_id, account_id)
        count = select(func.count()).select_from(Account).where(Account.user_id == user_id)
        async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
            if (await db.exec(count)).one() <= 1 and not self._settings.allow_unlinking_all:
                raise AuthError(ErrorCode.FAILED_TO_UNLINK_LAST_ACCOUNT)
            await self._hooks.before("account", "delete", account.model_dump())
            await db.exec(delete(Account).where(Account.id == account.id))  # type: ignore[arg-type]
            await self._hooks.after("account", "delete", account.model_dump())

    async def access_token(self, user_id: str, provider_id: str, account_id: str | None = None) -> Account:
        """The account with a valid access token, refreshed first when it is about to expire."""
        account = await self.find(user_id, provider_id, account_id)
        if not self._expiring(account):
            return account
        return await self.refresh(user_id, provider_id, account_id, only_if_expiring=True)

    def _expiring(self, account: Account) -> bool:
        expires = account.access_token_expires_at
        return account.access_token is None or (expires is not None and expires - EXPIRY_MARGIN <= self._clock.now())

    async def refresh(
        self, user_id: str, provider_id: str, account_id: str | None = None, *, only_if_expiring: bool = False
    ) -> Account:
        """Use the refresh token (one refresh per account at a time) and store the new tokens."""
        provider = self._providers.get(provider_id)
        if provider is None:
            raise AuthError(ErrorCode.PROVIDER_NOT_FOUND, 404)
        account = await self.find(user_id, provider_id, account_id)
        lock = self._locks.setdefault(account.id, asyncio.Lock())
        async with lock:
            account = await self.find(user_id, provider_id, account_id)  # another caller may have refreshed it
            if only_if_expiring and not self._expiring(account):
                return account
            if not account.refresh_token:
                raise AuthError(ErrorCode.REFRESH_TOKEN_NOT_FOUND)
            try:
                token = await self._client.refresh(provider, account.refresh_token)
            except ProviderError:
                raise AuthError(ErrorCode.FAILED_TO_REFRESH_ACCESS_TOKEN) from None
            await self._store(account, token)
            return account

    async def provider_profile(self, user_id: str, account_ref: str) -> tuple[Account, OAuthProfile]:
        """What the provider says now about one of the user's accounts (by account row id or provider subject)."""
        accounts = [a for a in await self.list(user_id) if account_ref in (a.id, a.account_id)]
        provider = self._providers.get(accounts[0].provider_id) if accounts else None
        if not accounts or provider is None:
            raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)
        account = await self.access_token(user_id, accounts[0].provider_id, accounts[0].account_id)
        try:
            data = await self._client.user_info(provider, {"access_token": account.access_token})
            return account, provider.map_profile(data)
        except (ProviderError, KeyError, TypeError, ValueError):
            raise AuthError(ErrorCode.FAILED_TO_GET_USER_INFO) from None

    async def _store(self, account: Account, token: dict[str, Any]) -> None:
        account.sqlmodel_update(account_token_fields(token, self._clock.now(), account))
        async with self._database.session() as db, db.begin():
            db.add(account)
