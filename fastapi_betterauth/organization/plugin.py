"""`Organization`: better-auth's organization plugin on the plugin seam: organizations, members and roles,
invitations (mailed), teams, and the session's active organization and team (docs/plugins/organizations.md).

```python
auth = BetterAuth(settings, plugins=[Organization(OrganizationOptions(teams=TeamsOptions(enabled=True)))])
```

or from settings alone: `BETTER_AUTH_PLUGINS__ORGANIZATION__ENABLED=true` (and `..._TEAMS__ENABLED=true`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from fastapi import APIRouter
from sqlalchemy import Table

from ..errors import ErrorCode
from ..fields.schema import FieldDeclarations
from ..plugins.base import Plugin
from ..plugins.context import AuthContext
from ..routing import AuthRouter
from .active import SESSION_FIELDS
from .errors import MESSAGES
from .invitation_router import build_invitation_router
from .invitations import InvitationService
from .member_router import build_member_router
from .members import MemberService
from .models import TABLES
from .options import OrganizationOptions
from .org_router import build_org_router
from .organizations import OrganizationService
from .team_router import build_team_router
from .teams import TeamService


class Organization(Plugin[OrganizationOptions]):
    """Multi-tenant organizations. `active_organization`, `current_member` and `require_org_permission`
    (`fastapi_betterauth.organization.deps`) scope an app's own routes to the caller's organization."""

    id = "organization"
    options_model = OrganizationOptions
    error_codes: ClassVar[Mapping[str, str]] = {
        code: message for code, message in MESSAGES.items() if code not in ErrorCode.__members__
    }
    session_fields: ClassVar[FieldDeclarations] = SESSION_FIELDS

    def setup(self, context: AuthContext, options: OrganizationOptions) -> None:
        super().setup(context, options)
        if not context.has_database:
            raise ValueError("the organization plugin needs a database (organizations are kept in tables)")
        self.organizations = OrganizationService(options, context)
        self.members = MemberService(options, context)
        self.invitations = InvitationService(options, context)
        self.teams = TeamService(options, context)

    def router(self) -> APIRouter:
        router = AuthRouter(tags=["organization"])
        router.include_router(build_org_router(self))
        router.include_router(build_member_router(self))
        router.include_router(build_invitation_router(self))
        if self.options.teams.enabled:
            router.include_router(build_team_router(self))
        return router

    def tables(self) -> Sequence[Table]:
        return tuple(model.__table__ for model in TABLES)  # type: ignore[union-attr]
