"""`Admin`: better-auth's admin plugin on the plugin seam: roles and permissions (`access.py`), the `role`, `banned`,
`banReason`, `banExpires` user fields and the `impersonatedBy` session field, the ban at every sign-in, and the
`/admin/*` routes (user management, sessions, impersonation).

```python
auth = BetterAuth(settings, plugins=[Admin(AdminOptions(admin_user_ids=["<id of the first admin>"]))])
```

or from settings alone: `BETTER_AUTH_PLUGINS__ADMIN__ENABLED=true`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from fastapi import APIRouter

from ..db.models import Session
from ..errors import ErrorCode
from ..fields.schema import FieldDeclarations
from ..plugins.base import Plugin
from ..plugins.context import AuthContext
from ..routing import AuthRouter
from ..sessions.issuer import SignInStage
from ..sessions.service import SessionFilter
from .errors import MESSAGES
from .fields import IMPERSONATED_BY, ROLE, SESSION_FIELDS, USER_FIELDS, user_field
from .impersonation import Impersonation
from .listing import UserListing
from .options import AdminOptions
from .router import build_router
from .service import AdminService
from .sessions_router import build_sessions_router


class Admin(Plugin[AdminOptions]):
    """User management for admins, bans, impersonation, and the roles that allow them."""

    id = "admin"
    options_model = AdminOptions
    error_codes: ClassVar[Mapping[str, str]] = {
        code: message for code, message in MESSAGES.items() if code not in ErrorCode.__members__
    }
    user_fields: ClassVar[FieldDeclarations] = USER_FIELDS
    session_fields: ClassVar[FieldDeclarations] = SESSION_FIELDS

    def setup(self, context: AuthContext, options: AdminOptions) -> None:
        super().setup(context, options)
        if not context.has_database:
            raise ValueError("the admin plugin needs a database (roles and bans are kept in the user table)")
        specs = context.users.fields.specs
        if specs[ROLE].default_value != options.default_role:  # a new user's role is the configured default
            specs[ROLE] = specs[ROLE].model_copy(update={"default_value": options.default_role})
        self.service = AdminService(options, context)
        self.listing = UserListing(context.database, context.users.fields)
        self.impersonation = Impersonation(self.service, context)

    def router(self) -> APIRouter:
        router = AuthRouter(tags=["admin"])
        router.include_router(build_router(self))
        router.include_router(build_sessions_router(self))
        return router

    def sign_in_stages(self) -> Sequence[SignInStage]:
        return (self.service.refuse_banned,)

    def listed_session_filters(self) -> Sequence[SessionFilter]:
        return (_not_impersonation,)


def _not_impersonation(session: Session) -> bool:
    """A user's own session list leaves out the sessions an admin made to impersonate them."""
    return not user_field(session, IMPERSONATED_BY)
