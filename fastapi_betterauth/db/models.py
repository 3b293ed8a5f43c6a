"""better-auth's core tables as SQLModel models.

SQL names are better-auth's (camelCase columns, `user`/`session`/`account`/`verification` tables, its constraint
and index names), Python attributes are snake_case, so a Node better-auth app can share the database. The shape
matches the schema better-auth 1.7.25's own migrator creates on PostgreSQL (`text`, `timestamptz`, `boolean`), and
on MySQL its `varchar`s where a string is a key or indexed (`db/columns.py`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..crypto.tokens import generate_id
from .columns import ID, LONG_ID, utc_now
from .columns import column_kwargs as _column
from .columns import date_field as _date
from .columns import id_field as _id
from .columns import optional_text_field as _optional_text
from .columns import text_field as _text


class User(SQLModel, table=True):
    """A person who can sign in. `email` is unique and always lower-case."""

    __tablename__ = "user"
    __table_args__ = (UniqueConstraint("email", name="user_email_key"),)

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    name: str = _text()
    email: str = _text(indexed=True)
    email_verified: bool = Field(default=False, sa_column_kwargs=_column("emailVerified"))
    image: str | None = _optional_text()
    created_at: datetime = _date("createdAt", default_now=True, default_factory=utc_now)
    updated_at: datetime = _date("updatedAt", default_now=True, default_factory=utc_now)


class Session(SQLModel, table=True):
    """A database session. `token` is the bearer secret (or its SHA-256 with `hash_session_tokens`)."""

    __tablename__ = "session"
    __table_args__ = (
        UniqueConstraint("token", name="session_token_key"),
        ForeignKeyConstraint(["userId"], ["user.id"], name="session_userId_fkey", ondelete="CASCADE"),
        Index("session_userId_idx", "userId"),
    )

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    expires_at: datetime = _date("expiresAt")
    token: str = _text(indexed=True)
    created_at: datetime = _date("createdAt", default_now=True, default_factory=utc_now)
    updated_at: datetime = _date("updatedAt", default_factory=utc_now)
    ip_address: str | None = _optional_text("ipAddress")
    user_agent: str | None = _optional_text("userAgent")
    user_id: str = _id("userId")


class Account(SQLModel, table=True):
    """A way to sign in: the `credential` account holds the password hash; OAuth accounts hold provider tokens."""

    __tablename__ = "account"
    __table_args__ = (
        ForeignKeyConstraint(["userId"], ["user.id"], name="account_userId_fkey", ondelete="CASCADE"),
        Index("account_userId_idx", "userId"),
    )

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    account_id: str = _text("accountId")
    provider_id: str = _text("providerId")
    user_id: str = _id("userId")
    access_token: str | None = _optional_text("accessToken")
    refresh_token: str | None = _optional_text("refreshToken")
    id_token: str | None = _optional_text("idToken")
    access_token_expires_at: datetime | None = _date("accessTokenExpiresAt", default=None)
    refresh_token_expires_at: datetime | None = _date("refreshTokenExpiresAt", default=None)
    scope: str | None = _optional_text()
    password: str | None = _optional_text()
    created_at: datetime = _date("createdAt", default_now=True, default_factory=utc_now)
    updated_at: datetime = _date("updatedAt", default_factory=utc_now)


class Verification(SQLModel, table=True):
    """A short-lived value keyed by `identifier`: email and reset tokens, OAuth state."""

    __tablename__ = "verification"
    __table_args__ = (Index("verification_identifier_idx", "identifier"),)

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=LONG_ID)
    identifier: str = _text(indexed=True)
    value: str = _text()
    expires_at: datetime = _date("expiresAt")
    created_at: datetime = _date("createdAt", default_now=True, default_factory=utc_now)
    updated_at: datetime = _date("updatedAt", default_now=True, default_factory=utc_now)


class RateLimit(SQLModel, table=True):
    """A rate-limit counter, when the limiter stores its windows in the database (better-auth's `rateLimit`)."""

    __tablename__ = "rateLimit"
    __table_args__ = (UniqueConstraint("key", name="rateLimit_key_key"),)

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    key: str = _text(indexed=True)
    count: int = Field(sa_type=Integer)
    last_request: int = Field(sa_type=BigInteger, sa_column_kwargs={"name": "lastRequest"})
    """Epoch milliseconds."""


CREDENTIAL_PROVIDER = "credential"
"""`account.providerId` of email/password accounts; their `accountId` is the user's id."""

CORE_TABLES = (
    User.__table__,  # type: ignore[attr-defined]
    Session.__table__,  # type: ignore[attr-defined]
    Account.__table__,  # type: ignore[attr-defined]
    Verification.__table__,  # type: ignore[attr-defined]
    RateLimit.__table__,  # type: ignore[attr-defined]
)
