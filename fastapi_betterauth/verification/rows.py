"""Verification rows by the identifiers better-auth's plugins give them (two-factor's `2fa-<id>`, `2fa-otp-<key>`,
`trust-device-<id>`; magic-link's `magic-link:<hash>`; email-otp's `<type>-otp-<email>`), so what one app sharing
the database records is understood by the other. What each plugin puts in the identifier and value, and why that
grants nothing to a reader of the table, is the plugin's concern. No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..clock import Clock
from ..crypto.tokens import generate_id, stable_id
from ..db.dialects import delete_returning
from ..db.engine import Database
from ..db.models import Verification

_TABLE = Verification.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Row:
    value: str
    expires_at: datetime


class PlainRows:
    """Create, read, consume (atomically) and delete verification rows by plain identifier."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    async def create(self, identifier: str, value: str, expires_at: datetime, *, row_id: str | None = None) -> bool:
        """Add a row; with `row_id`, only if no row has that id yet (False then): a claim two requests cannot both
        make."""
        now = self._clock.now()
        row = Verification(
            id=row_id or generate_id(),
            identifier=identifier,
            value=value,
            expires_at=expires_at,
            created_at=now,
            updated_at=now,
        )
        try:
            async with self._database.session() as db, db.begin():
                db.add(row)
        except IntegrityError:
            return False
        return True

    async def find(self, identifier: str, *, include_expired: bool = False) -> Row | None:
        """The newest unexpired row of `identifier` (the newest row, expired or not, with `include_expired`)."""
        statement = select(_TABLE.c.value, _TABLE.c.expiresAt).where(_TABLE.c.identifier == identifier)
        if not include_expired:
            statement = statement.where(_TABLE.c.expiresAt > self._clock.now())
        statement = statement.order_by(_TABLE.c.createdAt.desc())
        async with self._database.session() as db:
            found = (await db.exec(statement)).first()  # type: ignore[call-overload]
        return Row(found[0], found[1]) if found is not None else None

    async def consume(self, identifier: str) -> Row | None:
        """Delete every row of `identifier` in one statement: the newest unexpired one's content, or None. Of two
        concurrent consumers exactly one gets it."""
        statement = delete(Verification).where(Verification.identifier == identifier)  # type: ignore[arg-type]
        async with self._database.session() as db, db.begin():
            rows = await delete_returning(db, statement, [_TABLE.c.value, _TABLE.c.expiresAt, _TABLE.c.createdAt])
        now = self._clock.now()
        alive = sorted((row for row in rows if row[1] > now), key=lambda row: row[2], reverse=True)
        return Row(alive[0][0], alive[0][1]) if alive else None

    async def delete(self, identifier: str) -> None:
        async with self._database.session() as db, db.begin():
            await db.exec(delete(Verification).where(Verification.identifier == identifier))  # type: ignore[arg-type]

    async def claim(self, identifier: str, ttl: timedelta) -> bool:
        """Record that `identifier` was used, once: True for the first claim, False for every later one while the
        mark lasts (its primary key derives from the identifier, so concurrent claims collide)."""
        expires_at = self._clock.now() + ttl
        return await self.create(identifier, "", expires_at, row_id=f"used-{stable_id(identifier)}")
