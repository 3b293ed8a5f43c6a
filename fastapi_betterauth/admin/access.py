"""Access control as better-auth's: statements (resource -> actions) that exist, roles that grant some of them, and
the check of a user's roles against the permissions an operation needs (docs/plugins/admin.md).

```python
statements = {**DEFAULT_STATEMENTS, "project": ["create", "share", "delete"]}
ac = AccessControl(statements)
roles = {
    "admin": ac.new_role({**ADMIN_ROLE.statements, "project": ["create", "share", "delete"]}),
    "user": ac.new_role({"project": ["create"]}),
}
Admin(AdminOptions(roles=roles))
```
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Connector = Literal["AND", "OR"]
Permissions = Mapping[str, Any]
"""What an operation needs: resource -> actions (`{"user": ["ban"]}`), or resource -> `{"actions": [...],
"connector": "OR"}` when any one of the actions is enough."""

DEFAULT_STATEMENTS: Mapping[str, tuple[str, ...]] = {
    "user": (
        "create",
        "list",
        "set-role",
        "ban",
        "impersonate",
        "impersonate-admins",
        "delete",
        "set-password",
        "set-email",
        "set-phone",
        "get",
        "update",
    ),
    "session": ("list", "revoke", "delete"),
}
"""The admin plugin's resources and actions (better-auth's `defaultStatements`)."""


@dataclass(frozen=True)
class AuthorizeResult:
    success: bool
    error: str | None = None


@dataclass(frozen=True)
class Role:
    """A role: the actions it grants on each resource (better-auth's `ac.newRole({...})`)."""

    statements: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def authorize(self, request: Permissions, connector: Connector = "AND") -> AuthorizeResult:
        """Whether this role grants `request`: with `AND` (the default) every resource asked for, with `OR` one of
        them. A resource the role does not know fails an `AND` request; no action asked for is no permission."""
        authorized_any = False
        for resource, asked in request.items():
            allowed = self.statements.get(resource)
            if allowed is None:
                if connector == "AND":
                    return AuthorizeResult(False, f"You are not allowed to access resource: {resource}")
                continue
            granted = _resource_authorized(allowed, asked)
            if granted and connector == "OR":
                return AuthorizeResult(True)
            if not granted and connector == "AND":
                return AuthorizeResult(False, f'unauthorized to access resource "{resource}"')
            authorized_any = authorized_any or granted
        return AuthorizeResult(True) if authorized_any else AuthorizeResult(False, "Not authorized")


def _resource_authorized(allowed: Sequence[str], asked: Any) -> bool:
    if isinstance(asked, list | tuple):
        actions, connector = list(asked), "AND"
    elif isinstance(asked, Mapping):
        listed = asked.get("actions")
        actions = list(listed) if isinstance(listed, list | tuple) else []
        connector = "OR" if asked.get("connector") == "OR" else "AND"
    else:
        return False
    if not actions:
        return False
    grants = [isinstance(action, str) and action in allowed for action in actions]
    return any(grants) if connector == "OR" else all(grants)


class AccessControl:
    """The statements that exist; makes the roles that grant some of them (better-auth's `createAccessControl`)."""

    def __init__(self, statements: Mapping[str, Iterable[str]]) -> None:
        self.statements: dict[str, tuple[str, ...]] = {name: tuple(actions) for name, actions in statements.items()}

    def new_role(self, statements: Mapping[str, Iterable[str]]) -> Role:
        """A role granting these actions; refused when one is no statement (a typo would silently grant nothing)."""
        for resource, actions in statements.items():
            unknown = set(actions) - set(self.statements.get(resource, ()))
            if unknown:
                raise ValueError(f"role grants actions that are no statements of {resource!r}: {sorted(unknown)}")
        return Role({name: tuple(actions) for name, actions in statements.items()})


DEFAULT_AC = AccessControl(DEFAULT_STATEMENTS)
ADMIN_ROLE = DEFAULT_AC.new_role(
    {
        "user": [action for action in DEFAULT_STATEMENTS["user"] if action != "impersonate-admins"],
        "session": list(DEFAULT_STATEMENTS["session"]),
    }
)
"""Every statement but `user:impersonate-admins` (better-auth's `adminAc`)."""
USER_ROLE = DEFAULT_AC.new_role({"user": [], "session": []})
"""Nothing (better-auth's `userAc`)."""
DEFAULT_ROLES: Mapping[str, Role] = {"admin": ADMIN_ROLE, "user": USER_ROLE}


def role_names(role: str | None, default_role: str) -> list[str]:
    """The roles a user's `role` column names: comma-separated, the default role when it is empty."""
    return (role or default_role).split(",")


def has_permission(
    permissions: Permissions | None,
    *,
    user_id: str | None,
    role: str | None,
    roles: Mapping[str, Role],
    default_role: str = "user",
    admin_user_ids: Sequence[str] = (),
) -> bool:
    """Whether a user may do what `permissions` asks: every one of `admin_user_ids` may do anything; anyone else
    when one of their roles grants all of it (roles unknown to `roles` grant nothing)."""
    if user_id and user_id in admin_user_ids:
        return True
    if not permissions:
        return False
    for name in role_names(role, default_role):
        granted = roles.get(name)
        if granted is not None and granted.authorize(permissions).success:
            return True
    return False
