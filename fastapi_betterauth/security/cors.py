"""CORS for a browser app on another origin (docs/security.md C5): the origins `trusted_origins` names, with
credentials, never `*`.

```python
from fastapi_betterauth.security.cors import TrustedOriginsCORS

app.add_middleware(TrustedOriginsCORS, origins=auth.origins)
```

It is Starlette's `CORSMiddleware`, asking the same `OriginPolicy` as the origin check of unsafe requests (its
wildcards and custom schemes included), so the two can never disagree. It exposes `set-auth-token` (bearer tokens)
and allows the headers better-auth's clients send.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from .origins import OriginPolicy

ALLOWED_HEADERS = ("content-type", "authorization", "x-api-key", "x-requested-with", "better-auth-cookie")
EXPOSED_HEADERS = ("set-auth-token", "set-better-auth-cookie", "retry-after", "x-retry-after")


class TrustedOriginsCORS(CORSMiddleware):
    """`CORSMiddleware` allowing exactly the trusted origins, with credentials."""

    def __init__(
        self,
        app: ASGIApp,
        origins: OriginPolicy,
        *,
        allow_headers: Sequence[str] = ALLOWED_HEADERS,
        expose_headers: Sequence[str] = EXPOSED_HEADERS,
        max_age: int = 600,
    ) -> None:
        super().__init__(
            app,
            allow_origins=(),
            allow_methods=("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
            allow_headers=allow_headers,
            allow_credentials=True,
            expose_headers=expose_headers,
            max_age=max_age,
        )
        self._origins = origins

    def is_allowed_origin(self, origin: str) -> bool:
        return origin != "null" and self._origins.is_trusted_origin(origin)
