"""Request bodies of the `/admin/*` routes (better-auth's zod schemas)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from ..schemas import RequestBody


def _coerce_id(value: Any) -> Any:
    """better-auth coerces `userId` to a string (`z.coerce.string()`): a number is taken as its text."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


UserId = Annotated[str, BeforeValidator(_coerce_id), Field(alias="userId")]


class UserIdBody(RequestBody):
    """`unban-user`, `impersonate-user`, `list-user-sessions`, `revoke-user-sessions`, `remove-user`."""

    user_id: UserId


class SetRoleBody(RequestBody):
    user_id: UserId
    role: Any = None
    """A role or a list of roles (checked by the route: zod's "Invalid input" otherwise)."""


class CreateUserBody(RequestBody):
    email: str
    password: str | None = None
    name: str
    role: Any = None
    data: dict[str, Any] | None = None


class UpdateUserBody(RequestBody):
    user_id: UserId
    data: Any = None
    """The fields to change, an object (checked by the route: zod calls it a record)."""


class BanUserBody(RequestBody):
    user_id: UserId
    ban_reason: str | None = Field(default=None, alias="banReason")
    ban_expires_in: float | None = Field(default=None, alias="banExpiresIn")
    """Seconds from now; none: until lifted (or `default_ban_expires_in`)."""


class SetUserPasswordBody(RequestBody):
    user_id: UserId
    new_password: str = Field(alias="newPassword")


class RevokeUserSessionBody(RequestBody):
    session_token: str = Field(alias="sessionToken")


class HasPermissionBody(RequestBody):
    """`permissions` (`permission`, which better-auth's schema also names, is refused by it and here)."""

    permissions: dict[str, Any] | None = None
    permission: dict[str, Any] | None = None
    user_id: str | None = Field(default=None, alias="userId")
    role: str | None = None
