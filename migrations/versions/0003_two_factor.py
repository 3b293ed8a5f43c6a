"""better-auth's two-factor plugin table: twoFactor

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

`twoFactor` as better-auth's two-factor plugin creates it (the plugin's `user.twoFactorEnabled` column is added by
`migrate` when the plugin is on, as other plugins' user fields are). Created only when missing: a Node better-auth app
sharing the database may have created it already.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fastapi_betterauth.db.columns import ID, INDEXED_TEXT, TEXT, UTC_DATETIME

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if "twoFactor" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "twoFactor",
        sa.Column("id", ID, nullable=False),
        sa.Column("secret", INDEXED_TEXT, nullable=False),
        sa.Column("backupCodes", TEXT, nullable=False),
        sa.Column("userId", ID, nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=True),
        sa.Column("failedVerificationCount", sa.Integer(), nullable=True),
        sa.Column("lockedUntil", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["userId"], ["user.id"], name="twoFactor_userId_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("twoFactor_secret_idx", "twoFactor", ["secret"], unique=False)
    op.create_index("twoFactor_userId_idx", "twoFactor", ["userId"], unique=False)


def downgrade() -> None:
    op.drop_table("twoFactor")  # with its indexes (MySQL refuses to drop the foreign key's index first)
