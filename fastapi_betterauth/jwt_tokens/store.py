"""The `jwks` rows: which keys are published, which one signs, and making one on first use. No HTTP here."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from ..clock import Clock
from ..crypto.keyring import Keyring
from ..db.engine import Database
from . import keys
from .models import Jwk
from .options import JwtOptions


class KeyStore:
    """The signing keys in the `jwks` table, shared with a Node better-auth app (docs/security.md T9)."""

    def __init__(self, options: JwtOptions, database: Database, keyring: Keyring, clock: Clock) -> None:
        self._options = options
        self._database = database
        self._keyring = keyring
        self._clock = clock
        self._creating = asyncio.Lock()

    async def all_keys(self) -> list[Jwk]:
        async with self._database.session() as db:
            return list((await db.exec(select(Jwk))).all())

    def algorithm_of(self, row: Jwk) -> str:
        """A row's algorithm (a row without one counts as the configured algorithm, as in better-auth)."""
        return row.alg or self._options.algorithm

    async def published(self) -> list[Jwk]:
        """The keys `/jwks` lists: all but those expired longer ago than the grace period. With no key at all, one
        is made first (as better-auth's `/jwks` does)."""
        rows = await self.all_keys()
        if not rows:
            rows = [await self.signing_key()]
        horizon = self._clock.now() - timedelta(seconds=self._options.grace_period)
        return [row for row in rows if row.expires_at is None or _aware(row.expires_at) > horizon]

    async def signing_key(self) -> Jwk:
        """The newest live key of the configured algorithm; a new one when there is none (first use, rotation, or
        another algorithm configured)."""
        chosen = self._latest_live(await self.all_keys())
        if chosen is not None:
            return chosen
        async with self._creating:  # one new key per process when several requests find none at once
            chosen = self._latest_live(await self.all_keys())
            return chosen if chosen is not None else await self._create()

    def _latest_live(self, rows: list[Jwk]) -> Jwk | None:
        now = self._clock.now()
        live = [
            row
            for row in rows
            if self.algorithm_of(row) == self._options.algorithm
            and (row.expires_at is None or _aware(row.expires_at) > now)
        ]
        return max(live, key=lambda row: _aware(row.created_at), default=None)

    async def _create(self) -> Jwk:
        alg = self._options.algorithm
        key = keys.generate(alg)
        now = self._clock.now()
        interval = self._options.rotation_interval
        row = Jwk(
            public_key=keys.json_text(keys.public_jwk(key)),
            private_key=keys.seal_private_key(self._keyring, key),
            created_at=now,
            expires_at=now + timedelta(seconds=interval) if interval else None,
            alg=alg,
            crv=keys.key_type(alg)[1],
        )
        async with self._database.session() as db:
            db.add(row)
            await db.commit()
            await db.refresh(row)
        return row

    def private_key(self, row: Jwk) -> keys.KeyObject:
        return keys.open_private_key(self._keyring, row.private_key, self.algorithm_of(row))


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
