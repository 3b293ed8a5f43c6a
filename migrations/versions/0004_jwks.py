"""better-auth's jwt plugin table: jwks

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

`jwks` as better-auth 1.7.25's migrator creates it for its jwt plugin. Created only when missing: a Node better-auth
app sharing the database may have created it already.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if "jwks" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "jwks",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("publicKey", sa.Text(), nullable=False),
        sa.Column("privateKey", sa.Text(), nullable=False),
        sa.Column("createdAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expiresAt", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("alg", sa.Text(), nullable=True),
        sa.Column("crv", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("jwks")
