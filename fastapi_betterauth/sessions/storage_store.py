"""Sessions in secondary storage (docs/better-auth.md#secondary-storage), optionally mirrored in the database.

Keys are better-auth's, so a Node better-auth app sharing the Redis sees the same sessions: `<token>` holds
`{"session": ..., "user": ...}` until the session expires, and `active-sessions-<userId>` lists the user's tokens.
Unlike better-auth, the list is updated atomically, and writes are ordered so that a concurrent bulk revoke can
never leave a valid session missing from the list: the token key is written before it is listed, and deleted
before it is unlisted.

With the table as a second copy, a read that misses storage copies the row back into it; a revoke racing that read
must not be undone by it (docs/security.md S12). So a revoke removes the stored copy, then the row, then the stored
copy again, and a read that copied a row back checks the row is still there afterwards, removing its copy if not.
Whichever way the two interleave, either the revoke's second removal comes after the copy, or the read's check
comes after the row was gone.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ..clock import Clock
from ..db.models import Session, User
from ..db.unit_of_work import undo_on_failure
from ..errors import is_outage
from ..fields.schema import AuthSchema
from ..fields.values import carry, copied, merged
from ..schemas import session_from_json, session_out_json, user_from_json, user_json
from ..storage.base import SecondaryStorage
from ..storage.index import active_sessions_key
from .store import DatabaseSessionStore, TokenKeys

logger = logging.getLogger("fastapi_betterauth")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _dump(session: Session, user: User) -> str:
    # Only the server reads storage: additional fields a client never sees (`returned: false`) are kept too.
    body = {
        "session": session_out_json(session, returned_only=False),
        "user": user_json(user, returned_only=False),
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


class StorageSessionStore:
    """A `SessionStore` on `SecondaryStorage`, with the `session` table as an optional second copy."""

    def __init__(
        self,
        storage: SecondaryStorage,
        clock: Clock,
        *,
        database: DatabaseSessionStore | None = None,
        preserve_in_database: bool = False,
        hash_tokens: bool = False,
        schema: AuthSchema | None = None,
    ) -> None:
        self.storage = storage
        self._schema = schema or AuthSchema()
        self._clock = clock
        self._database = database
        self._preserve = preserve_in_database
        keys = TokenKeys(hash_tokens)
        self._key, self._keys = keys.key, keys.candidates

    def _ttl(self, expires_at: datetime) -> int:
        return math.ceil((expires_at - self._clock.now()).total_seconds())

    async def _write(self, key: str, session: Session, user: User) -> None:
        stored = copied(session, token=key)  # hashed tokens: storage holds no credential
        await self.storage.set(key, _dump(stored, user), self._ttl(session.expires_at))
        await self.storage.index_add(
            active_sessions_key(session.user_id), key, _ms(session.expires_at), _ms(self._clock.now())
        )

    def _parse(self, raw: str | None) -> tuple[Session, User] | None:
        if raw is None:
            return None
        try:
            body: dict[str, Any] = json.loads(raw)
            schema = self._schema
            return session_from_json(body["session"], schema.session), user_from_json(body["user"], schema.user)
        except (ValueError, KeyError, TypeError):
            return None

    async def create(self, session: Session, user: User, db: AsyncSession | None = None) -> None:
        if self._database is not None:
            await self._database.create(session, user, db)
        key = self._key(session.token)
        # Inside the caller's transaction, before its commit (L10): storage that cannot be written fails the whole
        # sign-in, the user a sign-up would have created included, and a transaction that fails after the write takes
        # it back, so a rolled-back sign-up leaves no usable session behind.
        undo_on_failure(lambda: self._discard(key))
        await self._write(key, session, user)

    async def _discard(self, key: str) -> None:
        await self._remove(key)

    async def exists(self, token: str) -> bool:
        """One storage read: is this session still stored (not revoked, not expired)?"""
        try:
            return await self.storage.get(self._key(token)) is not None
        except Exception as exc:
            loaded = await self._from_table(exc, token)
            return loaded is not None and loaded[0].expires_at > self._clock.now()

    def _table_instead(self, exc: Exception) -> DatabaseSessionStore:
        """With the table as a second copy, an unreachable storage is answered from the table; otherwise the error
        stands (and becomes a 503, never "no session")."""
        if self._database is None or not is_outage(exc):
            raise exc
        logger.warning("secondary storage unavailable, the session table answers: %s", exc)
        return self._database

    async def _from_table(self, exc: Exception, token: str) -> tuple[Session, User] | None:
        return await self._table_instead(exc).load(token)

    async def load(self, token: str) -> tuple[Session, User] | None:
        try:
            raw = await self.storage.get(self._key(token))
        except Exception as exc:
            return await self._from_table(exc, token)
        parsed = self._parse(raw)
        if parsed is None and self._database is not None and not self._preserve:
            parsed = await self._database.load(token)
            if parsed is not None and parsed[0].expires_at > self._clock.now():
                parsed = await self._warm(token, *parsed)
        if parsed is None:
            return None
        session, user = parsed
        session.token = token
        return session, user

    async def _warm(self, token: str, session: Session, user: User) -> tuple[Session, User] | None:
        """Copy a row that storage lost back into it, unless the row was deleted meanwhile (S12)."""
        assert self._database is not None
        key = self._key(token)
        await self._write(key, session, user)
        if await self._database.load(token) is None:  # revoked while we copied it: take the copy back
            await self._remove(key)
            return None
        return session, user

    async def extend(self, token: str, expires_at: datetime, updated_at: datetime) -> bool:
        try:
            extended = await self._extend_stored(self._key(token), expires_at, updated_at)
        except Exception as exc:
            self._table_instead(exc)  # extended there, just below
            extended = False
        if self._database is not None:
            extended = await self._database.extend(token, expires_at, updated_at) or extended
        return extended

    async def _extend_stored(self, key: str, expires_at: datetime, updated_at: datetime) -> bool:
        raw = await self.storage.get(key)
        parsed = self._parse(raw)
        extended = False
        if parsed is not None:
            session, user = parsed
            session.expires_at, session.updated_at = expires_at, updated_at
            # SET XX: a session revoked since we read it stays revoked.
            extended = await self.storage.replace(key, _dump(session, user), self._ttl(expires_at))
            if extended:
                await self.storage.index_add(active_sessions_key(user.id), key, _ms(expires_at), _ms(self._clock.now()))
        return extended

    async def _remove(self, key: str) -> bool:
        raw = await self.storage.get_and_delete(key)
        parsed = self._parse(raw)
        if parsed is not None:
            await self.storage.index_remove(active_sessions_key(parsed[1].id), [key], _ms(self._clock.now()))
        return parsed is not None

    async def delete(self, token: str) -> None:
        key = self._key(token)
        await self._remove(key)
        if self._database is not None:
            if self._preserve:
                await self._database.end(token, self._clock.now())
            else:
                await self._database.delete(token)
            await self._remove(key)  # a copy a concurrent read made from the row before it went (S12)

    async def list_for_user(self, user_id: str) -> list[Session]:
        sessions = []
        for member, _ in await self.storage.index_members(active_sessions_key(user_id), _ms(self._clock.now())):
            raw = await self.storage.get(member)
            parsed = self._parse(raw)
            if parsed is not None and parsed[0].user_id == user_id:
                sessions.append(parsed[0])
        return sorted(sessions, key=lambda session: session.created_at)

    def matches(self, session: Session, token_or_handle: str) -> bool:
        return session.token in self._keys(token_or_handle)

    async def delete_owned(self, user_id: str, token_or_handle: str) -> bool:
        deleted = await self._remove_owned(user_id, token_or_handle)
        if self._database is None:
            return deleted
        # Missing from storage (evicted, or storage only ever had part of it) the row may still be there: it is
        # ended or deleted all the same, as `preserve_in_database` says.
        in_table = await self._delete_or_end_in_database(user_id, token_or_handle)
        await self._remove_owned(user_id, token_or_handle)  # a copy a concurrent read made from the row (S12)
        return deleted or in_table

    async def _remove_owned(self, user_id: str, token_or_handle: str) -> bool:
        for key in self._keys(token_or_handle):
            parsed = self._parse(await self.storage.get(key))
            if parsed is not None and parsed[1].id == user_id:
                return await self._remove(key)
        return False

    async def _delete_or_end_in_database(self, user_id: str, token_or_handle: str) -> bool:
        assert self._database is not None
        if self._preserve:
            return await self._database.end_owned(user_id, token_or_handle, self._clock.now())
        return await self._database.delete_owned(user_id, token_or_handle)

    async def delete_for_user(self, user_id: str, *, keep_token: str | None = None) -> None:
        keep = self._key(keep_token) if keep_token is not None else None
        removed = await self._remove_listed(user_id, keep)
        if self._database is not None:
            if self._preserve:
                await self._database.end_for_user(user_id, self._clock.now(), keep_token=keep_token)
            else:
                await self._database.delete_for_user(user_id, keep_token=keep_token)
            # Copies concurrent reads made from rows before they went (S12): listed once written, unless our own
            # unlisting came after, so what was removed the first time is removed again too.
            await self._remove_listed(user_id, keep, also=removed)

    async def _remove_listed(self, user_id: str, keep: str | None, also: list[str] | None = None) -> list[str]:
        index = active_sessions_key(user_id)
        removed = list(also or [])
        for member, _ in await self.storage.index_members(index, _ms(self._clock.now())):
            if member != keep and member not in removed:
                removed.append(member)
        for member in removed:
            await self.storage.delete(member)
        await self.storage.index_remove(index, removed, _ms(self._clock.now()))
        return removed

    async def update_fields(self, session: Session, values: Mapping[str, Any], updated_at: datetime) -> bool:
        key = self._key(session.token)
        parsed = self._parse(await self.storage.get(key))
        updated = False
        if parsed is not None:
            stored, user = parsed
            carry(stored, merged(stored, self._schema.session, values))
            stored.updated_at = updated_at
            updated = await self.storage.replace(key, _dump(stored, user), self._ttl(stored.expires_at))
        if self._database is not None:
            updated = await self._database.update_fields(session, values, updated_at) or updated
        return updated

    async def update_user(self, user: User) -> None:
        """Rewrite the user inside every live stored session of theirs (better-auth's `refreshUserSessions`)."""
        for member, _ in await self.storage.index_members(active_sessions_key(user.id), _ms(self._clock.now())):
            raw = await self.storage.get(member)
            parsed = self._parse(raw)
            if parsed is not None:
                await self.storage.replace(member, _dump(parsed[0], user), self._ttl(parsed[0].expires_at))
