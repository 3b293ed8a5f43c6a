"""FastAPI providers that scope an app's own routes to the caller's active organization (docs/plugins/organizations.md).

```python
from fastapi_betterauth.organization import Membership, current_member, require_org_permission

@app.get("/projects")
async def projects(membership: Membership = Depends(current_member)):
    return await list_projects(organization_id=membership.organization.id)

@app.delete("/projects/{project_id}")
async def delete_project(project_id: str, m: Membership = Depends(require_org_permission({"project": ["delete"]}))):
    ...
```

Each reads the session and the membership from the store (never a cookie copy, docs/security.md M3), so a member
just removed, or a role just taken away, counts at once: 401 `UNAUTHORIZED` without a session, 400
`NO_ACTIVE_ORGANIZATION` without an active organization, 403 `USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION` when the
caller is no longer a member of it, 403 `ORGANIZATION_PERMISSION_DENIED` without the permission.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from fastapi import Request, Response

from ..errors import answered_as_http, unauthorized
from ..sessions.deps import get_auth, resolve_session
from ..sessions.service import AuthSession
from . import store
from .access import Permissions, Role, member_permitted
from .active import active_organization_id
from .errors import OrgErrorCode, forbidden, org_error
from .models import Member, Organization


@dataclass(frozen=True, slots=True)
class Membership:
    """The caller's active organization, their membership of it, and their session."""

    organization: Organization
    member: Member
    session: AuthSession
    roles: Mapping[str, Role]
    """The plugin's roles (custom ones included)."""

    def can(self, permissions: Permissions) -> bool:
        """Whether the member's roles grant all of `permissions`."""
        return member_permitted(self.member.role, permissions, self.roles)


async def _membership(request: Request, response: Response) -> Membership:
    from .plugin import Organization as OrganizationPlugin  # the plugin imports the routers, not this module

    found = await resolve_session(request, response, use_cookie_cache=False)
    if found is None:
        raise unauthorized()
    organization_id = active_organization_id(found)
    if organization_id is None:
        raise org_error(OrgErrorCode.NO_ACTIVE_ORGANIZATION)
    plugin = get_auth(request).plugin(OrganizationPlugin)
    async with plugin.context.database.session() as db:
        organization = await store.org_by_id(db, organization_id)
        member = await store.member_of(db, organization_id, found.user.id) if organization else None
    if organization is None or member is None:
        raise forbidden(OrgErrorCode.USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION)
    return Membership(organization, member, found, plugin.options.active_roles)


@answered_as_http
async def current_member(request: Request, response: Response) -> Membership:
    """The caller's membership of their active organization (see the module's docstring for the answers)."""
    return await _membership(request, response)


@answered_as_http
async def active_organization(request: Request, response: Response) -> Organization:
    """The caller's active organization, of which they are a member."""
    return (await _membership(request, response)).organization


def require_org_permission(permissions: Permissions) -> Callable[[Request, Response], Awaitable[Membership]]:
    """A dependency giving the caller's membership when their role in the active organization grants
    `permissions` (403 `ORGANIZATION_PERMISSION_DENIED` otherwise)."""

    @answered_as_http
    async def dependency(request: Request, response: Response) -> Membership:
        membership = await _membership(request, response)
        if not membership.can(permissions):
            raise forbidden(OrgErrorCode.ORGANIZATION_PERMISSION_DENIED)
        return membership

    return dependency
