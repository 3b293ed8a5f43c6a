"""Strings compare byte for byte on every database (docs/concepts/database.md#database-urls): MySQL's and MariaDB's
default collations would take `Ann` for `ann` and `é` for `e`, so their string columns are `utf8mb4_bin`
(db/columns.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from fastapi_betterauth import Account, User
from fastapi_betterauth.db.engine import Database

NOW = datetime(2026, 11, 22, 12, 0, 0, 123000, tzinfo=UTC)


def _user(user_id: str, email: str) -> User:
    return User(id=user_id, name="Ann", email=email, created_at=NOW, updated_at=NOW)


async def test_emails_differing_in_case_or_accent_are_different_rows(database: Database) -> None:
    """Emails are stored lower-case, so this only shows the columns compare as on PostgreSQL: a unique email is
    unique byte for byte, and a lookup finds its exact value only."""
    async with database.session() as db, db.begin():
        db.add_all([_user("u1", "ann@example.com"), _user("u2", "ANN@example.com"), _user("u3", "ánn@example.com")])
    async with database.session() as db:
        found = (await db.exec(select(User.id).where(User.email == "ann@example.com"))).all()
        other_case = (await db.exec(select(User.id).where(User.email == "Ann@Example.com"))).all()
    assert found == ["u1"]
    assert other_case == []


async def test_provider_account_ids_are_matched_exactly(database: Database) -> None:
    """An OAuth subject that differs from another only in case is another account (providers' ids are
    case-sensitive)."""
    async with database.session() as db, db.begin():
        db.add(_user("u1", "ann@example.com"))
        await db.flush()  # the user before its account
        db.add(
            Account(id="a1", account_id="AbC123", provider_id="github", user_id="u1", created_at=NOW, updated_at=NOW)
        )
    async with database.session() as db:
        other = (await db.exec(select(Account.id).where(Account.account_id == "abc123"))).all()
        same = (await db.exec(select(Account.id).where(Account.account_id == "AbC123"))).all()
    assert other == []
    assert same == ["a1"]


async def test_dates_keep_their_instant_and_milliseconds(database: Database) -> None:
    """Dates come back aware, in UTC, with at least millisecond precision (MySQL: `datetime(3)` on a UTC session)."""
    async with database.session() as db, db.begin():
        db.add(_user("u1", "ann@example.com"))
    async with database.session() as db:
        user = (await db.exec(select(User))).one()
    assert user.created_at == NOW
    assert user.created_at.tzinfo is not None
