"""`require_two_factor`: a route of the app that only users with two-factor authentication on may use.

```python
from fastapi_betterauth.two_factor.deps import require_two_factor

@app.get("/billing")
async def billing(user: User = Depends(require_two_factor)) -> dict[str, str]: ...
```

401 `UNAUTHORIZED` without a session; 403 `TWO_FACTOR_REQUIRED` when the user has not enabled two-factor
authentication. Sessions an API key stands for are refused (403 `API_KEY_SESSION_NOT_ALLOWED`): a key never
passed a second factor.
"""

from __future__ import annotations

from fastapi import Request, Response

from ..db.models import User
from ..errors import answered_as_http, unauthorized
from ..sessions.deps import resolve_session
from .errors import TwoFactorErrorCode, two_factor_error
from .service import two_factor_enabled


@answered_as_http
async def require_two_factor(request: Request, response: Response) -> User:
    """The signed-in user, who has two-factor authentication on."""
    found = await resolve_session(request, response, allow_sources=False)
    if found is None:
        raise unauthorized()
    if not two_factor_enabled(found.user):
        raise two_factor_error(TwoFactorErrorCode.TWO_FACTOR_REQUIRED, 403)
    return found.user
