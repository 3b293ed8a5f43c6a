"""better-auth's organization plugin: organizations, members, invitations, teams, roles
(docs/plugins/organizations.md)."""

from .access import ADMIN_ROLE, DEFAULT_ROLES, DEFAULT_STATEMENTS, MEMBER_ROLE, ORG_AC, OWNER_ROLE
from .deps import Membership, active_organization, current_member, require_org_permission
from .hooks import OrganizationHooks
from .options import DefaultTeamOptions, OrganizationOptions, TeamsOptions
from .plugin import Organization

__all__ = [
    "ADMIN_ROLE",
    "DEFAULT_ROLES",
    "DEFAULT_STATEMENTS",
    "MEMBER_ROLE",
    "ORG_AC",
    "OWNER_ROLE",
    "DefaultTeamOptions",
    "Membership",
    "Organization",
    "OrganizationHooks",
    "OrganizationOptions",
    "TeamsOptions",
    "active_organization",
    "current_member",
    "require_org_permission",
]
