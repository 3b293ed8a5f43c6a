"""What the organization plugin's services share: the database, the clock, the options and the role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlmodel.ext.asyncio.session import AsyncSession

from ..db.unit_of_work import unit_of_work
from ..plugins.context import AuthContext
from ..sessions.service import AuthSession
from . import store
from .access import Permissions, member_permitted, role_list
from .active import active_organization_id
from .errors import OrgErrorCode, org_error
from .models import Member
from .options import OrganizationOptions


class OrgServiceBase:
    """The parts of one organization-plugin service. No HTTP here."""

    def __init__(self, options: OrganizationOptions, context: AuthContext) -> None:
        self.options = options
        self.context = context
        self.clock = context.clock
        self.roles = options.active_roles

    def reading(self) -> AsyncSession:
        """A session for reads (`async with self.reading() as db:`)."""
        return self.context.database.session()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A transaction: committed when the block ends, rolled back on an error; after-commit work runs after."""
        async with unit_of_work(), self.context.database.session() as db, db.begin():
            yield db

    def organization_or(self, found: AuthSession, organization_id: str | None, missing: OrgErrorCode) -> str:
        """The organization a request names, else the session's active one, else 400 with `missing`."""
        wanted = organization_id or active_organization_id(found)
        if not wanted:
            raise org_error(missing)
        return wanted

    async def locked_member(self, db: AsyncSession, organization_id: str, user_id: str) -> Member:
        """The caller's membership, read under the organization's row lock (400 `MEMBER_NOT_FOUND`)."""
        await store.lock_org(db, organization_id)
        member = await store.member_of(db, organization_id, user_id)
        if member is None:
            raise org_error(OrgErrorCode.MEMBER_NOT_FOUND)
        return member

    def permitted(self, member: Member, permissions: Permissions) -> bool:
        return member_permitted(member.role, permissions, self.roles)

    def is_creator(self, role: str) -> bool:
        return self.options.creator_role in role_list(role)

    def checked_roles(self, roles: list[str], *, with_code: bool) -> str:
        """The roles joined as stored, each one of the roles in force, else 400 `ROLE_NOT_FOUND` naming the unknown
        ones (better-auth answers that one without a code from invite-member, with one from update-member-role)."""
        unknown = [role for role in roles if role not in self.roles]
        if unknown:
            message = f"{OrgErrorCode.ROLE_NOT_FOUND}: {', '.join(unknown)}"
            error = org_error(OrgErrorCode.ROLE_NOT_FOUND, 400, message)
            error.answer_code = with_code
            raise error
        return ",".join(roles)
