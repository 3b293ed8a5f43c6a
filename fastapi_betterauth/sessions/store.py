"""`SessionStore`: the seam between how sessions are kept and everything else (docs/design.md#session-stores)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, bindparam, delete, select, update
from sqlmodel import select as orm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..crypto.tokens import sha256_base64url
from ..db.engine import Database
from ..db.loading import RowReader
from ..db.models import Session, User
from ..fields.schema import AuthSchema
from ..fields.values import carry, copied


class TokenKeys:
    """How a session token is keyed at rest: as is (better-auth's way) or as SHA-256 (`hash_session_tokens`)."""

    __slots__ = ("hashed",)

    def __init__(self, hashed: bool) -> None:
        self.hashed = hashed

    def key(self, token: str) -> str:
        return sha256_base64url(token) if self.hashed else token

    def candidates(self, token_or_handle: str) -> list[str]:
        """Keys that a token, or the opaque handle `list-sessions` shows for hashed tokens, may stand for."""
        return [self.key(token_or_handle), token_or_handle] if self.hashed else [token_or_handle]


class SessionStore(Protocol):
    async def create(self, session: Session, user: User, db: AsyncSession | None = None) -> None:
        """Persist a new session of `user`; with `db`, inside that caller's transaction."""
        ...

    async def load(self, token: str) -> tuple[Session, User] | None:
        """The session for `token` and its user, whether expired or not."""
        ...

    async def extend(self, token: str, expires_at: datetime, updated_at: datetime) -> bool:
        """Move the expiry of a session; False when it no longer exists."""
        ...

    async def delete(self, token: str) -> None: ...

    async def list_for_user(self, user_id: str) -> list[Session]:
        """The user's sessions (expired ones included; callers filter). Tokens are handles (see `handle`)."""
        ...

    async def delete_owned(self, user_id: str, token_or_handle: str) -> bool:
        """Delete one of the user's sessions by token or by the handle `list_for_user` gave; False if none."""
        ...

    async def delete_for_user(self, user_id: str, *, keep_token: str | None = None) -> None:
        """Delete every session of the user, except the one with `keep_token`."""
        ...

    def matches(self, session: Session, token_or_handle: str) -> bool:
        """Whether a session from `list_for_user` is the one a token (or handle) names."""
        ...

    async def update_user(self, user: User) -> None:
        """Let stored copies of the user catch up with a change to it."""
        ...

    async def update_fields(self, session: Session, values: Mapping[str, Any], updated_at: datetime) -> bool:
        """Write additional-field values (and `updated_at`) to a session; False when it no longer exists."""
        ...


_SESSION_ROW, _USER_ROW = RowReader(Session), RowReader(User)


def _load_statement(schema: AuthSchema) -> Select[Any]:
    # The hot path's query, built once per store (building it anew took about a sixth of a `/get-session`
    # request), and run as a Core statement: an ORM session's identity map and loading cost more than the query
    # itself (bench/README.md). The additional fields come after each model's own columns.
    return (
        select(*_SESSION_ROW.columns, *schema.session.selected, *_USER_ROW.columns, *schema.user.selected)
        .join_from(_SESSION_ROW.table, _USER_ROW.table, _SESSION_ROW.table.c.userId == _USER_ROW.table.c.id)
        .where(_SESSION_ROW.table.c.token == bindparam("token"))
    )


class DatabaseSessionStore:
    """Sessions in the `session` table. One query per lookup: the session joined with its user.

    With `hash_tokens`, the table holds SHA-256(token) and a stolen row is not a credential; the token given back
    to callers is always the real one.
    """

    def __init__(self, database: Database, *, hash_tokens: bool = False, schema: AuthSchema | None = None) -> None:
        self._database = database
        self._schema = schema or AuthSchema()
        self._load = _load_statement(self._schema)
        keys = TokenKeys(hash_tokens)
        self._key, self._keys = keys.key, keys.candidates

    async def create(self, session: Session, user: User, db: AsyncSession | None = None) -> None:
        row = copied(session, token=self._key(session.token))
        if db is not None:
            await self._schema.session.insert(db, row)
            return
        async with self._database.session() as own, own.begin():
            await self._schema.session.insert(own, row)

    async def load(self, token: str) -> tuple[Session, User] | None:
        async with self._database.reading() as conn:
            row = (await conn.execute(self._load, {"token": self._key(token)})).first()
        if row is None:
            return None
        # The token callers hold, whatever the row keeps (its hash with `hash_tokens`).
        session = _SESSION_ROW.read(row, token=token)
        user_start = len(_SESSION_ROW.columns) + len(self._schema.session)
        user = _USER_ROW.read(row, user_start)
        if self._schema:
            carry(session, self._schema.session.from_row(row, len(_SESSION_ROW.columns)))
            carry(user, self._schema.user.from_row(row, user_start + len(_USER_ROW.columns)))
        return session, user

    async def extend(self, token: str, expires_at: datetime, updated_at: datetime) -> bool:
        statement = (
            update(Session)
            .where(Session.token == self._key(token))  # type: ignore[arg-type]
            .values(expires_at=expires_at, updated_at=updated_at)
        )
        async with self._database.session() as db, db.begin():
            result = await db.exec(statement)
        return bool(result.rowcount)

    async def delete(self, token: str) -> None:
        statement = delete(Session).where(Session.token == self._key(token))  # type: ignore[arg-type]
        async with self._database.session() as db, db.begin():
            await db.exec(statement)

    def matches(self, session: Session, token_or_handle: str) -> bool:
        return session.token in self._keys(token_or_handle)

    async def list_for_user(self, user_id: str) -> list[Session]:
        statement = orm_select(Session).where(Session.user_id == user_id).order_by(Session.created_at)  # type: ignore[arg-type]
        extra = self._schema.session
        async with self._database.session() as db:
            if not extra:
                return list((await db.exec(statement)).all())
            with_values = orm_select(Session, *extra.selected).where(Session.user_id == user_id)
            rows: Sequence[Any] = (await db.exec(with_values.order_by(Session.created_at))).all()  # type: ignore[arg-type]
        for row in rows:
            carry(row[0], extra.from_row(row, 1))
        return [row[0] for row in rows]

    async def delete_owned(self, user_id: str, token_or_handle: str) -> bool:
        statement = delete(Session).where(
            Session.user_id == user_id,  # type: ignore[arg-type]
            Session.token.in_(self._keys(token_or_handle)),  # type: ignore[attr-defined]
        )
        async with self._database.session() as db, db.begin():
            result = await db.exec(statement)
        return bool(result.rowcount)

    async def delete_for_user(self, user_id: str, *, keep_token: str | None = None) -> None:
        statement = delete(Session).where(Session.user_id == user_id)  # type: ignore[arg-type]
        if keep_token is not None:
            statement = statement.where(Session.token != self._key(keep_token))  # type: ignore[arg-type]
        async with self._database.session() as db, db.begin():
            await db.exec(statement)

    async def update_user(self, user: User) -> None:
        """Nothing to do: every lookup joins the current user row."""

    async def update_fields(self, session: Session, values: Mapping[str, Any], updated_at: datetime) -> bool:
        async with self._database.session() as db, db.begin():
            return await self._schema.session.update(db, session.id, {**values, "updated_at": updated_at})

    async def end(self, token: str, now: datetime) -> None:
        """Expire a session's row instead of deleting it (`preserve_session_in_database`)."""
        await self._end(Session.token == self._key(token), now=now)

    async def end_owned(self, user_id: str, token_or_handle: str, now: datetime) -> bool:
        """End one of the user's live sessions by token or handle; False if none."""
        return await self._end(
            Session.user_id == user_id,
            Session.token.in_(self._keys(token_or_handle)),  # type: ignore[attr-defined]
            now=now,
        )

    async def end_for_user(self, user_id: str, now: datetime, *, keep_token: str | None = None) -> None:
        conditions: list[Any] = [Session.user_id == user_id]
        if keep_token is not None:
            conditions.append(Session.token != self._key(keep_token))
        await self._end(*conditions, now=now)

    async def _end(self, *conditions: Any, now: datetime) -> bool:
        statement = (
            update(Session)
            .where(*conditions, Session.expires_at > now)  # type: ignore[arg-type]
            .values(expires_at=now, updated_at=now)
        )
        async with self._database.session() as db, db.begin():
            result = await db.exec(statement)
        return bool(result.rowcount)
