"""The jwt routes: `GET /jwks` (public) and `GET /token` (signed in)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..routing import NEEDS_SESSION, AuthRouter, answers
from ..schemas import user_json
from ..security.schemes import session_security
from ..sessions.deps import require_session
from .schemas import JwksResponse, TokenResponse

if TYPE_CHECKING:
    from .plugin import Jwt


def build_router(plugin: Jwt) -> APIRouter:
    router = AuthRouter(tags=["jwt"])
    context = plugin.context
    session = session_security(context.cookies, bearer=context.settings.bearer.enabled)

    @router.get(
        "/jwks",
        response_model=None,
        responses=answers(JwksResponse),
        summary="The JSON Web Key Set that verifies the tokens of `/token` and `set-auth-jwt`",
        description="Public: no session needed. A signing key is made on the first call if there is none.",
    )
    async def get_jwks() -> dict[str, Any]:
        return await plugin.service.jwks()

    @router.get(
        "/token",
        dependencies=session,
        response_model=None,
        responses=answers(TokenResponse, NEEDS_SESSION),
        summary="A JWT of the signed-in user, for other services",
    )
    async def get_token(request: Request, response: Response) -> dict[str, str]:
        found = await require_session(request, response)
        return {"token": await plugin.service.token_for(user_json(found.user))}

    return router
