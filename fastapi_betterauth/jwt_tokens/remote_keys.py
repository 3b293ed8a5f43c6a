"""A JWKS fetched over HTTP and cached, for services that verify tokens without the auth server's database.

The set is fetched on first use and again when it is older than `max_age`. A token whose `kid` is not in the cached
set (the auth server rotated its key) makes one refetch, but never more often than once per `cooldown`, so tokens
with made-up `kid`s cannot make this service hammer the auth server (docs/security.md T9).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx2 as httpx

from ..clock import Clock, SystemClock


class JWKSUnavailableError(RuntimeError):
    """The JWKS could not be fetched (the auth server is down, or answered something that is not a key set)."""


class RemoteJWKS:
    """The public keys at `url`, by `kid`."""

    def __init__(
        self,
        url: str,
        *,
        max_age: timedelta = timedelta(minutes=10),
        cooldown: timedelta = timedelta(seconds=30),
        timeout: float = 5.0,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.url = url
        self._max_age = max_age
        self._cooldown = cooldown
        self._timeout = timeout
        self._client = http_client
        self._clock = clock or SystemClock()
        self._keys: dict[str, Mapping[str, Any]] = {}
        self._fetched_at: datetime | None = None
        self._attempted_at: datetime | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Mapping[str, Any] | None:
        """The public JWK of `kid`, refetching the set when it is stale, or when `kid` is unknown and the cooldown
        has passed; None when the set has no such key. `JWKSUnavailableError` when no set could ever be fetched."""
        if self._fresh() and kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if not self._fresh() or (kid not in self._keys and self._cooldown_over()):
                await self._refresh()
            return self._keys.get(kid)

    def _fresh(self) -> bool:
        return self._fetched_at is not None and self._clock.now() - self._fetched_at < self._max_age

    def _cooldown_over(self) -> bool:
        return self._attempted_at is None or self._clock.now() - self._attempted_at >= self._cooldown

    async def _refresh(self) -> None:
        if not self._cooldown_over():
            if self._fetched_at is None:  # the last try failed just now: do not ask a server that is down again
                raise JWKSUnavailableError(f"the JWKS at {self.url} could not be fetched; retrying after the cooldown")
            return  # stale, but just tried: keep serving what we have
        self._attempted_at = self._clock.now()
        try:
            keys = await self._fetch()
        except JWKSUnavailableError:
            if self._fetched_at is None:
                raise
            return  # keep the last good set while the auth server is away
        self._keys = keys
        self._fetched_at = self._clock.now()

    async def _fetch(self) -> dict[str, Mapping[str, Any]]:
        try:
            if self._client is not None:
                response = await self._client.get(self.url, timeout=self._timeout)
            else:
                async with httpx.AsyncClient() as client:
                    response = await client.get(self.url, timeout=self._timeout)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise JWKSUnavailableError(f"cannot fetch the JWKS at {self.url}: {error}") from error
        members = body.get("keys") if isinstance(body, dict) else None
        if not isinstance(members, list):
            raise JWKSUnavailableError(f"{self.url} is not a JWKS")
        return {key["kid"]: key for key in members if isinstance(key, dict) and isinstance(key.get("kid"), str)}
