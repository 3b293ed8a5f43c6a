"""Members: list, the caller's membership and role, change a role, remove, leave, add (server-side), and
`has-permission`. An organization never loses its last creator (`creator_role`): the checks and the write happen
under the organization's row lock (docs/security.md M1). No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col

from ..db.models import User
from ..errors import AuthError, ErrorCode
from ..sessions.service import AuthSession
from . import store
from .access import Permissions
from .active import ACTIVE_ORGANIZATION, ActiveState, active_organization_id
from .base import OrgServiceBase
from .errors import OrgErrorCode, forbidden, org_error
from .hooks import run_after, run_before
from .models import Member
from .views import member_json


@dataclass(frozen=True)
class MemberQuery:
    limit: int | None = None
    offset: int = 0
    sort_by: str | None = None
    descending: bool = False
    filter_field: str | None = None
    filter_value: Any = None
    filter_operator: str | None = None


class MemberService(OrgServiceBase):
    """What members do to memberships."""

    async def organization_of(self, found: AuthSession, organization_id: str | None, slug: str | None) -> str:
        """The organization a members route is about: by slug, id, or the active one (400 otherwise)."""
        if slug:
            async with self.reading() as db:
                org = await store.org_by_slug(db, slug)
            if org is None:
                raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND)
            return org.id
        wanted = self.organization_or(found, organization_id, OrgErrorCode.NO_ACTIVE_ORGANIZATION)
        return wanted

    async def membership(self, organization_id: str, user_id: str) -> Member | None:
        async with self.reading() as db:
            return await store.member_of(db, organization_id, user_id)

    async def list_members(
        self, found: AuthSession, organization_id: str, query: MemberQuery
    ) -> tuple[list[tuple[Member, User]], int]:
        if await self.membership(organization_id, found.user.id) is None:
            raise forbidden(OrgErrorCode.YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION)
        condition = None
        if query.filter_field:
            column = store.MEMBER_FILTERS.get(query.filter_field)
            if column is None:
                raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"Cannot filter members by {query.filter_field}")
            condition = _condition(column, query.filter_operator or "eq", query.filter_value)
        sort = None
        if query.sort_by:
            if query.sort_by not in store.MEMBER_SORTS:
                raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"Cannot sort members by {query.sort_by}")
            sort = (query.sort_by, query.descending)
        async with self.reading() as db:
            return await store.members_page(
                db, organization_id, limit=query.limit, offset=query.offset, sort=sort, condition=condition
            )

    async def active_member(self, found: AuthSession) -> tuple[Member, User]:
        organization_id = active_organization_id(found)
        if not organization_id:
            raise org_error(OrgErrorCode.NO_ACTIVE_ORGANIZATION)
        async with self.reading() as db:
            member = await store.member_of(db, organization_id, found.user.id)
        if member is None:
            raise org_error(OrgErrorCode.MEMBER_NOT_FOUND)
        return member, found.user

    async def update_role(
        self, found: AuthSession, organization_id: str | None, member_id: str, roles: list[str]
    ) -> Member:
        """Set a member's roles (`member:update`); only a creator touches creators or makes one, and the last
        creator cannot step down."""
        wanted = self.organization_or(found, organization_id, OrgErrorCode.NO_ACTIVE_ORGANIZATION)
        async with self.writing() as db:
            me = await self.locked_member(db, wanted, found.user.id)
            target = me if me.id == member_id else await store.member_by_id(db, member_id)
            if target is None:
                raise org_error(OrgErrorCode.MEMBER_NOT_FOUND)
            if target.organization_id != wanted:
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER)
            creator = self.options.creator_role
            setting_creator = creator in roles
            if not self.is_creator(me.role) and (self.is_creator(target.role) or setting_creator):
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER)
            if (
                self.is_creator(target.role)
                and not setting_creator
                and await store.owner_count(db, wanted, creator) <= 1
            ):
                raise org_error(OrgErrorCode.YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER)
            if not self.permitted(me, {"member": ["update"]}):
                raise forbidden(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER)
            target.role = self.checked_roles(roles, with_code=True)
            db.add(target)
        return target

    async def remove(
        self, found: AuthSession, organization_id: str | None, member_id_or_email: str
    ) -> tuple[Member, User | None, AuthSession]:
        """Remove a member (`member:delete`), never the last creator; the user's team memberships in the organization
        go with it. The removed member, with its user when named by address (as better-auth answers)."""
        wanted = self.organization_or(found, organization_id, OrgErrorCode.NO_ACTIVE_ORGANIZATION)
        async with self.writing() as db:
            me = await self.locked_member(db, wanted, found.user.id)
            user: User | None = None
            if "@" in member_id_or_email:
                pair = await store.member_by_email(db, wanted, member_id_or_email)
                target, user = pair if pair else (None, None)
            else:
                target = await store.member_by_id(db, member_id_or_email)
            if target is None:
                raise org_error(OrgErrorCode.MEMBER_NOT_FOUND)
            if not self.permitted(me, {"member": ["delete"]}):
                raise org_error(OrgErrorCode.YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER, 401)
            if target.organization_id != wanted:
                raise org_error(OrgErrorCode.MEMBER_NOT_FOUND)
            if self.is_creator(target.role):
                alone = await store.owner_count(db, wanted, self.options.creator_role) <= 1
                if alone or not self.is_creator(me.role):
                    raise org_error(OrgErrorCode.YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER)
            await run_before(self.options.hooks.before_remove_member, member_json(target, user))
            await store.delete_member(db, target)
        await run_after(self.options.hooks.after_remove_member, member_json(target, user))
        if target.user_id == found.user.id and active_organization_id(found) == wanted:
            found = await ActiveState(self.context).set(found, {ACTIVE_ORGANIZATION: None})
        return target, user, found

    async def leave(self, found: AuthSession, organization_id: str) -> tuple[Member, AuthSession]:
        async with self.writing() as db:
            me = await self.locked_member(db, organization_id, found.user.id)
            creators = await store.owner_count(db, organization_id, self.options.creator_role)
            if self.is_creator(me.role) and creators <= 1:
                raise org_error(OrgErrorCode.YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER)
            await run_before(self.options.hooks.before_remove_member, member_json(me, found.user))
            await store.delete_member(db, me)
        await run_after(self.options.hooks.after_remove_member, member_json(me, found.user))
        if active_organization_id(found) == organization_id:
            found = await ActiveState(self.context).set(found, {ACTIVE_ORGANIZATION: None})
        return me, found

    async def add_member(self, organization_id: str, user_id: str, roles: list[str]) -> Member:
        """Server-side only (better-auth's `auth.api.addMember`, no HTTP route): make a user a member, within the
        membership limit. The caller is responsible for deciding that it may."""
        role = self.checked_roles(roles, with_code=True)
        async with self.writing() as db:
            if not await store.lock_org(db, organization_id):
                raise org_error(OrgErrorCode.ORGANIZATION_NOT_FOUND)
            if await db.get(User, user_id) is None:
                raise AuthError(ErrorCode.USER_NOT_FOUND, 400)
            if await store.member_of(db, organization_id, user_id) is not None:
                raise org_error(OrgErrorCode.USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION)
            if await store.count_members(db, organization_id) >= self.options.membership_limit:
                raise forbidden(OrgErrorCode.ORGANIZATION_MEMBERSHIP_LIMIT_REACHED)
            member = Member(organization_id=organization_id, user_id=user_id, role=role, created_at=self.clock.now())
            db.add(member)
        return member

    async def has_permission(self, found: AuthSession, organization_id: str | None, permissions: Permissions) -> bool:
        wanted = self.organization_or(found, organization_id, OrgErrorCode.NO_ACTIVE_ORGANIZATION)
        member = await self.membership(wanted, found.user.id)
        if member is None:
            raise org_error(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION, 401)
        return self.permitted(member, permissions)


def _condition(column: Any, operator: str, value: Any) -> Any:
    target = col(column)
    match operator:
        case "ne":
            return target != value
        case "lt":
            return target < value
        case "lte":
            return target <= value
        case "gt":
            return target > value
        case "gte":
            return target >= value
        case "in":
            return target.in_(value if isinstance(value, list) else str(value).split(","))
        case "not_in":
            return target.not_in(value if isinstance(value, list) else str(value).split(","))
        case "contains":
            return target.contains(str(value))
        case "starts_with":
            return target.startswith(str(value))
        case "ends_with":
            return target.endswith(str(value))
        case _:
            return target == value
