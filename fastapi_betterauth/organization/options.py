"""The organization plugin's options (better-auth's `organization({...})`), under `AuthSettings.plugins.organization`,
so `BETTER_AUTH_PLUGINS__ORGANIZATION__...` sets each from the environment. Defaults are better-auth's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..admin.options import roles_from_json
from ..plugins.base import PluginOptions
from .access import DEFAULT_ROLES, Role
from .hooks import OrganizationHooks


class DefaultTeamOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    """A new organization gets a team named like it, which its creator joins."""


class TeamsOptions(BaseModel):
    """Teams inside organizations (better-auth's `teams`)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    maximum_teams: int | None = Field(default=None, gt=0)
    """Teams an organization may have (default: no limit)."""
    maximum_members_per_team: int | None = Field(default=None, gt=0)
    """Members a team may have (default: no limit)."""
    allow_removing_all_teams: bool = False
    """Let an organization's last team be removed."""
    default_team: DefaultTeamOptions = Field(default_factory=DefaultTeamOptions)


class OrganizationOptions(PluginOptions):
    """Organizations, members, invitations and teams (better-auth's organization plugin). `roles` can be given in
    code (`Role`s, `fastapi_betterauth.organization.access`) or in settings as JSON
    (`{"billing": {"organization": ["update"]}}`); `hooks` only in code."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    allow_user_to_create_organization: bool = True
    """Whether users may create organizations (false: `/organization/create` answers 403
    `YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION`)."""
    organization_limit: int | None = Field(default=None, gt=0)
    """Organizations one user may be a member of when creating another (default: no limit)."""
    creator_role: str = "owner"
    """The role of an organization's creator: the one an organization never loses its last holder of."""
    membership_limit: int = Field(default=100, gt=0)
    """Members an organization may have (accepting an invitation beyond it is refused)."""
    invitation_limit: int = Field(default=100, gt=0)
    """Pending invitations an organization may have."""
    invitation_expires_in: int = Field(default=172800, gt=0)
    """Seconds an invitation can be accepted for (48 hours)."""
    cancel_pending_invitations_on_re_invite: bool = False
    """Inviting an address with a pending invitation cancels that one (else: `USER_IS_ALREADY_INVITED_...`)."""
    require_email_verification_on_invitation: bool = False
    """Only a verified address may see, accept or reject its invitations."""
    disable_organization_deletion: bool = False
    """`/organization/delete` answers 404."""
    send_invitation_email: bool = True
    """Mail each invitation (type `organization-invitation`) with the app's mailer and templates."""
    invitation_url: str | None = None
    """Where an invitation mail links to: this prefix followed by the invitation id (default:
    `<base URL>/accept-invitation/`), a page of the app that calls `accept-invitation`."""
    teams: TeamsOptions = Field(default_factory=TeamsOptions)
    roles: dict[str, Role] | None = None
    """Roles and what each grants (default: `owner`, `admin`, `member`). Custom ones are added to the defaults."""
    hooks: OrganizationHooks = Field(default_factory=OrganizationHooks)
    """Functions run around creating an organization, inviting, accepting and removing members: in code only."""

    @field_validator("roles", mode="before")
    @classmethod
    def _roles_from_json(cls, value: Any) -> Any:
        return roles_from_json(value)

    @model_validator(mode="after")
    def _creator_role_exists(self) -> OrganizationOptions:
        if self.creator_role not in self.active_roles:
            raise ValueError(f"creator_role {self.creator_role!r} is not one of the roles")
        return self

    @property
    def active_roles(self) -> Mapping[str, Role]:
        """The roles in force: the default ones with `roles` added (or replacing one of the same name)."""
        return {**DEFAULT_ROLES, **(self.roles or {})}
