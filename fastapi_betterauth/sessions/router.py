"""`GET /get-session` and `POST /sign-out` (SPEC §2.4, §2.7)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from ..errors import AuthError, ErrorCode
from ..routing import AuthRoute
from ..schemas import SessionOut, SessionResponse, UserOut
from .deps import resolve_session
from .service import AuthSession

if TYPE_CHECKING:
    from ..auth import BetterAuth

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def session_json(found: AuthSession) -> dict[str, Any]:
    return {
        "session": SessionOut.model_validate(found.session).to_json(),
        "user": UserOut.model_validate(found.user).to_json(),
    }


def build_router(auth: BetterAuth) -> APIRouter:
    router = APIRouter(route_class=AuthRoute, tags=["session"])

    @router.get(
        "/get-session",
        response_model=None,
        responses={200: {"model": SessionResponse | None}},
        summary="The current session and user, or null",
    )
    async def get_session(
        request: Request,
        response: Response,
        disable_cookie_cache: Annotated[bool, Query(alias="disableCookieCache")] = False,
        disable_refresh: Annotated[bool, Query(alias="disableRefresh")] = False,
    ) -> dict[str, Any] | None:
        found = await resolve_session(request, response, refresh=not disable_refresh, use_cache=False)
        response.headers.update(NO_STORE)
        return session_json(found) if found else None

    @router.post("/get-session", include_in_schema=False)
    async def get_session_post() -> None:
        raise AuthError(ErrorCode.METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED, 405)

    @router.post("/sign-out", summary="End the current session and clear its cookies")
    async def sign_out(request: Request, response: Response) -> dict[str, bool]:
        token = auth.cookies.read_signed(request.cookies, auth.cookies.session_token)
        if token is not None:
            await auth.sessions.revoke(token)
        response.headers.update(NO_STORE)
        auth.cookies.clear_session(response)
        return {"success": True}

    return router
