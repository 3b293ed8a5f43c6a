"""Queries on the organization plugin's tables. No HTTP, no permissions: the services decide, this reads and writes.

Every function takes the caller's `AsyncSession`, so a service groups them in one transaction where it must.
"""

from __future__ import annotations

import hashlib
import json
from base64 import urlsafe_b64encode
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db.models import User
from .access import role_list
from .models import Invitation, Member, Organization, Team, TeamMember

LIST_CAP = 100
"""Rows a list answers at most where better-auth's adapter stops (its `findMany` default)."""


async def org_by_id(db: AsyncSession, organization_id: str) -> Organization | None:
    return await db.get(Organization, organization_id)


async def org_by_slug(db: AsyncSession, slug: str) -> Organization | None:
    return (await db.exec(select(Organization).where(Organization.slug == slug))).first()


async def orgs_of_user(db: AsyncSession, user_id: str) -> list[Organization]:
    statement = (
        select(Organization)
        .join(Member, col(Member.organization_id) == col(Organization.id))
        .where(Member.user_id == user_id)
        .order_by(col(Member.created_at))
    )
    return list((await db.exec(statement)).all())


async def lock_org(db: AsyncSession, organization_id: str) -> bool:
    """Take the organization's row lock for the rest of the transaction (a write, so SQLite's writer lock too):
    membership changes of one organization then happen one after the other. False when it does not exist."""
    statement = update(Organization).where(col(Organization.id) == organization_id).values(id=Organization.id)
    result = await db.exec(statement)
    return bool(result.rowcount)


# --- members ------------------------------------------------------------------------------------------------------


async def member_of(db: AsyncSession, organization_id: str, user_id: str) -> Member | None:
    statement = select(Member).where(Member.organization_id == organization_id, Member.user_id == user_id)
    return (await db.exec(statement)).first()


async def member_by_id(db: AsyncSession, member_id: str) -> Member | None:
    return await db.get(Member, member_id)


async def member_with_user(db: AsyncSession, member_id: str) -> tuple[Member, User] | None:
    statement = select(Member, User).join(User, col(User.id) == col(Member.user_id)).where(Member.id == member_id)
    row = (await db.exec(statement)).first()
    return (row[0], row[1]) if row else None


async def member_by_email(db: AsyncSession, organization_id: str, email: str) -> tuple[Member, User] | None:
    statement = (
        select(Member, User)
        .join(User, col(User.id) == col(Member.user_id))
        .where(Member.organization_id == organization_id, User.email == email.lower())
    )
    row = (await db.exec(statement)).first()
    return (row[0], row[1]) if row else None


async def count_members(db: AsyncSession, organization_id: str) -> int:
    statement = select(func.count()).select_from(Member).where(Member.organization_id == organization_id)
    return int((await db.exec(statement)).one())


async def owner_count(db: AsyncSession, organization_id: str, creator_role: str) -> int:
    """Members holding `creator_role` (among others or alone)."""
    statement = select(Member.role).where(Member.organization_id == organization_id)
    return sum(1 for role in (await db.exec(statement)).all() if creator_role in role_list(role))


MEMBER_SORTS = {"createdAt": Member.created_at, "role": Member.role, "id": Member.id, "userId": Member.user_id}
MEMBER_FILTERS = {**MEMBER_SORTS, "organizationId": Member.organization_id}


async def members_page(
    db: AsyncSession,
    organization_id: str,
    *,
    limit: int | None,
    offset: int,
    sort: tuple[str, bool] | None,
    condition: Any = None,
) -> tuple[list[tuple[Member, User]], int]:
    """A page of an organization's members with their users, and how many match (the page aside)."""
    where = [col(Member.organization_id) == organization_id]
    if condition is not None:
        where.append(condition)
    statement = select(Member, User).join(User, col(User.id) == col(Member.user_id)).where(*where)
    if sort is not None:
        column = col(MEMBER_SORTS[sort[0]])
        statement = statement.order_by(column.desc() if sort[1] else column.asc())
    else:
        statement = statement.order_by(col(Member.created_at))
    statement = statement.offset(offset).limit(limit if limit is not None else LIST_CAP)
    rows = [(row[0], row[1]) for row in (await db.exec(statement)).all()]
    total = (await db.exec(select(func.count()).select_from(Member).where(*where))).one()
    return rows, int(total)


async def delete_member(db: AsyncSession, member: Member) -> None:
    """Delete a membership and the user's memberships of the organization's teams (their seat counts follow)."""
    teams = select(Team.id).where(Team.organization_id == member.organization_id)
    joined = select(TeamMember.team_id).where(
        col(TeamMember.user_id) == member.user_id, col(TeamMember.team_id).in_(teams)
    )
    team_ids = list((await db.exec(joined)).all())
    await db.exec(
        delete(TeamMember).where(col(TeamMember.user_id) == member.user_id, col(TeamMember.team_id).in_(teams))
    )
    await sync_member_count(db, team_ids)
    await db.exec(delete(Member).where(col(Member.id) == member.id))


