"""Issue and consume one-time tokens (docs/better-auth.md#data-model; docs/security.md L5).

Tokens are 32 random alphanumerics (~190 bits). The table holds only `identifier = base64url(SHA-256("<purpose>:
<token>"))` (better-auth's `storeIdentifier: "hashed"` format), so a leaked table grants nothing. Consuming is one
`DELETE ... RETURNING`: of two concurrent uses exactly one gets the value. An expired token is deleted as well and
reported as expired.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..clock import Clock
from ..crypto.tokens import generate_id, sha256_base64url
from ..db.dialects import delete_returning
from ..db.engine import Database
from ..db.models import Verification


@dataclass(frozen=True, slots=True)
class Redeemed:
    """What a presented token turned out to be."""

    value: dict[str, Any] | None
    """The data issued with the token; None when the token is unknown, used or expired (`peek` can include
    expired ones)."""
    expired: bool = False


SWEEP_EVERY = timedelta(hours=1)
"""How often an instance sweeps expired rows, on its next write."""
SWEEP_GRACE = timedelta(days=1)
"""How long an expired row is kept before it is swept: a link followed just after it expired is still reported as
expired, not as unknown."""


class VerificationService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock
        self._swept_at: datetime | None = None

    @staticmethod
    def _identifier(purpose: str, token: str) -> str:
        return sha256_base64url(f"{purpose}:{token}")

    async def issue(self, purpose: str, value: dict[str, Any], ttl: timedelta) -> str:
        """A new token for `purpose` carrying `value`, valid for `ttl`. Only its hash is stored."""
        token = generate_id(32)
        now = self._clock.now()
        row = Verification(
            id=generate_id(),
            identifier=self._identifier(purpose, token),
            value=json.dumps(value, separators=(",", ":")),
            expires_at=now + ttl,
            created_at=now,
            updated_at=now,
        )
        async with self._database.session() as db, db.begin():
            db.add(row)
        await self._sweep_now_and_then(now)
        return token

    async def consume(self, purpose: str, token: str) -> Redeemed:
        """Use the token up (atomically: a second use, even a concurrent one, finds nothing)."""
        statement = delete(Verification).where(
            Verification.identifier == self._identifier(purpose, token)  # type: ignore[arg-type]
        )
        table = Verification.__table__  # type: ignore[attr-defined]
        async with self._database.session() as db, db.begin():
            rows = await delete_returning(db, statement, [table.c.value, table.c.expiresAt])
        return self._redeemed(rows[0] if rows else None)

    async def peek(self, purpose: str, token: str, *, include_expired: bool = False) -> Redeemed:
        """What the token would give, without using it (a link's landing page checks before showing a form).
        `include_expired`: an expired token's value too (with `expired` set), for callers that report where it
        was headed."""
        statement = select(Verification.value, Verification.expires_at).where(  # type: ignore[call-overload]
            Verification.identifier == self._identifier(purpose, token)
        )
        async with self._database.session() as db:
            row = (await db.exec(statement)).first()
        return self._redeemed(row, include_expired=include_expired)

    def _redeemed(self, row: Any, *, include_expired: bool = False) -> Redeemed:
        if row is None:
            return Redeemed(None)
        value, expires_at = row
        expired = expires_at <= self._clock.now()
        if expired and not include_expired:
            return Redeemed(None, expired=True)
        try:
            loaded = json.loads(value)
        except ValueError:
            return Redeemed(None, expired=expired)
        return Redeemed(loaded if isinstance(loaded, dict) else None, expired=expired)

    async def use_once(self, purpose: str, token: str, expires_at: datetime) -> bool:
        """Record the first use of a token that carries its own proof (a signed link), and say whether this is it.

        The mark is a row whose primary key derives from the token's hash, so of two concurrent uses exactly one
        inserts it; it is kept until `expires_at`, when the token is worthless anyway.
        """
        identifier = self._identifier(f"used:{purpose}", token)
        now = self._clock.now()
        mark = Verification(
            id=f"used-{identifier}",
            identifier=identifier,
            value="",
            expires_at=expires_at,
            created_at=now,
            updated_at=now,
        )
        try:
            async with self._database.session() as db, db.begin():
                db.add(mark)
        except IntegrityError:
            return False
        await self._sweep_now_and_then(now)
        return True

    async def delete_expired(self, *, grace: timedelta = timedelta(0)) -> int:
        """Remove the rows that expired more than `grace` ago (every kind: tokens, used-link marks, OAuth states,
        stateless-session revocations): how many. Writes run it now and then (`SWEEP_EVERY`, with `SWEEP_GRACE`);
        `python -m fastapi_betterauth sweep` runs it at once."""
        cutoff = self._clock.now() - grace
        statement = delete(Verification).where(Verification.expires_at <= cutoff)  # type: ignore[arg-type]
        async with self._database.session() as db, db.begin():
            result = await db.exec(statement)
        return int(result.rowcount or 0)

    async def _sweep_now_and_then(self, now: datetime) -> None:
        if self._swept_at is not None and now - self._swept_at < SWEEP_EVERY:
            return
        self._swept_at = now
        await self.delete_expired(grace=SWEEP_GRACE)
