"""better-auth's passkey plugin table: passkey

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

`passkey` as better-auth 1.7.25's migrator creates it for `@better-auth/passkey`. Created only when missing: a Node
better-auth app sharing the database may have created it already.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fastapi_betterauth.db.columns import ID, INDEXED_TEXT, TEXT, UTC_DATETIME

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if "passkey" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "passkey",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", TEXT, nullable=True),
        sa.Column("publicKey", TEXT, nullable=False),
        sa.Column("userId", ID, nullable=False),
        sa.Column("credentialID", INDEXED_TEXT, nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("deviceType", TEXT, nullable=False),
        sa.Column("backedUp", sa.Boolean(), nullable=False),
        sa.Column("transports", TEXT, nullable=True),
        sa.Column("createdAt", UTC_DATETIME, nullable=True),
        sa.Column("aaguid", TEXT, nullable=True),
        sa.ForeignKeyConstraint(["userId"], ["user.id"], name="passkey_userId_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("passkey_credentialID_idx", "passkey", ["credentialID"], unique=False)
    op.create_index("passkey_userId_idx", "passkey", ["userId"], unique=False)


def downgrade() -> None:
    op.drop_table("passkey")  # with its indexes (MySQL refuses to drop the one its foreign key uses first)
