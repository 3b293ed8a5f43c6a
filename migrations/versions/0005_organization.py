"""better-auth's organization plugin tables: organization, team, teamMember, member, invitation

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

The tables as better-auth 1.7.25's migrator creates them for its organization plugin with teams on (the plugin's
`session.activeOrganizationId` and `session.activeTeamId` columns are added by `migrate` when the plugin is on, as
other plugins' session fields are). Each is created only when missing: a Node better-auth app sharing the database
may have created it already.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from fastapi_betterauth.db.columns import ID, INDEXED_TEXT, TEXT, UTC_DATETIME, current_timestamp_default

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _date(name: str, *, nullable: bool = False, **kwargs: object) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, UTC_DATETIME, nullable=nullable, **kwargs)  # type: ignore[arg-type]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"{table}_{column}_fkey", ondelete="CASCADE")


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "organization" not in existing:
        op.create_table(
            "organization",
            sa.Column("id", ID, nullable=False),
            sa.Column("name", TEXT, nullable=False),
            sa.Column("slug", INDEXED_TEXT, nullable=False),
            sa.Column("logo", TEXT, nullable=True),
            _date("createdAt"),
            sa.Column("metadata", TEXT, nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("slug", name="organization_slug_key"),
        )
    if "team" not in existing:
        op.create_table(
            "team",
            sa.Column("id", ID, nullable=False),
            sa.Column("name", TEXT, nullable=False),
            sa.Column("memberCount", sa.Integer(), nullable=False),
            sa.Column("organizationId", ID, nullable=False),
            _date("createdAt"),
            _date("updatedAt", nullable=True),
            _fk("team", "organizationId", "organization"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("team_organizationId_idx", "team", ["organizationId"], unique=False)
    if "teamMember" not in existing:
        op.create_table(
            "teamMember",
            sa.Column("id", ID, nullable=False),
            sa.Column("teamId", ID, nullable=False),
            sa.Column("userId", ID, nullable=False),
            sa.Column("membershipKey", INDEXED_TEXT, nullable=True),
            _date("createdAt", nullable=True),
            _fk("teamMember", "teamId", "team"),
            _fk("teamMember", "userId", "user"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("membershipKey", name="teamMember_membershipKey_key"),
        )
        op.create_index("teamMember_teamId_idx", "teamMember", ["teamId"], unique=False)
        op.create_index("teamMember_userId_idx", "teamMember", ["userId"], unique=False)
    if "member" not in existing:
        op.create_table(
            "member",
            sa.Column("id", ID, nullable=False),
            sa.Column("organizationId", ID, nullable=False),
            sa.Column("userId", ID, nullable=False),
            sa.Column("role", TEXT, nullable=False),
            _date("createdAt"),
            _fk("member", "organizationId", "organization"),
            _fk("member", "userId", "user"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("member_organizationId_idx", "member", ["organizationId"], unique=False)
        op.create_index("member_userId_idx", "member", ["userId"], unique=False)
    if "invitation" not in existing:
        op.create_table(
            "invitation",
            sa.Column("id", ID, nullable=False),
            sa.Column("organizationId", ID, nullable=False),
            sa.Column("email", INDEXED_TEXT, nullable=False),
            sa.Column("role", TEXT, nullable=True),
            sa.Column("teamId", TEXT, nullable=True),
            sa.Column("status", TEXT, nullable=False),
            _date("expiresAt"),
            _date("createdAt", server_default=current_timestamp_default()),
            sa.Column("inviterId", ID, nullable=False),
            _fk("invitation", "organizationId", "organization"),
            _fk("invitation", "inviterId", "user"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("invitation_organizationId_idx", "invitation", ["organizationId"], unique=False)
        op.create_index("invitation_email_idx", "invitation", ["email"], unique=False)


def downgrade() -> None:
    for table in ("invitation", "member", "teamMember", "team", "organization"):
        op.drop_table(table)
