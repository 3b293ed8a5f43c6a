"""The user's own account (docs/better-auth.md#change-email, #delete-user, #update-user): `/update-user`,
`/change-email`, `/delete-user`, `/delete-user/callback`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from ..cookies import request_cookies
from ..errors import AuthError, ErrorCode, NotRoutedError
from ..routing import SENSITIVE, USER_UPDATE, AuthRouter, answers, body_openapi, parse_body
from ..schemas import StatusResponse
from ..security.schemes import session_security
from ..sessions.deps import require_session
from ..sessions.service import AuthSession
from .schemas import ChangeEmailBody, DeleteUserBody, DeleteUserResponse, UpdateUserBody

if TYPE_CHECKING:
    from ..parts import AuthParts

USER_DELETED = {"success": True, "message": "User deleted"}
DELETION_OFF = "an empty 404 unless `user.delete_user.enabled`"


def build_router(auth: AuthParts) -> APIRouter:
    router = AuthRouter(tags=["user"])
    session = session_security(auth.cookies, bearer=auth.settings.bearer.enabled)
    max_bytes = auth.settings.advanced.max_body_bytes
    options = auth.settings.user

    @router.post(
        "/update-user",
        dependencies=session,
        response_model=None,
        responses=answers(
            StatusResponse,
            SENSITIVE,
            USER_UPDATE,
            {400: "`EMAIL_CAN_NOT_BE_UPDATED`"},
            codeless={400: '"No fields to update"'},
        ),
        summary="Change the user's name or image",
        openapi_extra=body_openapi(UpdateUserBody),
    )
    async def update_user(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, UpdateUserBody, max_bytes=max_bytes, shape=("record",))
        found = await require_session(request, response, sensitive=True)
        user = await auth.users.update_profile(found.user, body.model_dump(exclude_unset=True), body.model_extra)
        await auth.session_cookies.show_user_change(response, found, user, request_cookies(request))
        return {"status": True}

    @router.post(
        "/change-email",
        dependencies=session,
        response_model=None,
        responses=answers(
            StatusResponse, SENSITIVE, USER_UPDATE, {400: "`CHANGE_EMAIL_DISABLED`, `EMAIL_IS_THE_SAME`"}
        ),
        summary="Change the email address (by emailed links)",
        openapi_extra=body_openapi(ChangeEmailBody),
    )
    async def change_email(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, ChangeEmailBody, max_bytes=max_bytes)
        found = await require_session(request, response, sensitive=True)
        updated = await auth.email_flows.change_email(found.user, body.new_email, body.callback_url)
        if updated is not None:
            await auth.session_cookies.show_user_change(response, found, updated, request_cookies(request))
        return {"status": True}

    async def delete_account(request: Request, response: Response, found: AuthSession) -> None:
        await auth.users.delete(found.user)
        auth.cookies.clear_session(response, request_cookies(request))

    @router.post(
        "/delete-user",
        dependencies=session,
        response_model=None,
        responses=answers(
            DeleteUserResponse,
            SENSITIVE,
            {
                400: "`INVALID_PASSWORD`, `CREDENTIAL_ACCOUNT_NOT_FOUND` (a password given), `SESSION_EXPIRED` (none "
                "given, on a session older than `session.fresh_age`)",
                404: f"`INVALID_TOKEN` (a deletion token not the user's); {DELETION_OFF}",
            },
        ),
        summary="Delete the account",
        openapi_extra=body_openapi(DeleteUserBody),
    )
    async def delete_user(request: Request, response: Response) -> dict[str, object]:
        body = await parse_body(request, DeleteUserBody, max_bytes=max_bytes)
        if not options.delete_user.enabled:
            raise NotRoutedError()
        found = await require_session(request, response, sensitive=True)
        if body.password is not None:
            await auth.email_flows.verify_password(found.user, body.password)
        if body.token is not None:
            await auth.email_flows.redeem_delete_token(body.token, found.user.id)
        elif options.delete_user.confirm_by_email:
            auth.email_flows.send_delete_confirmation(found.user, body.callback_url)
            return {"success": True, "message": "Verification email sent"}
        elif body.password is None and not auth.sessions.is_fresh(found.session):
            raise AuthError(ErrorCode.SESSION_EXPIRED)
        await delete_account(request, response, found)
        return USER_DELETED

    @router.get(
        "/delete-user/callback",
        dependencies=session,
        response_model=None,
        responses=answers(
            DeleteUserResponse,
            {
                403: "`INVALID_CALLBACK_URL`; `REFUSED_BY_HOOK`",
                404: "`FAILED_TO_GET_USER_INFO` (no usable session), `INVALID_TOKEN` (not the user's link); "
                + DELETION_OFF,
            },
            redirect="To `callbackURL`, the account deleted",
        ),
        summary="Follow an account deletion link",
    )
    async def delete_user_callback(
        request: Request,
        token: str,
        callback_url: Annotated[str | None, Query(alias="callbackURL", max_length=2048)] = None,
    ) -> Response:
        if not options.delete_user.enabled:
            raise NotRoutedError()
        auth.origins.check_callback_url(callback_url)
        answer: Response = RedirectResponse(callback_url, 302) if callback_url else JSONResponse(USER_DELETED, 200)
        try:
            found = await require_session(request, answer, sensitive=True)
        except AuthError:
            raise AuthError(ErrorCode.FAILED_TO_GET_USER_INFO, 404) from None
        await auth.email_flows.redeem_delete_token(token, found.user.id)
        await delete_account(request, answer, found)
        answer.headers["Referrer-Policy"] = "no-referrer"
        return answer

    return router
