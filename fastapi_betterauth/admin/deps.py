"""`require_permission`: guard an app's own routes with the admin plugin's roles (docs/plugins/admin.md).

```python
from fastapi_betterauth.admin import require_permission

@app.delete("/projects/{project_id}")
async def delete_project(project_id: str, session: AuthSession = Depends(require_permission({"project": ["delete"]}))):
    ...
```
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from ..errors import answered_as_http, unauthorized
from ..sessions.deps import get_auth, resolve_session
from ..sessions.service import AuthSession
from .access import Permissions
from .errors import AdminErrorCode, forbidden


def require_permission(permissions: Permissions) -> Callable[[Request, Response], Awaitable[AuthSession]]:
    """A dependency giving the current session when its user has `permissions` (through one of their roles, or
    `admin_user_ids`): 401 `UNAUTHORIZED` without a session, 403 `PERMISSION_DENIED` without the permission. The
    role is read from the store, never from a cookie copy, so taking a role away counts at once."""
    from .plugin import Admin  # the plugin module imports the routers, which import nothing of this one

    @answered_as_http
    async def dependency(request: Request, response: Response) -> AuthSession:
        found = await resolve_session(request, response, use_cookie_cache=False)
        if found is None:
            raise unauthorized()
        if not get_auth(request).plugin(Admin).service.permitted(found.user, permissions):
            raise forbidden(AdminErrorCode.PERMISSION_DENIED)
        return found

    return dependency
