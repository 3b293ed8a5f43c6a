"""The `/admin/*` routes on sessions: list and revoke a user's sessions, impersonate a user and stop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..cookies import request_cookies
from ..routing import NO_STORE, AuthRouter, answers, body_openapi, parse_body
from ..schemas import session_out_json, user_json
from ..sessions.deps import resolve_session
from .errors import AdminErrorCode, EmptyUnauthorized
from .impersonation import Parked
from .router import NO_SESSION, admin_session, forbidden_doc
from .schemas import RevokeUserSessionBody, UserIdBody

if TYPE_CHECKING:
    from .plugin import Admin

ADMIN_SESSION = "admin_session"


def build_sessions_router(plugin: Admin) -> APIRouter:
    router = AuthRouter(tags=["admin"])
    context = plugin.context
    cookies = context.cookies
    parked_cookie = cookies.name(ADMIN_SESSION)
    max_bytes = context.settings.advanced.max_body_bytes
    admin = plugin.service

    @router.post(
        "/admin/list-user-sessions",
        response_model=None,
        responses=answers(None, forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS)),
        summary="A user's live sessions, impersonation sessions included (`impersonatedBy`)",
        openapi_extra=body_openapi(UserIdBody),
    )
    async def list_user_sessions(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, UserIdBody, max_bytes=max_bytes)
        found = await admin_session(request, response)
        admin.require(found.user, {"session": ["list"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS)
        response.headers.update(NO_STORE)
        return {"sessions": [session_out_json(s) for s in await context.sessions.list_active(body.user_id)]}

    @router.post(
        "/admin/revoke-user-session",
        response_model=None,
        responses=answers(None, forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS)),
        summary="End one session (by its token): `{success: true}`, also for an unknown token",
        openapi_extra=body_openapi(RevokeUserSessionBody),
    )
    async def revoke_user_session(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, RevokeUserSessionBody, max_bytes=max_bytes)
        found = await admin_session(request, response)
        admin.require(found.user, {"session": ["revoke"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS)
        await context.sessions.revoke(body.session_token)
        return {"success": True}

    @router.post(
        "/admin/revoke-user-sessions",
        response_model=None,
        responses=answers(None, forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS)),
        summary="End every session of a user: `{success: true}`, also for an unknown user",
        openapi_extra=body_openapi(UserIdBody),
    )
    async def revoke_user_sessions(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, UserIdBody, max_bytes=max_bytes)
        found = await admin_session(request, response)
        admin.require(found.user, {"session": ["revoke"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS)
        await context.sessions.revoke_all(body.user_id)
        return {"success": True}

    @router.post(
        "/admin/impersonate-user",
        response_model=None,
        responses=answers(
            None,
            forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS),
            {403: "`YOU_CANNOT_IMPERSONATE_ADMINS`, `BANNED_USER`", 404: "`USER_NOT_FOUND`"},
        ),
        summary="Sign in as another user for a while (the admin's session is parked in `admin_session`)",
        openapi_extra=body_openapi(UserIdBody),
    )
    async def impersonate_user(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, UserIdBody, max_bytes=max_bytes)
        found = await admin_session(request, response)
        admin.require(found.user, {"user": ["impersonate"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS)
        session = await plugin.impersonation.start(found, body.user_id, context.client_info(request))
        present = request_cookies(request)
        own_token = cookies.read_signed(present, cookies.session_token) or found.session.token
        parked = Parked(own_token, dont_remember=not cookies.remember_me(present))
        cookies.clear_session(response, present)
        expires_in = context.settings.session.expires_in
        response.headers.append("set-cookie", cookies.serialize_signed(parked_cookie, parked.value(), expires_in))
        await context.session_cookies.write(response, session, remember_me=False, present={})
        response.headers.update(NO_STORE)
        return {"session": session_out_json(session.session), "user": user_json(session.user)}

    @router.post(
        "/admin/stop-impersonating",
        response_model=None,
        responses=answers(
            None,
            {401: NO_SESSION},
            codeless={
                400: '"You are not impersonating anyone"',
                500: '"Failed to find admin session" (no `admin_session` cookie, or its session ended)',
            },
        ),
        summary="Back to the admin's own session; the impersonation session ends",
    )
    async def stop_impersonating(request: Request, response: Response) -> dict[str, Any]:
        found = await resolve_session(request, response)
        if found is None:
            raise EmptyUnauthorized()
        parked_value = cookies.read_signed(request_cookies(request), parked_cookie)
        back = await plugin.impersonation.stop(found, parked_value)
        parked = Parked.parse(parked_value or "")
        await context.session_cookies.write(
            response, back, remember_me=not parked.dont_remember, present=request_cookies(request)
        )
        cookies.expire(response, parked_cookie)
        response.headers.update(NO_STORE)
        return {"session": session_out_json(back.session), "user": user_json(back.user)}

    return router
