"""better-auth core tables: user, session, account, verification

Revision ID: 0001
Revises:
Create Date: 2026-11-22

The schema better-auth 1.7.25's own migrator creates (no `account.issuer`), so a Node better-auth app can share it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("emailVerified", sa.Boolean(), nullable=False),
        sa.Column("image", sa.Text(), nullable=True),
        sa.Column(
            "createdAt",
            sqlmodel.sql.sqltypes.UTCDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updatedAt",
            sqlmodel.sql.sqltypes.UTCDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", name="user_email_key"),
    )
    op.create_table(
        "verification",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expiresAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column(
            "createdAt",
            sqlmodel.sql.sqltypes.UTCDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updatedAt",
            sqlmodel.sql.sqltypes.UTCDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("verification_identifier_idx", "verification", ["identifier"], unique=False)
    op.create_table(
        "account",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("accountId", sa.Text(), nullable=False),
        sa.Column("providerId", sa.Text(), nullable=False),
        sa.Column("userId", sa.Text(), nullable=False),
        sa.Column("accessToken", sa.Text(), nullable=True),
        sa.Column("refreshToken", sa.Text(), nullable=True),
        sa.Column("idToken", sa.Text(), nullable=True),
        sa.Column("accessTokenExpiresAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("refreshTokenExpiresAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("password", sa.Text(), nullable=True),
        sa.Column(
            "createdAt",
            sqlmodel.sql.sqltypes.UTCDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("updatedAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["userId"], ["user.id"], name="account_userId_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("account_userId_idx", "account", ["userId"], unique=False)
    op.create_table(
        "session",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("expiresAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column(
            "createdAt",
            sqlmodel.sql.sqltypes.UTCDateTime(),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("updatedAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ipAddress", sa.Text(), nullable=True),
        sa.Column("userAgent", sa.Text(), nullable=True),
        sa.Column("userId", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["userId"], ["user.id"], name="session_userId_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token", name="session_token_key"),
    )
    op.create_index("session_userId_idx", "session", ["userId"], unique=False)


def downgrade() -> None:
    op.drop_index("session_userId_idx", table_name="session")
    op.drop_table("session")
    op.drop_index("account_userId_idx", table_name="account")
    op.drop_table("account")
    op.drop_index("verification_identifier_idx", table_name="verification")
    op.drop_table("verification")
    op.drop_table("user")
