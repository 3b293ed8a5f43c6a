"""Request bodies of the `/organization/*` routes (better-auth's zod schemas), and the checks zod makes that pydantic
words differently."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..errors import AuthError, ErrorCode
from ..routing.zod import js_type
from ..schemas import RequestBody

OptionalId = Field(default=None, alias="organizationId")


def validation(message: str) -> AuthError:
    return AuthError(ErrorCode.VALIDATION_ERROR, 400, message)


def record_or_none(value: Any, where: str) -> dict[str, Any] | None:
    """A `metadata` object (zod's record), else 400 in zod's words."""
    if value is None or isinstance(value, dict):
        return value
    raise validation(f"[{where}] Invalid input: expected record, received {js_type(value)}")


def roles_given(value: Any, where: str = "body.role") -> list[str]:
    """A role or a list of roles (zod's union), trimmed, the empty ones left out; else 400 "Invalid input"."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return [part.strip() for item in value for part in item.split(",") if part.strip()]
    raise validation(f"[{where}] Invalid input")


class CreateOrganizationBody(RequestBody):
    name: str
    slug: str = Field(min_length=1)
    logo: str | None = None
    metadata: Any = None
    keep_current_active_organization: bool | None = Field(default=None, alias="keepCurrentActiveOrganization")


class SlugBody(RequestBody):
    slug: str


class UpdateOrganizationBody(RequestBody):
    data: Any = None
    organization_id: str | None = OptionalId


class UpdateOrganizationData(RequestBody):
    name: str | None = Field(default=None, min_length=1)
    slug: str | None = Field(default=None, min_length=1)
    logo: str | None = None
    metadata: Any = None


class OrganizationIdBody(RequestBody):
    organization_id: str = Field(alias="organizationId")


class SetActiveBody(RequestBody):
    organization_id: str | None = OptionalId
    organization_slug: str | None = Field(default=None, alias="organizationSlug")


class InviteBody(RequestBody):
    email: str
    role: Any = None
    organization_id: str | None = OptionalId
    resend: bool | None = None
    team_id: str | list[str] | None = Field(default=None, alias="teamId")


class InvitationIdBody(RequestBody):
    invitation_id: str = Field(alias="invitationId")


class RemoveMemberBody(RequestBody):
    member_id_or_email: str = Field(alias="memberIdOrEmail")
    organization_id: str | None = OptionalId


class UpdateMemberRoleBody(RequestBody):
    member_id: str = Field(alias="memberId")
    role: str | list[str]
    organization_id: str | None = OptionalId


class HasPermissionBody(RequestBody):
    permissions: dict[str, list[str]] | None = None
    permission: dict[str, list[str]] | None = None
    organization_id: str | None = OptionalId


class CreateTeamBody(RequestBody):
    name: str
    organization_id: str | None = OptionalId


class UpdateTeamData(RequestBody):
    name: str | None = Field(default=None, min_length=1)
    organization_id: str | None = OptionalId


class UpdateTeamBody(RequestBody):
    team_id: str = Field(alias="teamId")
    data: UpdateTeamData


class TeamIdBody(RequestBody):
    team_id: str = Field(alias="teamId")
    organization_id: str | None = OptionalId


class SetActiveTeamBody(RequestBody):
    team_id: str | None = Field(default=None, alias="teamId")


class TeamMemberBody(RequestBody):
    team_id: str = Field(alias="teamId")
    user_id: str = Field(alias="userId")
    organization_id: str | None = OptionalId
