"""Organizations: create (with the creator as owner and a default team), check a slug, list, read, update, delete,
and which one a session has active. No HTTP here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from ..db.models import User
from ..sessions.service import AuthSession
from . import store
from .access import role_list
from .active import ACTIVE_ORGANIZATION, ACTIVE_TEAM, ActiveState, active_organization_id
from .base import OrgServiceBase
from .errors import OrgErrorCode, forbidden, org_error
from .hooks import run_after, run_before
from .models import Invitation, Member, Organization, Team, TeamMember
from .views import invitation_json, member_json, org_json, team_json


def metadata_text(metadata: dict[str, Any] | None) -> str | None:
    """Metadata as better-auth stores it: `JSON.stringify`'s text."""
    return None if metadata is None else json.dumps(metadata, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Created:
    organization: Organization
    member: Member
    team: Team | None
    session: AuthSession


class OrganizationService(OrgServiceBase):
    """What a signed-in user does to organizations."""

    @property
    def active(self) -> ActiveState:
        return ActiveState(self.context)

    async def create(
        self,
        found: AuthSession,
        *,
        name: str,
        slug: str,
        logo: str | None,
        metadata: dict[str, Any] | None,
        keep_active: bool,
    ) -> Created:
        """A new organization whose creator is its first member (`creator_role`), with a default team when teams are
        on; it becomes the session's active one unless `keep_active`."""
        user = found.user
        options = self.options
        if not options.allow_user_to_create_organization:
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION)
        async with self.reading() as db:
            limit = options.organization_limit
            if limit is not None and len(await store.orgs_of_user(db, user.id)) >= limit:
                raise forbidden(OrgErrorCode.YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS)
            if await store.org_by_slug(db, slug) is not None:
                raise org_error(OrgErrorCode.ORGANIZATION_ALREADY_EXISTS)
        now = self.clock.now()
        data: dict[str, Any] = {"name": name, "slug": slug, "logo": logo, "metadata": metadata, "createdAt": now}
        data = await run_before(options.hooks.before_create_organization, {**data, "userId": user.id})
        org = Organization(
            name=data["name"],
            slug=data["slug"],
            logo=data.get("logo"),
            created_at=now,
            metadata_=metadata_text(data.get("metadata")),
        )
        member = Member(organization_id=org.id, user_id=user.id, role=options.creator_role, created_at=now)
        team: Team | None = None
        if options.teams.enabled and options.teams.default_team.enabled:
            team = Team(name=org.name, organization_id=org.id, created_at=now, member_count=1)
        try:
            async with self.writing() as db:
                db.add(org)
                await db.flush()
                db.add(member)
                if team is not None:
                    db.add(team)
                    await db.flush()
                    key = store.membership_key(team.id, user.id)
                    db.add(TeamMember(team_id=team.id, user_id=user.id, membership_key=key, created_at=now))
        except IntegrityError:
            raise org_error(OrgErrorCode.ORGANIZATION_ALREADY_EXISTS) from None
        await run_after(
            options.hooks.after_create_organization,
            {"organization": org_json(org, "parsed-if-any"), "member": member_json(member), "user": user.id},
        )
        if not keep_active:
            values = {ACTIVE_ORGANIZATION: org.id}
            if team is not None:
                values[ACTIVE_TEAM] = team.id
            found = await self.active.set(found, values)
        return Created(org, member, team, found)

    async def slug_taken(self, slug: str) -> bool:
        async with self.reading() as db:
            return await store.org_by_slug(db, slug) is not None

    async def list_for(self, user: User) -> list[Organization]:
        async with self.reading() as db:
            return await store.orgs_of_user(db, user.id)

    async def read(
        self, found: AuthSession, organization_id: str | None, slug: str | None
    ) -> tuple[Organization, Member, AuthSession] | None:
        """The organization asked for (by slug, id, or the active one) and the caller's membership; None when none is
        asked for and none is active. 400 `ORGANIZATION_NOT_FOUND`; 403 when the caller is no member, and then, as in
        better-auth, the session's active organization is cleared."""
        wanted = slug or organization_id or active_organization_id(found)
        if not wanted:
            return None
        async with self.reading() as db:
            org = await store.org_by_slug(db, wanted) if slug else await store.org_by_id(db, wanted)
            if org is None:
                raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND)
            member = await store.member_of(db, org.id, found.user.id)
        if member is None:
            await self.active.set(found, {ACTIVE_ORGANIZATION: None})
            raise forbidden(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION)
        return org, member, found

    async def full(self, org: Organization, member: Member, members_limit: int | None) -> dict[str, Any]:
        """get-full-organization: the organization with its members (and users), invitations and teams."""
        async with self.reading() as db:
            limit = members_limit if members_limit is not None else self.options.membership_limit
            members, _ = await store.members_page(db, org.id, limit=limit, offset=0, sort=None)
            invitations = await store.invitations_of_org(db, org.id)
            teams = await store.teams_with_counts(db, org.id) if self.options.teams.enabled else []
        return {
            **org_json(org),
            "members": [member_json(m, u) for m, u in members],
            "invitations": [invitation_json(i) for i in self.visible_invitations(member, invitations)],
            **({"teams": [team_json(t, memberCount=n) for t, n in teams]} if self.options.teams.enabled else {}),
        }

    def visible_invitations(self, member: Member, invitations: list[Invitation]) -> list[Invitation]:
        """What a member may see of the invitations: none without `invitation:create`, and only creators see the
        invitations that would make someone a creator (better-auth's `canViewInvitations`)."""
        if not self.permitted(member, {"invitation": ["create"]}):
            return []
        if self.is_creator(member.role):
            return invitations
        creator = self.options.creator_role
        return [i for i in invitations if creator not in role_list(i.role)]

    async def update(self, found: AuthSession, organization_id: str | None, data: dict[str, Any]) -> Organization:
        wanted = self.organization_or(found, organization_id, OrgErrorCode.ORGANIZATION_NOT_FOUND)
        async with self.writing() as db:
            member = await store.member_of(db, wanted, found.user.id)
            if member is None:
                raise org_error(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION)
            if not self.permitted(member, {"organization": ["update"]}):
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION)
            if isinstance(data.get("slug"), str):
                other = await store.org_by_slug(db, data["slug"])
                if other is not None and other.id != wanted:
                    raise org_error(OrgErrorCode.ORGANIZATION_SLUG_ALREADY_TAKEN)
            org = await store.org_by_id(db, wanted)
            if org is None:
                raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND)
            for key in ("name", "slug", "logo"):
                if key in data:
                    setattr(org, key, data[key])
            if "metadata" in data:
                org.metadata_ = metadata_text(data["metadata"])
            db.add(org)
            try:
                await db.flush()
            except IntegrityError:
                raise org_error(OrgErrorCode.ORGANIZATION_SLUG_ALREADY_TAKEN) from None
        return org

    async def delete(self, found: AuthSession, organization_id: str) -> tuple[Organization, AuthSession]:
        """Delete an organization with its members, invitations and teams (`organization:delete`)."""
        async with self.writing() as db:
            member = await store.member_of(db, organization_id, found.user.id)
            if member is None:
                raise org_error(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION)
            if not self.permitted(member, {"organization": ["delete"]}):
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION)
            org = await store.org_by_id(db, organization_id)
            if org is None:
                raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND)
            teams = store.select_team_ids(organization_id)
            await db.exec(delete(TeamMember).where(col(TeamMember.team_id).in_(teams)))
            for model in (Team, Invitation, Member):
                column = getattr(model, "organization_id")  # noqa: B009
                await db.exec(delete(model).where(col(column) == organization_id))
            await db.exec(delete(Organization).where(col(Organization.id) == organization_id))
        if active_organization_id(found) == organization_id:
            found = await self.active.set(found, {ACTIVE_ORGANIZATION: None})
        return org, found

    async def activate(
        self, found: AuthSession, organization_id: str | None, slug: str | None, *, unset: bool
    ) -> tuple[Organization | None, AuthSession, bool]:
        """set-active: the organization now active (None when unset), the session, and whether it was written."""
        if unset:
            if active_organization_id(found) is None:
                return None, found, False
            return None, await self.active.set(found, {ACTIVE_ORGANIZATION: None}), True
        wanted = organization_id
        async with self.reading() as db:
            if not wanted and slug:
                by_slug = await store.org_by_slug(db, slug)
                if by_slug is None:
                    raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND)
                wanted = by_slug.id
            if not wanted:
                wanted = active_organization_id(found)
                if not wanted:
                    return None, found, False
            member = await store.member_of(db, wanted, found.user.id)
            org = await store.org_by_id(db, wanted) if member is not None else None
        if member is None or org is None:
            await self.active.set(found, {ACTIVE_ORGANIZATION: None})
            raise forbidden(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION)
        return org, await self.active.set(found, {ACTIVE_ORGANIZATION: org.id}), True
