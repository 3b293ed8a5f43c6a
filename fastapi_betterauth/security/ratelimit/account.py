"""Throttling of failed email/password sign-ins per account (docs/security.md L2, L4), built so that it cannot be turned
into a lockout of the account's owner.

Three counters per email (fixed windows in the limiter's storage):

- per (email, client network): `max_failures` attempts that did not succeed, then that network is refused for that
  email until its window ends. An attacker's network is stopped; nobody else is affected.
- per email, all networks together: `max_failures_all_networks` (NIST's cap of 100). Reaching it takes at least
  `max_failures_all_networks / max_failures` networks; then networks that are not *known* for the email are refused
  until the window ends: a delay of at most one window, never a lockout.
- known networks: a network from which the email signed in successfully within `known_network_ttl`. The all-networks
  cap never applies to it, so the owner keeps signing in from their usual networks during a distributed attack.

An attempt is counted before the password is checked (so a burst of parallel guesses cannot slip through), a
success forgets both failure counters, and a password reset forgets the email's counters too. Unknown and known
emails are counted alike, so a 429 says nothing about whether an account exists.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import FixedWindowRateLimiter

from ...audit import audit, email_digest
from ...errors import AuthError, ErrorCode
from ...settings import AuthSettings
from .limiter import client_network, rate_limit_enabled, refusal
from .storage import NAMESPACE, LimitBackend

MESSAGE = "Too many failed sign-in attempts. Please try again later."
_FAILURES = "sign-in-failures"
_KNOWN = "sign-in-network"
_UNKNOWN_NETWORK = "unknown"
# Outcomes that prove the password: they end a run of failures like a successful sign-in.
_PASSWORD_PROVEN = frozenset({ErrorCode.EMAIL_NOT_VERIFIED.value})


def _seconds(value: float) -> int:
    return max(1, math.ceil(value))


class SignInThrottle:
    """Counts sign-in attempts per account; `attempt()` wraps the HTTP sign-in, `forgive()` follows a reset."""

    def __init__(self, settings: AuthSettings, backend: LimitBackend) -> None:
        options = settings.rate_limit.account
        self.enabled = rate_limit_enabled(settings) and options.enabled
        window = _seconds(options.window.total_seconds())
        self._per_network = RateLimitItemPerSecond(options.max_failures, window, namespace=NAMESPACE)
        self._per_account = RateLimitItemPerSecond(options.max_failures_all_networks, window, namespace=NAMESPACE)
        known_for = options.known_network_ttl.total_seconds()
        self._known = RateLimitItemPerSecond(1, _seconds(known_for), namespace=NAMESPACE) if known_for > 0 else None
        self._backend = backend
        self._limiter = FixedWindowRateLimiter(backend.storage)

    @asynccontextmanager
    async def attempt(self, email: str, ip: str | None) -> AsyncIterator[None]:
        """Around one password sign-in from `ip`: refuse it with 429 while the email is throttled for this network,
        count it, and forget the failures when the password turns out right."""
        if not self.enabled:
            yield
            return
        account, network = _keys(email, ip)
        await self._admit(account, network, ip)
        try:
            yield
        except AuthError as error:
            if error.code in _PASSWORD_PROVEN:
                await self._succeeded(account, network)
            raise
        await self._succeeded(account, network)

    async def forgive(self, email: str, ip: str | None) -> None:
        """Forget the failures of `email` (all networks, and those of `ip`'s): its owner just proved control of the
        mailbox. Other networks' counters stay, so an attacker's network remains refused."""
        if not self.enabled:
            return
        await self._forget_failures(*_keys(email, ip))

    async def _admit(self, account: str, network: str, ip: str | None) -> None:
        known = await self._is_known(account, network)
        # Checked first without counting, so a refusal by the account cap does not use up the network's attempts.
        if not known and not await self._limiter.test(self._per_account, _FAILURES, account):
            raise await self._refusal("account", account, ip, self._per_account, account)
        if not await self._limiter.hit(self._per_network, _FAILURES, account, network):
            raise await self._refusal("network", account, ip, self._per_network, account, network)
        if not await self._limiter.hit(self._per_account, _FAILURES, account) and not known:
            raise await self._refusal("account", account, ip, self._per_account, account)

    async def _refusal(self, scope: str, account: str, ip: str | None, item: RateLimitItem, *key: str) -> AuthError:
        audit("sign_in.throttled", scope=scope, email=account, ip=ip)
        return await refusal(self._backend, item, _FAILURES, *key, message=MESSAGE)

    async def _is_known(self, account: str, network: str) -> bool:
        if self._known is None:
            return False
        return await self._backend.storage.get(self._known.key_for(_KNOWN, account, network)) > 0

    async def _forget_failures(self, account: str, network: str) -> None:
        await self._limiter.clear(self._per_network, _FAILURES, account, network)
        await self._limiter.clear(self._per_account, _FAILURES, account)

    async def _succeeded(self, account: str, network: str) -> None:
        await self._forget_failures(account, network)
        if self._known is not None:
            # Cleared first: a window's end is fixed at its first hit, and each success starts a new one.
            await self._limiter.clear(self._known, _KNOWN, account, network)
            await self._limiter.hit(self._known, _KNOWN, account, network)


def _keys(email: str, ip: str | None) -> tuple[str, str]:
    """The throttle's keys for a sign-in: the address's digest and the client network."""
    return email_digest(email), client_network(ip) or _UNKNOWN_NETWORK
