"""The `twoFactor` table (better-auth's two-factor plugin schema)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer
from sqlmodel import Field, SQLModel

from ..crypto.tokens import generate_id
from ..db.columns import ID, date_field, id_field, text_field


class TwoFactor(SQLModel, table=True):
    """A user's authenticator secret and backup codes, both sealed with the secret in better-auth's envelope
    (`symmetricEncrypt`), so a Node better-auth app sharing the database reads them and we read its rows."""

    __tablename__ = "twoFactor"
    __table_args__ = (
        ForeignKeyConstraint(["userId"], ["user.id"], name="twoFactor_userId_fkey", ondelete="CASCADE"),
        Index("twoFactor_secret_idx", "secret"),
        Index("twoFactor_userId_idx", "userId"),
    )

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    secret: str = text_field(indexed=True)
    backup_codes: str = text_field("backupCodes")
    user_id: str = id_field("userId")
    verified: bool | None = Field(default=True)
    """False between `enable` and the first `verify-totp`; a row without the column's value counts as verified."""
    failed_verification_count: int | None = Field(
        default=0, sa_type=Integer, sa_column_kwargs={"name": "failedVerificationCount"}
    )
    locked_until: datetime | None = date_field("lockedUntil", default=None)
