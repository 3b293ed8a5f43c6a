"""The `passkey` rows of users: list, find, add, rename, delete, and the counter compare-and-set. No HTTP here."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import delete, select

from ..clock import Clock
from ..crypto.tokens import generate_id
from ..db.engine import Database
from ..db.models import Account
from ..errors import unauthorized
from .ceremonies import NewCredential
from .errors import PasskeyErrorCode, passkey_error
from .models import Passkey

_TABLE = Passkey.__table__  # type: ignore[attr-defined]


class PasskeyService:
    """Passkeys in the database, shared with a Node better-auth app."""

    def __init__(self, database: Database, clock: Clock, *, allow_deleting_last: bool = False) -> None:
        self._database = database
        self._clock = clock
        self._allow_deleting_last = allow_deleting_last

    async def list(self, user_id: str) -> list[Passkey]:
        """The user's passkeys, oldest first."""
        statement = select(Passkey).where(Passkey.user_id == user_id).order_by(_TABLE.c.createdAt, _TABLE.c.id)
        async with self._database.session() as db:
            return list((await db.exec(statement)).all())

    async def find(self, passkey_id: str) -> Passkey | None:
        async with self._database.session() as db:
            return await db.get(Passkey, passkey_id)

    async def by_credential(self, credential_id: str) -> Passkey | None:
        """The passkey of a credential id (base64url, as the browser reports it)."""
        async with self._database.session() as db:
            return (await db.exec(select(Passkey).where(Passkey.credential_id == credential_id))).first()

    async def owned(self, user_id: str, passkey_id: str, forbidden: PasskeyErrorCode | None) -> Passkey:
        """The user's passkey `passkey_id`: 404 `PASSKEY_NOT_FOUND` when there is none, 401 (`forbidden`, or a bare
        `UNAUTHORIZED`) when another user owns it, as better-auth's `requireResourceOwnership` answers."""
        found = await self.find(passkey_id)
        if found is None:
            raise passkey_error(PasskeyErrorCode.PASSKEY_NOT_FOUND, 404)
        if found.user_id != user_id:
            if forbidden is None:
                raise unauthorized()
            raise passkey_error(forbidden, 401)
        return found

    async def add(self, user_id: str, credential: NewCredential, name: str | None) -> Passkey:
        """Store a verified credential for the user."""
        passkey = Passkey(
            id=generate_id(),
            name=name,
            public_key=credential.public_key,
            user_id=user_id,
            credential_id=credential.credential_id,
            counter=credential.counter,
            device_type=credential.device_type,
            backed_up=credential.backed_up,
            transports=credential.transports,
            created_at=self._clock.now(),
            aaguid=credential.aaguid,
        )
        async with self._database.session() as db, db.begin():
            db.add(passkey)
        return passkey

    async def advance_counter(self, passkey: Passkey, new_counter: int) -> bool:
        """Record the counter of a verified sign-in, only if nobody changed it since `passkey` was read: of two
        concurrent sign-ins with one counter value (a cloned authenticator), one fails (docs/security.md W3)."""
        statement = (
            update(_TABLE)
            .where(_TABLE.c.id == passkey.id, _TABLE.c.counter == passkey.counter)
            .values(counter=new_counter)
        )
        async with self._database.session() as db, db.begin():
            result = await db.exec(statement)
        return bool(result.rowcount)

    async def rename(self, passkey: Passkey, name: str) -> Passkey:
        async with self._database.session() as db, db.begin():
            row = await db.get(Passkey, passkey.id)
            if row is None:
                raise passkey_error(PasskeyErrorCode.PASSKEY_NOT_FOUND, 404)  # deleted meanwhile
            row.name = name
            db.add(row)
        return row

    async def delete(self, passkey: Passkey) -> None:
        """Delete the passkey, unless it is its user's last way to sign in (no other passkey, no password, no
        linked provider): 400 `FAILED_TO_DELETE_LAST_PASSKEY`, as unlinking the last account is refused."""
        async with self._database.session() as db, db.begin():
            if not self._allow_deleting_last:
                passkeys = select(func.count()).select_from(_TABLE).where(_TABLE.c.userId == passkey.user_id)
                accounts = select(func.count()).select_from(Account).where(Account.user_id == passkey.user_id)
                others = (await db.exec(passkeys)).one() - 1 + (await db.exec(accounts)).one()
                if others <= 0:
                    raise passkey_error(PasskeyErrorCode.FAILED_TO_DELETE_LAST_PASSKEY, 400)
            await db.exec(delete(Passkey).where(Passkey.id == passkey.id))  # type: ignore[arg-type]
