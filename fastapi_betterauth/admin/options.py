"""The admin plugin's options (better-auth's `admin({...})`), under `AuthSettings.plugins.admin`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator, model_validator

from ..plugins.base import PluginOptions
from .access import DEFAULT_ROLES, Role

DEFAULT_BANNED_MESSAGE = (
    "You have been banned from this application. Please contact support if you believe this is an error."
)


class AdminOptions(PluginOptions):
    """User management, bans and impersonation (better-auth's admin plugin). `roles` can be given in code (`Role`s,
    see `fastapi_betterauth.admin.access`) or in settings as JSON (`{"support": {"user": ["list", "get"]}}`)."""

    default_role: str = "user"
    """The role of a new user, and of one whose `role` is empty."""
    admin_roles: list[str] = Field(default_factory=lambda: ["admin"])
    """The roles that make a user an admin (whom only `user:impersonate-admins` may impersonate); each must be one
    of `roles`."""
    admin_user_ids: list[str] = Field(default_factory=list)
    """Users who may do anything, whatever their role: how the first admin is made (docs/plugins/admin.md)."""
    roles: dict[str, Role] | None = None
    """The roles and what each grants (default: `admin` and `user`, `fastapi_betterauth.admin.access`). Only these
    may then be set as a user's role."""
    banned_user_message: str = DEFAULT_BANNED_MESSAGE
    """The message of the 403 `BANNED_USER` answered to a banned user's sign-in."""
    default_ban_reason: str | None = None
    """A ban's reason when the admin gives none (better-auth's: `No reason`)."""
    default_ban_expires_in: int | None = Field(default=None, gt=0)
    """Seconds a ban lasts when the admin gives no `banExpiresIn` (default: until lifted)."""
    impersonation_session_duration: int = Field(default=3600, gt=0)
    """Seconds an impersonation session lasts."""
    allow_impersonating_admins: bool = False
    """Let anyone allowed to impersonate impersonate admins too (else `user:impersonate-admins` is needed)."""

    @field_validator("roles", mode="before")
    @classmethod
    def _roles_from_json(cls, value: Any) -> Any:
        return roles_from_json(value)

    @field_validator("admin_roles", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return [part.strip() for part in value.split(",")] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _admin_roles_exist(self) -> AdminOptions:
        known = {name.lower() for name in self.active_roles}
        unknown = [role for role in self.admin_roles if role.lower() not in known]
        if unknown:
            raise ValueError(f"admin_roles names roles that are not in roles: {', '.join(unknown)}")
        return self

    @property
    def active_roles(self) -> Mapping[str, Role]:
        """The roles in force: `roles`, else the default ones."""
        return self.roles if self.roles is not None else DEFAULT_ROLES


def roles_from_json(value: Any) -> Any:
    """Roles given in settings as JSON (name -> resource -> actions) as `Role`s; `Role`s given in code stay as they
    are (the admin and organization plugins' `roles`)."""
    if isinstance(value, Mapping):
        return {
            name: role if isinstance(role, Role) else Role(role_statements(name, role)) for name, role in value.items()
        }
    return value


def role_statements(name: str, value: Any) -> dict[str, tuple[str, ...]]:
    """A role given as JSON (resource -> list of actions), checked; shared with the organization plugin's roles."""
    if not isinstance(value, Mapping) or not all(
        isinstance(actions, list | tuple) and all(isinstance(action, str) for action in actions)
        for actions in value.values()
    ):
        raise ValueError(f"role {name!r}: expected an object of resource -> list of actions")
    return {str(resource): tuple(actions) for resource, actions in value.items()}
