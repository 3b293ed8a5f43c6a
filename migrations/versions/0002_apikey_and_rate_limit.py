"""better-auth's api-key plugin table and the rate limiter's table: apikey, rateLimit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

`apikey` as better-auth's api-key plugin creates it; `rateLimit` as better-auth creates it for
`rateLimit.storage = "database"` (here it always exists; it stays empty unless that storage is chosen).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fastapi_betterauth.db.columns import ID, INDEXED_TEXT, TEXT, UTC_DATETIME

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apikey",
        sa.Column("id", ID, nullable=False),
        sa.Column("configId", INDEXED_TEXT, nullable=False),
        sa.Column("name", TEXT, nullable=True),
        sa.Column("start", TEXT, nullable=True),
        sa.Column("referenceId", INDEXED_TEXT, nullable=False),
        sa.Column("prefix", TEXT, nullable=True),
        sa.Column("key", INDEXED_TEXT, nullable=False),
        sa.Column("refillInterval", sa.Integer(), nullable=True),
        sa.Column("refillAmount", sa.Integer(), nullable=True),
        sa.Column("lastRefillAt", UTC_DATETIME, nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("rateLimitEnabled", sa.Boolean(), nullable=True),
        sa.Column("rateLimitTimeWindow", sa.Integer(), nullable=True),
        sa.Column("rateLimitMax", sa.Integer(), nullable=True),
        sa.Column("requestCount", sa.Integer(), nullable=True),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("lastRequest", UTC_DATETIME, nullable=True),
        sa.Column("expiresAt", UTC_DATETIME, nullable=True),
        sa.Column("createdAt", UTC_DATETIME, nullable=False),
        sa.Column("updatedAt", UTC_DATETIME, nullable=False),
        sa.Column("permissions", TEXT, nullable=True),
        sa.Column("metadata", TEXT, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("apikey_configId_idx", "apikey", ["configId"], unique=False)
    op.create_index("apikey_key_idx", "apikey", ["key"], unique=False)
    op.create_index("apikey_referenceId_idx", "apikey", ["referenceId"], unique=False)
    op.create_table(
        "rateLimit",
        sa.Column("id", ID, nullable=False),
        sa.Column("key", INDEXED_TEXT, nullable=False),
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