# --- invitations --------------------------------------------------------------------------------------------------


async def invitation_by_id(db: AsyncSession, invitation_id: str) -> Invitation | None:
    return await db.get(Invitation, invitation_id)


async def pending_invitations(
    db: AsyncSession, organization_id: str, email: str | None = None, now: datetime | None = None
) -> list[Invitation]:
    """Pending invitations of an organization (to `email`; not yet expired at `now`)."""
    where = [col(Invitation.organization_id) == organization_id, col(Invitation.status) == "pending"]
    if email is not None:
        where.append(col(Invitation.email) == email.lower())
    if now is not None:
        where.append(col(Invitation.expires_at) > now)
    return list((await db.exec(select(Invitation).where(*where).order_by(col(Invitation.created_at)))).all())


async def invitations_of_org(db: AsyncSession, organization_id: str) -> list[Invitation]:
    statement = (
        select(Invitation)
        .where(Invitation.organization_id == organization_id)
        .order_by(col(Invitation.created_at))
        .limit(LIST_CAP)
    )
    return list((await db.exec(statement)).all())


async def invitations_to(db: AsyncSession, email: str) -> list[tuple[Invitation, Organization]]:
    statement = (
        select(Invitation, Organization)
        .join(Organization, col(Organization.id) == col(Invitation.organization_id))
        .where(Invitation.email == email.lower(), Invitation.status == "pending")
        .order_by(col(Invitation.created_at))
    )
    return [(row[0], row[1]) for row in (await db.exec(statement)).all()]


async def set_invitation_status(db: AsyncSession, invitation_id: str, status: str, *, only_pending: bool) -> bool:
    """Set an invitation's status; with `only_pending`, only if it is still pending (the one winner of a race)."""
    where = [col(Invitation.id) == invitation_id]
    if only_pending:
        where.append(col(Invitation.status) == "pending")
    result = await db.exec(update(Invitation).where(*where).values(status=status))
    return bool(result.rowcount)


# --- teams --------------------------------------------------------------------------------------------------------


async def team_by_id(db: AsyncSession, team_id: str, organization_id: str | None = None) -> Team | None:
    team = await db.get(Team, team_id)
    if team is None or (organization_id is not None and team.organization_id != organization_id):
        return None
    return team


async def teams_of_org(db: AsyncSession, organization_id: str) -> list[Team]:
    statement = select(Team).where(Team.organization_id == organization_id).order_by(col(Team.created_at))
    return list((await db.exec(statement.limit(LIST_CAP))).all())


async def teams_with_counts(db: AsyncSession, organization_id: str) -> list[tuple[Team, int]]:
    counts = (
        select(col(TeamMember.team_id).label("team"), func.count().label("n"))
        .group_by(col(TeamMember.team_id))
        .subquery("counts")
    )
    statement = (
        select(Team, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.team == col(Team.id))
        .where(Team.organization_id == organization_id)
        .order_by(col(Team.created_at))
        .limit(LIST_CAP)
    )
    return [(row[0], int(row[1])) for row in (await db.exec(statement)).all()]


async def teams_of_user(db: AsyncSession, user_id: str, organization_id: str | None = None) -> list[Team]:
    statement = (
        select(Team).join(TeamMember, col(TeamMember.team_id) == col(Team.id)).where(TeamMember.user_id == user_id)
    )
    if organization_id is not None:
        statement = statement.where(Team.organization_id == organization_id)
    return list((await db.exec(statement.order_by(col(TeamMember.created_at)))).all())


def membership_key(team_id: str, user_id: str) -> str:
    """better-auth's `membershipKey`: base64url (unpadded) of SHA-256 of the JSON array `[teamId, userId]`."""
    text = json.dumps([team_id, user_id], ensure_ascii=False, separators=(",", ":"))
    return urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()


async def team_member(db: AsyncSession, team_id: str, user_id: str) -> TeamMember | None:
    statement = select(TeamMember).where(TeamMember.team_id == team_id, TeamMember.user_id == user_id)
    return (await db.exec(statement)).first()


async def team_members(db: AsyncSession, team_id: str) -> list[TeamMember]:
    statement = select(TeamMember).where(TeamMember.team_id == team_id).order_by(col(TeamMember.created_at))
    return list((await db.exec(statement.limit(LIST_CAP))).all())


async def count_team_members(db: AsyncSession, team_id: str) -> int:
    statement = select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team_id)
    return int((await db.exec(statement)).one())


async def sync_member_count(db: AsyncSession, team_ids: Sequence[str]) -> None:
    """Keep better-auth's `team.memberCount` equal to the team's members (a Node app reads it as its seat count)."""
    for team_id in team_ids:
        count = select(func.count()).select_from(TeamMember).where(col(TeamMember.team_id) == team_id)
        await db.exec(update(Team).where(and_(col(Team.id) == team_id)).values(member_count=count.scalar_subquery()))


def select_team_ids(organization_id: str) -> Any:
    """A subquery of an organization's team ids."""
    return select(Team.id).where(Team.organization_id == organization_id)
