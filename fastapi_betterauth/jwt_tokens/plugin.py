"""`Jwt`: better-auth's jwt plugin on the plugin seam: the `jwks` table, `GET /jwks`, `GET /token` and the
`set-auth-jwt` header on `get-session`, so that other services verify who the user is without asking this one.

```python
auth = BetterAuth(settings, plugins=[Jwt(JwtOptions(algorithm="ES256"))])
```

or from settings alone: `BETTER_AUTH_PLUGINS__JWT__ENABLED=true`. Other services verify the tokens with `JWTUser`
(`fastapi_betterauth.jwt_tokens.remote`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import APIRouter
from sqlalchemy import Table

from ..plugins.base import Plugin
from ..plugins.context import AuthContext
from ..schemas import user_json
from ..sessions.service import AuthSession, SessionAnswerHeaders
from . import router as jwt_router
from .models import Jwk
from .options import JwtOptions
from .service import JwtService
from .store import KeyStore

JWT_HEADER = "set-auth-jwt"


class Jwt(Plugin[JwtOptions]):
    """JWTs of the signed-in user, signed with keys kept in `jwks` (docs/security.md T9)."""

    id = "jwt"
    options_model = JwtOptions

    def setup(self, context: AuthContext, options: JwtOptions) -> None:
        super().setup(context, options)
        if not context.has_database:
            raise ValueError("the jwt plugin needs a database (its signing keys are kept in the jwks table)")
        self.store = KeyStore(options, context.database, context.keyring, context.clock)
        self.service = JwtService(options, self.store, context.clock, context.settings.url)

    def router(self) -> APIRouter:
        return jwt_router.build_router(self)

    def session_answer_headers(self) -> Sequence[SessionAnswerHeaders]:
        return () if self.options.disable_setting_jwt_header else (self._jwt_header,)

    async def _jwt_header(self, found: AuthSession) -> Mapping[str, str]:
        return {JWT_HEADER: await self.service.token_for(user_json(found.user))}

    def tables(self) -> Sequence[Table]:
        return (Jwk.__table__,)  # type: ignore[attr-defined]
