"""The username routes: `POST /sign-in/username` and `POST /is-username-available`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..email_password.router import signed_in_answer
from ..errors import AuthError, ErrorCode
from ..routing import AuthRouter, answers, body_openapi, parse_body
from .errors import UsernameErrorCode, username_error
from .schemas import AvailableResponse, SignInUsernameBody, UsernameBody

if TYPE_CHECKING:
    from .plugin import Username

MALFORMED = "`USERNAME_TOO_SHORT`, `USERNAME_TOO_LONG`, `INVALID_USERNAME`"


def build_router(plugin: Username) -> APIRouter:
    router = AuthRouter(tags=["username"])
    context = plugin.context
    max_bytes = context.settings.advanced.max_body_bytes

    @router.post(
        "/sign-in/username",
        response_model=None,
        responses=answers(
            None,
            {
                400: "`PASSWORD_TOO_LONG`, `SESSION_TOO_LARGE`",
                401: "`INVALID_USERNAME_OR_PASSWORD`, `FAILED_TO_CREATE_SESSION`",
                403: "`EMAIL_NOT_VERIFIED` (with `require_email_verification`), `INVALID_CALLBACK_URL`",
                422: MALFORMED,
            },
        ),
        summary="Sign in with username and password",
        description="Answers as `/sign-in/email` does: `{redirect, token, user}` and `url` with a `callbackURL`.",
        openapi_extra=body_openapi(SignInUsernameBody),
    )
    async def sign_in_username(request: Request, response: Response) -> dict[str, Any]:
        context.origins.check(request, login_form=True)
        body = await parse_body(request, SignInUsernameBody, max_bytes=max_bytes)
        refusal = username_error(UsernameErrorCode.INVALID_USERNAME_OR_PASSWORD, 401)
        if not body.username or not body.password:
            raise refusal
        username = plugin.service.require_valid(body.username, 422)
        if len(body.password) > context.settings.email_and_password.max_password_length:
            raise AuthError(ErrorCode.PASSWORD_TOO_LONG)
        found = await plugin.service.find_for_sign_in(username)
        client = context.client_info(request)
        # Throttled per account as email sign-ins are (one count for both ways in), per username when there is none.
        account = found[0].email if found else f"username:{username}"
        async with context.sign_in_throttle.attempt(account, client.ip_address):
            session = await context.email_password.sign_in_with_password(
                found,
                body.password,
                remember_me=body.remember_me,
                client=client,
                callback_url=body.callback_url,
                method="username",
                refusal=refusal,
                unknown={"reason": "unknown_username"},
            )
        return await signed_in_answer(
            context.session_cookies,
            request,
            response,
            session,
            remember_me=body.remember_me,
            callback_url=body.callback_url,
        )

    @router.post(
        "/is-username-available",
        response_model=AvailableResponse,
        responses=answers(AvailableResponse, {422: MALFORMED}),
        summary="Whether a username is free",
        openapi_extra=body_openapi(UsernameBody),
    )
    async def is_username_available(request: Request) -> dict[str, bool]:
        body = await parse_body(request, UsernameBody, max_bytes=max_bytes)
        if not body.username:
            raise username_error(UsernameErrorCode.INVALID_USERNAME, 422)
        username = plugin.service.require_valid(body.username, 422)
        return {"available": await plugin.service.owner_of(username) is None}

    return router
