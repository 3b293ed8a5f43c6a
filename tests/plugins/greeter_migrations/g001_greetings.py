"""The test greeter plugin's branch: its table, and a column on the core `user` table.

Revision ID: g001
Revises:
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fastapi_betterauth.db.columns import ID, TEXT

revision: str = "g001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("greeter",)
depends_on: str | Sequence[str] | None = "0002"


def upgrade() -> None:
    op.create_table(
        "test_greeting_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("userId", ID, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
    )
    with op.batch_alter_table("user") as user:
        user.add_column(sa.Column("greeting", TEXT, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user") as user:
        user.drop_column("greeting")
    op.drop_table("test_greeting_log")
