"""better-auth's jwt plugin table: jwks

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

`jwks` as better-auth 1.7.25's migrator creates it for its jwt plugin. Created only when missing: a Node better-auth
app sharing the database may have created it already.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fastapi_betterauth.db.columns import ID, TEXT, UTC_DATETIME

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if "jwks" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "jwks",
        sa.Column("id", ID, nullable=False),
        sa.Column("publicKey", TEXT, nullable=False),
        sa.Column("privateKey", TEXT, nullable=False),
        sa.Column("createdAt", UTC_DATETIME, nullable=False),
        sa.Column("expiresAt", UTC_DATETIME, nullable=True),
        sa.Column("alg", TEXT, nullable=True),
        sa.Column("crv", TEXT, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("jwks")
