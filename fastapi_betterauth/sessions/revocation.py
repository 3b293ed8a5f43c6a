"""Revocation of stateless sessions (docs/security.md T6): what a cookie cannot know about itself.

A stateless session is an encrypted cookie, valid until it expires. To end one early, the server remembers two
kinds of facts, each only as long as a cookie it concerns could live (`session.stateless.max_lifetime`):

- a **user epoch**: "every session of this user minted before T is over, except the one with token K" (revoke
  sessions, revoke other sessions, password change, user deletion);
- a **revoked session**: "this user's session with this token is over" (sign-out, revoke-session). Keyed by user
  too, so naming someone else's token revokes nothing.

Checking a cookie is one lookup that fetches both facts at once: one indexed query on the `verification` table
(better-auth's key-value table, so no migration and nothing a Node better-auth app would trip over), or one round
trip per key to secondary storage. Tokens are only ever stored hashed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete
from sqlmodel import select

from ..clock import epoch_ms
from ..crypto.tokens import generate_id, sha256_base64url
from ..db.engine import Database
from ..db.models import Verification
from ..errors import AuthError, ErrorCode
from ..storage import SecondaryStorage

_USER_PREFIX = "stateless-revocation:user:"
_SESSION_PREFIX = "stateless-revocation:session:"
_COUNT_PREFIX = "stateless-revocation:count:"

MAX_SESSION_REVOCATIONS = 100
"""Single-session revocations a user may make per `stateless.max_lifetime`. Each is kept that long, and a token a
client names cannot be checked against anything (no list of stateless sessions exists), so without a bound a
signed-in client could fill the store with made-up tokens. Past it, `revoke-session` answers 429 and
`revoke-sessions` (one entry for every session) still works."""


def too_many_revocations() -> AuthError:
    return AuthError(
        ErrorCode.RATE_LIMITED,
        429,
        f"More than {MAX_SESSION_REVOCATIONS} sessions revoked one by one: revoke all sessions instead",
    )


def _user_key(user_id: str) -> str:
    return f"{_USER_PREFIX}{user_id}"


def _session_key(user_id: str, token: str) -> str:
    return f"{_SESSION_PREFIX}{sha256_base64url(f'{user_id}:{token}')}"


def _epoch_value(before: datetime, keep_token: str | None) -> str:
    keep = sha256_base64url(keep_token) if keep_token is not None else None
    return json.dumps({"before": epoch_ms(before), "keep": keep}, separators=(",", ":"))


def _ends(epoch_values: Iterable[str], token: str, minted_at_ms: int) -> bool:
    """Whether any stored user epoch ends a session of `token` minted at `minted_at_ms`."""
    hashed = None
    for raw in epoch_values:
        try:
            epoch = json.loads(raw)
            before, keep = int(epoch["before"]), epoch.get("keep")
        except (ValueError, TypeError, KeyError):
            return True  # unreadable: fail closed
        if minted_at_ms <= before:
            hashed = hashed or sha256_base64url(token)
            if keep != hashed:
                return True
    return False


class SessionRevocations(Protocol):
    async def is_revoked(self, user_id: str, token: str, minted_at_ms: int, now: datetime) -> bool:
        """Whether the session of `token`, minted (its cookie written) at `minted_at_ms`, has been revoked."""
        ...

    async def revoke_user(self, user_id: str, now: datetime, *, keep_token: str | None = None) -> None:
        """End every session of the user minted until `now`, except the one of `keep_token`. (A session created in
        the same millisecond ends too: to keep a new session, create it first and pass its token.)"""
        ...

    async def revoke_session(self, user_id: str, token: str, now: datetime) -> None:
        """End the user's session of `token`."""
        ...


class DatabaseRevocations:
    """Revocations as rows of the `verification` table. Writing one also sweeps away expired ones, at most once per
    `SWEEP_EVERY`."""

    SWEEP_EVERY = timedelta(hours=1)

    def __init__(self, database: Database, lifetime: timedelta) -> None:
        self._database = database
        self._lifetime = lifetime
        self._swept_at: datetime | None = None

    async def is_revoked(self, user_id: str, token: str, minted_at_ms: int, now: datetime) -> bool:
        user_key, session_key = _user_key(user_id), _session_key(user_id, token)
        statement = select(Verification.identifier, Verification.value).where(
            Verification.identifier.in_([user_key, session_key]),  # type: ignore[attr-defined]
            Verification.expires_at > now,
        )
        async with self._database.session() as db:
            rows = (await db.exec(statement)).all()
        if any(identifier == session_key for identifier, _ in rows):
            return True
        return _ends((value for identifier, value in rows if identifier == user_key), token, minted_at_ms)

    async def revoke_user(self, user_id: str, now: datetime, *, keep_token: str | None = None) -> None:
        key = _user_key(user_id)
        async with self._database.session() as db, db.begin():
            await db.exec(delete(Verification).where(Verification.identifier == key))  # type: ignore[arg-type]
            db.add(self._row(key, _epoch_value(now, keep_token), now))
        await self._sweep(now)

    async def revoke_session(self, user_id: str, token: str, now: datetime) -> None:
        """`too_many_revocations` past `MAX_SESSION_REVOCATIONS` of this user in the current period."""
        count_key = f"{_COUNT_PREFIX}{user_id}"
        async with self._database.session() as db, db.begin():
            counter = (await db.exec(select(Verification).where(Verification.identifier == count_key))).first()
            if counter is None or counter.expires_at <= now:
                if counter is not None:
                    await db.delete(counter)
                    await db.flush()
                counter = self._row(count_key, "0", now)
            count = int(counter.value) + 1
            if count > MAX_SESSION_REVOCATIONS:
                raise too_many_revocations()
            counter.value, counter.updated_at = str(count), now
            db.add(counter)
            db.add(self._row(_session_key(user_id, token), "revoked", now))
        await self._sweep(now)

    async def _sweep(self, now: datetime) -> None:
        if self._swept_at is not None and now - self._swept_at < self.SWEEP_EVERY:
            return
        self._swept_at = now
        statement = delete(Verification).where(
            Verification.identifier.startswith("stateless-revocation:"),  # type: ignore[arg-type]
            Verification.expires_at <= now,  # type: ignore[arg-type]
        )
        async with self._database.session() as db, db.begin():
            await db.exec(statement)

    def _row(self, identifier: str, value: str, now: datetime) -> Verification:
        return Verification(
            id=generate_id(),
            identifier=identifier,
            value=value,
            expires_at=now + self._lifetime,
            created_at=now,
            updated_at=now,
        )


class StorageRevocations:
    """Revocations as secondary-storage keys that expire by themselves."""

    def __init__(self, storage: SecondaryStorage, lifetime: timedelta) -> None:
        self._storage = storage
        self._ttl = int(lifetime.total_seconds())

    async def is_revoked(self, user_id: str, token: str, minted_at_ms: int, now: datetime) -> bool:
        if await self._storage.get(_session_key(user_id, token)) is not None:
            return True
        epoch = await self._storage.get(_user_key(user_id))
        return epoch is not None and _ends([epoch], token, minted_at_ms)

    async def revoke_user(self, user_id: str, now: datetime, *, keep_token: str | None = None) -> None:
        await self._storage.set(_user_key(user_id), _epoch_value(now, keep_token), self._ttl)

    async def revoke_session(self, user_id: str, token: str, now: datetime) -> None:
        if await self._storage.increment(f"{_COUNT_PREFIX}{user_id}", self._ttl) > MAX_SESSION_REVOCATIONS:
            raise too_many_revocations()
        await self._storage.set(_session_key(user_id, token), "revoked", self._ttl)
