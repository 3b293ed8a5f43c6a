"""Teams: create, list, rename, remove, their members, the active team, and a user's teams. No HTTP here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import col

from ..db.models import User
from ..errors import AuthError, ErrorCode
from ..sessions.service import AuthSession
from . import store
from .active import ACTIVE_TEAM, ActiveState, active_organization_id, active_team_id
from .base import OrgServiceBase
from .errors import OrgErrorCode, forbidden, org_error
from .models import Member, Team, TeamMember


class TeamService(OrgServiceBase):
    def _org(self, found: AuthSession, organization_id: str | None) -> str:
        return self.organization_or(found, organization_id, OrgErrorCode.NO_ACTIVE_ORGANIZATION)

    async def _member(self, organization_id: str, user_id: str) -> Member | None:
        async with self.reading() as db:
            return await store.member_of(db, organization_id, user_id)

    async def create(self, found: AuthSession, organization_id: str | None, name: str) -> Team:
        wanted = self._org(found, organization_id)
        me = await self._member(wanted, found.user.id)
        if me is None:
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION)
        if not self.permitted(me, {"team": ["create"]}):
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_CREATE_TEAMS_IN_THIS_ORGANIZATION)
        now = self.clock.now()
        team = Team(name=name, organization_id=wanted, created_at=now, updated_at=now, member_count=0)
        async with self.writing() as db:
            if not await store.lock_org(db, wanted):
                raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND)
            maximum = self.options.teams.maximum_teams
            if maximum is not None and len(await store.teams_of_org(db, wanted)) >= maximum:
                raise org_error(OrgErrorCode.YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_TEAMS)
            db.add(team)
        return team

    async def list_teams(self, found: AuthSession, organization_id: str | None) -> list[Team]:
        wanted = self._org(found, organization_id)
        async with self.reading() as db:
            if await store.member_of(db, wanted, found.user.id) is None:
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_ACCESS_THIS_ORGANIZATION)
            return await store.teams_of_org(db, wanted)

    async def update(self, found: AuthSession, team_id: str, data: dict[str, Any]) -> Team:
        wanted = self._org(found, data.get("organizationId"))
        me = await self._member(wanted, found.user.id)
        if me is None or not self.permitted(me, {"team": ["update"]}):
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_TEAM)
        async with self.writing() as db:
            team = await store.team_by_id(db, team_id, wanted)
            if team is None:
                raise org_error(OrgErrorCode.TEAM_NOT_FOUND)
            if "name" in data:
                team.name = data["name"]
            team.updated_at = self.clock.now()
            db.add(team)
        return team

    async def remove(self, found: AuthSession, organization_id: str | None, team_id: str) -> None:
        """Remove a team with its memberships, and strip it from the pending invitations naming it."""
        wanted = self._org(found, organization_id)
        me = await self._member(wanted, found.user.id)
        if me is None or active_team_id(found) == team_id:
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_TEAM)
        if not self.permitted(me, {"team": ["delete"]}):
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_DELETE_TEAMS_IN_THIS_ORGANIZATION)
        async with self.writing() as db:
            await store.lock_org(db, wanted)
            team = await store.team_by_id(db, team_id, wanted)
            if team is None:
                raise org_error(OrgErrorCode.TEAM_NOT_FOUND)
            if not self.options.teams.allow_removing_all_teams and len(await store.teams_of_org(db, wanted)) <= 1:
                raise org_error(OrgErrorCode.UNABLE_TO_REMOVE_LAST_TEAM)
            for invitation in await store.pending_invitations(db, wanted):
                ids = [t for t in (invitation.team_id or "").split(",") if t]
                if team_id in ids:
                    remaining = [t for t in ids if t != team_id]
                    invitation.team_id = ",".join(remaining) or None
                    db.add(invitation)
            await db.flush()
            await db.exec(delete(TeamMember).where(col(TeamMember.team_id) == team_id))
            await db.exec(delete(Team).where(col(Team.id) == team_id))

    async def activate(
        self, found: AuthSession, team_id: str | None, *, unset: bool
    ) -> tuple[Team | None, AuthSession]:
        active = ActiveState(self.context)
        if unset:
            if active_team_id(found) is None:
                return None, found
            return None, await active.set(found, {ACTIVE_TEAM: None})
        wanted = team_id or active_team_id(found)
        if not wanted:
            return None, found
        organization_id = active_organization_id(found)
        if not organization_id:
            raise org_error(OrgErrorCode.NO_ACTIVE_ORGANIZATION)
        async with self.reading() as db:
            team = await store.team_by_id(db, wanted, organization_id)
            if team is None:
                raise org_error(OrgErrorCode.TEAM_NOT_FOUND)
            if await store.team_member(db, wanted, found.user.id) is None:
                raise forbidden(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_TEAM)
        return team, await active.set(found, {ACTIVE_TEAM: team.id})

    async def user_teams(self, found: AuthSession, user_id: str | None, organization_id: str | None) -> list[Team]:
        target = user_id or found.user.id
        async with self.reading() as db:
            if target != found.user.id:
                wanted = self._org(found, organization_id)
                me = await store.member_of(db, wanted, found.user.id)
                if me is None:
                    raise forbidden(OrgErrorCode.YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION)
                if not self.permitted(me, {"member": ["update"]}):
                    raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER)
                if await store.member_of(db, wanted, target) is None:
                    raise org_error(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION)
                return await store.teams_of_user(db, target, wanted)
            if organization_id:
                if await store.member_of(db, organization_id, target) is None:
                    raise forbidden(OrgErrorCode.YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION)
                return await store.teams_of_user(db, target, organization_id)
            member_orgs = {org.id for org in await store.orgs_of_user(db, target)}
            return [t for t in await store.teams_of_user(db, target) if t.organization_id in member_orgs]

    async def members_of_team(self, found: AuthSession, team_id: str | None) -> list[TeamMember]:
        wanted = team_id or active_team_id(found)
        if not wanted:
            raise org_error(OrgErrorCode.YOU_DO_NOT_HAVE_AN_ACTIVE_TEAM)
        async with self.reading() as db:
            team = await store.team_by_id(db, wanted)
            if team is None:
                raise org_error(OrgErrorCode.TEAM_NOT_FOUND)
            in_org = await store.member_of(db, team.organization_id, found.user.id) is not None
            if not in_org or await store.team_member(db, wanted, found.user.id) is None:
                raise org_error(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_TEAM)
            return await store.team_members(db, wanted)

    async def add_member(
        self, found: AuthSession, organization_id: str | None, team_id: str, user_id: str
    ) -> TeamMember:
        wanted = self._org(found, organization_id)
        async with self.reading() as db:
            me = await store.member_of(db, wanted, found.user.id)
            if me is None:
                raise org_error(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION)
            if not self.permitted(me, {"member": ["update"]}):
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_TEAM_MEMBER)
            if await store.member_of(db, wanted, user_id) is None:
                raise org_error(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION)
            if await store.team_by_id(db, team_id, wanted) is None:
                raise org_error(OrgErrorCode.TEAM_NOT_FOUND)
            if await db.get(User, user_id) is None:
                raise AuthError(ErrorCode.USER_NOT_FOUND, 400, "User not found", answer_code=False)
        async with self.writing() as db:
            await store.lock_org(db, wanted)
            existing = await store.team_member(db, team_id, user_id)
            if existing is not None:
                return existing
            limit = self.options.teams.maximum_members_per_team
            if limit is not None and await store.count_team_members(db, team_id) >= limit:
                raise forbidden(OrgErrorCode.TEAM_MEMBER_LIMIT_REACHED)
            row = TeamMember(
                team_id=team_id,
                user_id=user_id,
                membership_key=store.membership_key(team_id, user_id),
                created_at=self.clock.now(),
            )
            db.add(row)
            await db.flush()
            await store.sync_member_count(db, [team_id])
        return row

    async def remove_member(self, found: AuthSession, organization_id: str | None, team_id: str, user_id: str) -> None:
        wanted = self._org(found, organization_id)
        async with self.reading() as db:
            me = await store.member_of(db, wanted, found.user.id)
            if me is None:
                raise org_error(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION)
            if not self.permitted(me, {"member": ["delete"]}):
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_REMOVE_A_TEAM_MEMBER)
            if await store.team_by_id(db, team_id, wanted) is None:
                raise org_error(OrgErrorCode.TEAM_NOT_FOUND)
        async with self.writing() as db:
            await store.lock_org(db, wanted)
            if await store.team_member(db, team_id, user_id) is None:
                raise org_error(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_TEAM)
            statement = delete(TeamMember).where(col(TeamMember.team_id) == team_id, col(TeamMember.user_id) == user_id)
            await db.exec(statement)
            await store.sync_member_count(db, [team_id])
