"""`POST /update-user` (SPEC §4.9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from ..routing import AuthRoute, body_openapi, parse_body
from ..sessions.deps import require_session
from .schemas import UpdateUserBody

if TYPE_CHECKING:
    from ..auth import BetterAuth


def build_router(auth: BetterAuth) -> APIRouter:
    router = APIRouter(route_class=AuthRoute, tags=["user"])
    max_bytes = auth.settings.advanced.max_body_bytes

    @router.post("/update-user", summary="Change the user's name or image", openapi_extra=body_openapi(UpdateUserBody))
    async def update_user(request: Request, response: Response) -> dict[str, bool]:
        found = await require_session(request, response)
        body = await parse_body(request, UpdateUserBody, max_bytes=max_bytes)
        await auth.users.update_profile(found.user, body.model_dump(exclude_unset=True))
        return {"status": True}

    return router
