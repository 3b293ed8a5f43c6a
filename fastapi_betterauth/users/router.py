"""`POST /update-user` (SPEC §4.9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from ..routing import AuthRoute, body_openapi, parse_body
from ..sessions.deps import require_session
from ..sessions.service import AuthSession
from .schemas import UpdateUserBody

if TYPE_CHECKING:
    from ..auth import BetterAuth


def build_router(auth: BetterAuth) -> APIRouter:
    router = APIRouter(route_class=AuthRoute, tags=["user"])
    max_bytes = auth.settings.advanced.max_body_bytes

    @router.post("/update-user", summary="Change the user's name or image", openapi_extra=body_openapi(UpdateUserBody))
    async def update_user(request: Request, response: Response) -> dict[str, bool]:
        found = await require_session(request, response, sensitive=True)
        body = await parse_body(request, UpdateUserBody, max_bytes=max_bytes)
        user = await auth.users.update_profile(found.user, body.model_dump(exclude_unset=True))
        if auth.cookie_cache is not None:  # the cached copy must show the change at once
            await auth.cookie_cache.write(response, AuthSession(found.session, user), request.cookies)
        return {"status": True}

    return router
