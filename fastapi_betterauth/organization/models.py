"""The tables of better-auth's organization plugin: `organization`, `member`, `invitation`, `team`, `teamMember`,
with its migrator's column names, types, nullability, foreign keys (`ON DELETE CASCADE`) and indexes, so a Node
better-auth app sharing the database reads our rows and we read its rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..crypto.tokens import generate_id
from ..db.columns import ID, date_field, id_field, optional_text_field, text_field


def _fk(column: str, table: str, target: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint([column], [f"{target}.id"], name=f"{table}_{column}_fkey", ondelete="CASCADE")


class Organization(SQLModel, table=True):
    """A tenant. `slug` is unique (case-sensitive, as better-auth's); `metadata` is JSON text."""

    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("slug", name="organization_slug_key"),)

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    name: str = text_field()
    slug: str = text_field(indexed=True)
    logo: str | None = optional_text_field()
    created_at: datetime = date_field("createdAt")
    metadata_: str | None = optional_text_field("metadata")


class Team(SQLModel, table=True):
    """A group of members inside an organization. `memberCount` is better-auth's internal seat counter."""

    __tablename__ = "team"
    __table_args__ = (
        _fk("organizationId", "team", "organization"),
        Index("team_organizationId_idx", "organizationId"),
    )

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    name: str = text_field()
    member_count: int = Field(default=0, sa_type=Integer, sa_column_kwargs={"name": "memberCount"})
    organization_id: str = id_field("organizationId")
    created_at: datetime = date_field("createdAt")
    updated_at: datetime | None = date_field("updatedAt", default=None)


class TeamMember(SQLModel, table=True):
    """A user in a team. `membershipKey` (unique) makes adding the same user twice impossible."""

    __tablename__ = "teamMember"
    __table_args__ = (
        _fk("teamId", "teamMember", "team"),
        _fk("userId", "teamMember", "user"),
        UniqueConstraint("membershipKey", name="teamMember_membershipKey_key"),
        Index("teamMember_teamId_idx", "teamId"),
        Index("teamMember_userId_idx", "userId"),
    )

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    team_id: str = id_field("teamId")
    user_id: str = id_field("userId")
    membership_key: str | None = optional_text_field("membershipKey", indexed=True)
    created_at: datetime | None = date_field("createdAt", default=None)


class Member(SQLModel, table=True):
    """A user's membership of an organization; `role` is one role or several, comma-separated."""

    __tablename__ = "member"
    __table_args__ = (
        _fk("organizationId", "member", "organization"),
        _fk("userId", "member", "user"),
        Index("member_organizationId_idx", "organizationId"),
        Index("member_userId_idx", "userId"),
    )

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    organization_id: str = id_field("organizationId")
    user_id: str = id_field("userId")
    role: str = text_field()
    created_at: datetime = date_field("createdAt")


class Invitation(SQLModel, table=True):
    """An invitation of an address into an organization (and optionally teams, comma-separated `teamId`)."""

    __tablename__ = "invitation"
    __table_args__ = (
        _fk("organizationId", "invitation", "organization"),
        _fk("inviterId", "invitation", "user"),
        Index("invitation_organizationId_idx", "organizationId"),
        Index("invitation_email_idx", "email"),
    )

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    organization_id: str = id_field("organizationId")
    email: str = text_field(indexed=True)
    role: str | None = optional_text_field()
    team_id: str | None = optional_text_field("teamId")
    status: str = text_field()
    expires_at: datetime = date_field("expiresAt")
    created_at: datetime = date_field("createdAt", default_now=True)
    inviter_id: str = id_field("inviterId")


TABLES = (Organization, Team, TeamMember, Member, Invitation)
"""In the order better-auth's migrator creates them."""
