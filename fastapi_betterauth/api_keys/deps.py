"""The `api_key(...)` provider: machine clients authenticate with a key in a header.

```python
@app.get("/files")
async def files(found: Annotated[VerifiedApiKey, Depends(api_key(permissions={"files": ["read"]}))]):
    return await list_files(owner=found.user.id)
```
"""

from __future__ import annotations

import inspect

from fastapi import Request
from fastapi.openapi.models import APIKey, APIKeyIn
from fastapi.security.base import SecurityBase

from ..errors import AuthError, ErrorCode, answered_as_http
from ..sessions.deps import get_auth
from .keys import Permissions
from .plugin import ApiKeys
from .request import KeyGetter, read_api_key, verify_request_key
from .service import VerifiedApiKey

DEFAULT_HEADER = "x-api-key"
API_KEY_SCHEME = "betterAuthApiKey"
"""OpenAPI name of the API key scheme (`betterAuthApiKey.<header>` for a provider with its own `header`)."""


class ApiKeyAuth(SecurityBase):
    """A security scheme like FastAPI's `APIKeyHeader`: its `model` puts the header in OpenAPI (and `/docs`'
    "Authorize"), and calling it verifies the key. It is the whole dependency (one level), and
    `app.dependency_overrides[provider]` replaces it.

    It answers the verified key and its owner; 401 `UNAUTHORIZED` without a key (or `None` with
    `auto_error=False`), 401 `INVALID_API_KEY` / `KEY_DISABLED` / `KEY_EXPIRED` / `INVALID_REFERENCE_ID_FROM_API_KEY`,
    403 `INSUFFICIENT_API_KEY_PERMISSIONS`, 429 `USAGE_EXCEEDED` or `RATE_LIMITED` (with `Retry-After`). A request
    spends one use of its key however many providers (and mock-session lookups) read it.
    """

    def __init__(
        self,
        *,
        permissions: Permissions | None = None,
        header: str | None = None,
        getter: KeyGetter | None = None,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.permissions = {resource: list(actions) for resource, actions in (permissions or {}).items()}
        self.header = header
        self.getter = getter
        self.auto_error = auto_error
        self.model = APIKey(
            **{"in": APIKeyIn.header},
            name=header or DEFAULT_HEADER,
            description=description or "An API key from `POST /api-key/create` (header configurable).",
        )
        # One OpenAPI scheme per header: a custom header under the default's name would replace it in /docs.
        self.scheme_name = scheme_name or (f"{API_KEY_SCHEME}.{header}" if header else API_KEY_SCHEME)

    @answered_as_http
    async def __call__(self, request: Request) -> VerifiedApiKey | None:
        plugin = get_auth(request).plugin(ApiKeys)
        key = await self._read(request) if self.getter is not None else read_api_key(plugin, request, self.header)
        if not key:
            if not self.auto_error:
                return None
            raise AuthError(ErrorCode.UNAUTHORIZED, headers={"WWW-Authenticate": "APIKey"})
        return await verify_request_key(plugin, request, key, self.permissions or None)

    async def _read(self, request: Request) -> str | None:
        assert self.getter is not None
        value = self.getter(request)
        if inspect.isawaitable(value):
            value = await value
        if value is not None and not isinstance(value, str):  # better-auth: INVALID_API_KEY_GETTER_RETURN_TYPE
            raise TypeError(f"the API key getter returned {type(value).__name__}, not a string or None")
        return value


def api_key(
    permissions: Permissions | None = None,
    *,
    header: str | None = None,
    getter: KeyGetter | None = None,
    auto_error: bool = True,
) -> ApiKeyAuth:
    """A provider that requires a valid API key (with every permission in `permissions`, AND semantics).

    The key is read from `header`, else from the headers in `api_key.headers` (`x-api-key`), or by `getter`.
    """
    return ApiKeyAuth(permissions=permissions, header=header, getter=getter, auto_error=auto_error)
