"""better-auth's admin plugin: roles and permissions, user management, bans, impersonation (docs/plugins/admin.md)."""

from .access import ADMIN_ROLE, DEFAULT_ROLES, DEFAULT_STATEMENTS, USER_ROLE, AccessControl, Role, has_permission
from .deps import require_permission
from .errors import AdminErrorCode
from .options import AdminOptions
from .plugin import Admin

__all__ = [
    "ADMIN_ROLE",
    "DEFAULT_ROLES",
    "DEFAULT_STATEMENTS",
    "USER_ROLE",
    "AccessControl",
    "Admin",
    "AdminErrorCode",
    "AdminOptions",
    "Role",
    "has_permission",
    "require_permission",
]
