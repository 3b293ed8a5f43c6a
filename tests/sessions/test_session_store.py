"""`DatabaseSessionStore.load`, the hot path's one query: what it gives back behaves like rows an ORM session loaded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm.attributes import instance_state
from sqlmodel import select

from fastapi_betterauth.crypto.tokens import sha256_base64url
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Session, User
from fastapi_betterauth.sessions.store import DatabaseSessionStore


@pytest.mark.parametrize("hash_tokens", [False, True])
async def test_load_gives_detached_rows_that_save_as_updates(database: Database, hash_tokens: bool) -> None:
    store = DatabaseSessionStore(database, hash_tokens=hash_tokens)
    user = User(name="Ada", email="ada@example.com", email_verified=True)
    async with database.session() as db, db.begin():
        db.add(user)
    expires_at = datetime(2031, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    session = Session(
        token="tok-1", user_id=user.id, expires_at=expires_at, ip_address="203.0.113.1", user_agent="UA/1"
    )
    await store.create(session, user)

    loaded = await store.load("tok-1")
    assert loaded is not None
    found_session, found_user = loaded
    assert found_session.token == "tok-1"  # the caller's token, whatever the row keeps
    assert (found_session.id, found_session.user_id, found_session.expires_at) == (session.id, user.id, expires_at)
    assert (found_session.ip_address, found_session.user_agent) == ("203.0.113.1", "UA/1")
    assert (found_user.id, found_user.name, found_user.email, found_user.email_verified) == (
        user.id, "Ada", "ada@example.com", True,
    )  # fmt: skip
    assert found_user.created_at.tzinfo is not None
    assert instance_state(found_user).detached
    assert instance_state(found_session).detached

    found_user.name = "Ada L."
    found_session.expires_at = expires_at + timedelta(days=1)
    async with database.session() as db, db.begin():
        db.add(found_user)
        db.add(found_session)
    async with database.session() as db:
        users = (await db.exec(select(User))).all()
        sessions = (await db.exec(select(Session))).all()
    assert [(u.id, u.name) for u in users] == [(user.id, "Ada L.")]
    # Only what changed was written: the row keeps its key (the token's hash with hash_tokens).
    key = sha256_base64url("tok-1") if hash_tokens else "tok-1"
    assert [(s.token, s.expires_at) for s in sessions] == [(key, expires_at + timedelta(days=1))]
    assert await store.load("tok-2") is None


async def test_lookups_read_outside_a_transaction_on_postgresql(database: Database) -> None:
    """On PostgreSQL (and MySQL) a transaction costs two more round trips (`BEGIN`, `ROLLBACK`) than the one
    `SELECT`."""
    async with database.reading() as conn:
        assert (await conn.execute(select(User.id))).all() == []
        raw = await conn.get_raw_connection()
        if not database.is_sqlite:
            assert raw.driver_connection is not None
            assert _in_transaction(database, raw.driver_connection) is False
    async with database.session() as db, db.begin():  # writes still run in transactions
        await db.exec(select(User.id))
        raw = await (await db.connection()).get_raw_connection()
        if not database.is_sqlite:
            assert raw.driver_connection is not None
            assert _in_transaction(database, raw.driver_connection) is True


def _in_transaction(database: Database, driver_connection: Any) -> bool:
    """asyncpg says so; on MySQL a connection outside autocommit is in a transaction."""
    if database.is_mysql:
        return not driver_connection.get_autocommit()
    return bool(driver_connection.is_in_transaction())
