"""`POST /sign-up/email` and `POST /sign-in/email` (docs/better-auth.md#sign-up, #sign-in): JSON or HTML form bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..cookies import request_cookies
from ..routing import NO_STORE, AuthRouter, answers, body_openapi, location, parse_body
from ..schemas import TokenUserResponse, user_json
from .schemas import SignInBody, SignInResponse, SignUpBody

NEW_PASSWORD = "`PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG`, `PASSWORD_TOO_COMMON`, `PASSWORD_REFUSED`"
"""The password policy's refusals (400)."""

if TYPE_CHECKING:
    from ..parts import AuthParts
    from ..sessions.cookie_writer import SessionCookieWriter
    from ..sessions.service import AuthSession


def build_router(auth: AuthParts) -> APIRouter:
    router = AuthRouter(tags=["email and password"])
    max_bytes = auth.settings.advanced.max_body_bytes

    @router.post(
        "/sign-up/email",
        response_model=None,
        responses=answers(
            TokenUserResponse,
            {
                400: f"`EMAIL_PASSWORD_SIGN_UP_DISABLED`, `INVALID_EMAIL`, {NEW_PASSWORD}, `SESSION_TOO_LARGE`",
                401: "`FAILED_TO_CREATE_SESSION`",
                422: "`USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`, `FAILED_TO_CREATE_USER`",
            },
        ),
        summary="Create a user with email and password",
        openapi_extra=body_openapi(SignUpBody, allow_form=True),
    )
    async def sign_up_email(request: Request, response: Response) -> dict[str, Any]:
        auth.origins.check(request, login_form=True)
        body = await parse_body(request, SignUpBody, max_bytes=max_bytes, allow_form=True, shape=("object", "record"))
        result = await auth.email_password.sign_up(
            name=body.name,
            email=body.email,
            password=body.password,
            image=body.image,
            remember_me=body.remember_me,
            client=auth.client_info(request),
            callback_url=body.callback_url,
            additional=body.model_extra,
        )
        response.headers.update(NO_STORE)
        if result.session is not None:
            await auth.session_cookies.write(
                response, result.session, remember_me=body.remember_me, present=request_cookies(request)
            )
        return {
            "token": result.session.session.token if result.session else None,
            "user": user_json(result.user),
        }

    @router.post(
        "/sign-in/email",
        response_model=None,
        responses=answers(
            SignInResponse,
            {
                400: "`EMAIL_PASSWORD_DISABLED`, `INVALID_EMAIL`, `PASSWORD_TOO_LONG`, `SESSION_TOO_LARGE`",
                401: "`INVALID_EMAIL_OR_PASSWORD`, `FAILED_TO_CREATE_SESSION`",
                403: "`EMAIL_NOT_VERIFIED` (with `require_email_verification`)",
            },
        ),
        summary="Sign in with email and password",
        openapi_extra=body_openapi(SignInBody, allow_form=True),
    )
    async def sign_in_email(request: Request, response: Response) -> dict[str, Any]:
        auth.origins.check(request, login_form=True)
        body = await parse_body(request, SignInBody, max_bytes=max_bytes, allow_form=True)
        client = auth.client_info(request)
        async with auth.sign_in_throttle.attempt(body.email, client.ip_address):
            found = await auth.email_password.sign_in(
                email=body.email,
                password=body.password,
                remember_me=body.remember_me,
                client=client,
                callback_url=body.callback_url,
            )
        return await signed_in_answer(
            auth.session_cookies, request, response, found, remember_me=body.remember_me, callback_url=body.callback_url
        )

    return router


async def signed_in_answer(
    writer: SessionCookieWriter,
    request: Request,
    response: Response,
    found: AuthSession,
    *,
    remember_me: bool,
    callback_url: str | None,
) -> dict[str, Any]:
    """A password sign-in's answer, whichever the identifier: the session's cookies, `{redirect, token, user}`, and
    with a `callbackURL`, `url` and `Location` too."""
    response.headers.update(NO_STORE)
    await writer.write(response, found, remember_me=remember_me, present=request_cookies(request))
    answer: dict[str, Any] = {"redirect": callback_url is not None, "token": found.session.token}
    if callback_url is not None:
        answer["url"] = callback_url
        response.headers["location"] = location(callback_url)
    answer["user"] = user_json(found.user)
    return answer
