"""The organization plugin's access control: better-auth's default statements and its `owner`, `admin` and `member`
roles, made with the same `AccessControl` and `Role` as the admin plugin's (docs/plugins/organizations.md).

```python
from fastapi_betterauth.organization.access import DEFAULT_STATEMENTS, ORG_AC, OWNER_ROLE

ac = AccessControl({**DEFAULT_STATEMENTS, "project": ["create", "delete"]})
roles = {**DEFAULT_ROLES, "developer": ac.new_role({"project": ["create"]})}
Organization(OrganizationOptions(roles=roles))
```
"""

from __future__ import annotations

from collections.abc import Mapping

from ..admin.access import AccessControl, Permissions, Role

__all__ = [
    "ADMIN_ROLE",
    "DEFAULT_ROLES",
    "DEFAULT_STATEMENTS",
    "MEMBER_ROLE",
    "ORG_AC",
    "OWNER_ROLE",
    "AccessControl",
    "Permissions",
    "Role",
    "member_permitted",
    "role_list",
]

DEFAULT_STATEMENTS: Mapping[str, tuple[str, ...]] = {
    "organization": ("update", "delete"),
    "member": ("create", "update", "delete"),
    "invitation": ("create", "cancel"),
    "team": ("create", "update", "delete"),
    "ac": ("create", "read", "update", "delete"),
}
"""The resources and actions of better-auth's organization plugin (`defaultStatements`)."""

ORG_AC = AccessControl(DEFAULT_STATEMENTS)
OWNER_ROLE = ORG_AC.new_role(DEFAULT_STATEMENTS)
"""Everything."""
ADMIN_ROLE = ORG_AC.new_role({**DEFAULT_STATEMENTS, "organization": ("update",)})
"""Everything but deleting the organization."""
MEMBER_ROLE = ORG_AC.new_role({"organization": (), "member": (), "invitation": (), "team": (), "ac": ("read",)})
"""Reading roles only."""
DEFAULT_ROLES: Mapping[str, Role] = {"admin": ADMIN_ROLE, "owner": OWNER_ROLE, "member": MEMBER_ROLE}


def role_list(role: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """A member's roles: a comma-separated text or a list, each trimmed, the empty ones left out."""
    parts = role.split(",") if isinstance(role, str) else list(role or [])
    return [part.strip() for part in parts if isinstance(part, str) and part.strip()]


def member_permitted(role: str, permissions: Permissions | None, roles: Mapping[str, Role]) -> bool:
    """Whether one of a member's roles grants all of `permissions` (better-auth's `hasPermission`); unknown roles
    grant nothing, nothing asked is no permission."""
    if not permissions:
        return False
    for name in role_list(role):
        granted = roles.get(name)
        if granted is not None and granted.authorize(permissions).success:
            return True
    return False
