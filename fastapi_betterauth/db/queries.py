"""Queries on users and accounts shared by the features (sessions own theirs in `sessions/store.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..fields.model import ModelFields
from ..fields.values import carry
from .models import CREDENTIAL_PROVIDER, Account, User


async def find_user_with_credential(
    db: AsyncSession, email: str, fields: ModelFields[User] | None = None
) -> tuple[User, Account | None] | None:
    """The user with `email` (carrying the values of `fields`) and their password account, in one query."""
    return await find_user_with_credential_where(db, User.email == email.lower(), fields)  # type: ignore[arg-type]


async def find_user_with_credential_where(
    db: AsyncSession, condition: ColumnElement[bool], fields: ModelFields[User] | None = None
) -> tuple[User, Account | None] | None:
    """The user meeting `condition` (a unique column's value: the first otherwise) and their password account."""
    extra = fields.selected if fields else ()
    statement = (
        select(User, Account, *extra)
        .outerjoin(
            Account,
            and_(
                Account.user_id == User.id,  # type: ignore[arg-type]
                Account.provider_id == CREDENTIAL_PROVIDER,  # type: ignore[arg-type]
                Account.account_id == User.id,  # type: ignore[arg-type]
            ),
        )
        .where(condition)
        .limit(1)
    )
    row = (await db.exec(statement)).first()
    if row is None:
        return None
    if fields:
        carry(row[0], fields.from_row(row, 2))
    return row[0], row[1]


async def set_account_password(db: AsyncSession, account_id: str, password_hash: str, now: datetime) -> None:
    await db.exec(
        update(Account)
        .where(Account.id == account_id)  # type: ignore[arg-type]
        .values(password=password_hash, updated_at=now)
    )


async def find_user_by_email(db: AsyncSession, email: str) -> User | None:
    return (await db.exec(select(User).where(User.email == email.lower()))).first()


async def find_user_by_id(db: AsyncSession, user_id: str) -> User | None:
    return await db.get(User, user_id)


async def find_credential_account(db: AsyncSession, user_id: str) -> Account | None:
    statement = select(Account).where(Account.user_id == user_id, Account.provider_id == CREDENTIAL_PROVIDER)
    return (await db.exec(statement)).first()


async def find_provider_account(db: AsyncSession, provider_id: str, account_id: str) -> tuple[Account, User] | None:
    """The account a provider's subject is linked to, with its user: identity is (providerId, accountId)."""
    statement = (
        select(Account, User)
        .join(User, User.id == Account.user_id)  # type: ignore[arg-type]
        .where(Account.provider_id == provider_id, Account.account_id == account_id)
    )
    row = (await db.exec(statement)).first()
    return (row[0], row[1]) if row else None
