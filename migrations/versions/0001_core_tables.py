"""better-auth core tables: user, session, account, verification

Revision ID: 0001
Revises:
Create Date: 2026-11-22

The schema better-auth 1.7.25's own migrator creates (no `account.issuer`), so a Node better-auth app can share it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fastapi_betterauth.db.columns import ID, INDEXED_TEXT, LONG_ID, TEXT, UTC_DATETIME, current_timestamp_default

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("email", INDEXED_TEXT, nullable=False),
        sa.Column("emailVerified", sa.Boolean(), nullable=False),
        sa.Column("image", TEXT, nullable=True),
        sa.Column(
            "createdAt",
            UTC_DATETIME,
            server_default=current_timestamp_default(),
            nullable=False,
        ),
        sa.Column(
            "updatedAt",
            UTC_DATETIME,
            server_default=current_timestamp_default(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", name="user_email_key"),
    )
    op.create_table(
        "verification",
        sa.Column("id", LONG_ID, nullable=False),
        sa.Column("identifier", INDEXED_TEXT, nullable=False),
        sa.Column("value", TEXT, nullable=False),
        sa.Column("expiresAt", UTC_DATETIME, nullable=False),
        sa.Column(
            "createdAt",
            UTC_DATETIME,
            server_default=current_timestamp_default(),
            nullable=False,
        ),
        sa.Column(
            "updatedAt",
            UTC_DATETIME,
            server_default=current_timestamp_default(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("verification_identifier_idx", "verification", ["identifier"], unique=False)
    op.create_table(
        "account",
        sa.Column("id", ID, nullable=False),
        sa.Column("accountId", TEXT, nullable=False),
        sa.Column("providerId", TEXT, nullable=False),
        sa.Column("userId", ID, nullable=False),
        sa.Column("accessToken", TEXT, nullable=True),
        sa.Column("refreshToken", TEXT, nullable=True),
        sa.Column("idToken", TEXT, nullable=True),
        sa.Column("accessTokenExpiresAt", UTC_DATETIME, nullable=True),
        sa.Column("refreshTokenExpiresAt", UTC_DATETIME, nullable=True),
        sa.Column("scope", TEXT, nullable=True),
        sa.Column("password", TEXT, nullable=True),
        sa.Column(
            "createdAt",
            UTC_DATETIME,
            server_default=current_timestamp_default(),
            nullable=False,
        ),
        sa.Column("updatedAt", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["userId"], ["user.id"], name="account_userId_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("account_userId_idx", "account", ["userId"], unique=False)
    op.create_table(
        "session",
        sa.Column("id", ID, nullable=False),
        sa.Column("expiresAt", UTC_DATETIME, nullable=False),
        sa.Column("token", INDEXED_TEXT, nullable=False),
        sa.Column(
            "createdAt",
            UTC_DATETIME,
            server_default=current_timestamp_default(),
            nullable=False,
        ),
        sa.Column("updatedAt", UTC_DATETIME, nullable=False),
        sa.Column("ipAddress", TEXT, nullable=True),
        sa.Column("userAgent", TEXT, nullable=True),
        sa.Column("userId", ID, nullable=False),
        sa.ForeignKeyConstraint(["userId"], ["user.id"], name="session_userId_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token", name="session_token_key"),
    )
    op.create_index("session_userId_idx", "session", ["userId"], unique=False)


def downgrade() -> None:
    # A table takes its indexes with it (MySQL refuses to drop an index a foreign key needs before its table).
    op.drop_table("session")
    op.drop_table("account")
    op.drop_table("verification")
    op.drop_table("user")
