"""better-auth's api-key plugin table and the rate limiter's table: apikey, rateLimit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

`apikey` as better-auth's api-key plugin creates it; `rateLimit` as better-auth creates it for
`rateLimit.storage = "database"` (here it always exists; it stays empty unless that storage is chosen).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apikey",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("configId", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("start", sa.Text(), nullable=True),
        sa.Column("referenceId", sa.Text(), nullable=False),
        sa.Column("prefix", sa.Text(), nullable=True),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("refillInterval", sa.Integer(), nullable=True),
        sa.Column("refillAmount", sa.Integer(), nullable=True),
        sa.Column("lastRefillAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("rateLimitEnabled", sa.Boolean(), nullable=True),
        sa.Column("rateLimitTimeWindow", sa.Integer(), nullable=True),
        sa.Column("rateLimitMax", sa.Integer(), nullable=True),
        sa.Column("requestCount", sa.Integer(), nullable=True),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("lastRequest", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("expiresAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("createdAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updatedAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("permissions", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("apikey_configId_idx", "apikey", ["configId"], unique=False)
    op.create_index("apikey_key_idx", "apikey", ["key"], unique=False)
    op.create_index("apikey_referenceId_idx", "apikey", ["referenceId"], unique=False)
    op.create_table(
        "rateLimit",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("lastRequest", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="rateLimit_key_key"),
    )


def downgrade() -> None:
    op.drop_table("rateLimit")
    op.drop_index("apikey_referenceId_idx", table_name="apikey")
    op.drop_index("apikey_key_idx", table_name="apikey")
    op.drop_index("apikey_configId_idx", table_name="apikey")
    op.drop_table("apikey")
