"""The email-otp routes: sending codes, and signing in, verifying an address, checking a code and resetting a
password with one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..addresses import is_valid_email
from ..audit import audit
from ..cookies import request_cookies
from ..crypto.password_policy import PasswordContext
from ..errors import AuthError, ErrorCode
from ..routing import NO_STORE, AuthRouter, answers, body_openapi, parse_body
from ..schemas import user_json
from .errors import EmailOTPErrorCode, otp_error
from .schemas import (
    TYPES_MESSAGE,
    CheckOTPBody,
    EmailBody,
    EmailOTPBody,
    ResetPasswordBody,
    SendOTPBody,
    SignedInResponse,
    SignInOTPBody,
    SuccessResponse,
    VerifiedEmailResponse,
)
from .service import OTP_TYPES, OTPType

if TYPE_CHECKING:
    from .plugin import EmailOTP

WRONG_OTP = "`INVALID_OTP`, `OTP_EXPIRED`"
WRONG_FOR_USER = f"`INVALID_EMAIL`, `USER_NOT_FOUND`, {WRONG_OTP}"
TOO_MANY = "`TOO_MANY_ATTEMPTS` (the code is gone)"


def checked_email(email: str) -> str:
    email = email.lower()
    if not is_valid_email(email):
        raise AuthError(ErrorCode.INVALID_EMAIL)
    return email


def checked_type(otp_type: str | None) -> OTPType:
    if otp_type == "change-email":  # in better-auth's schema, then refused by hand, without a code
        raise AuthError(ErrorCode.BAD_REQUEST, 400, "Invalid OTP type", answer_code=False)
    for known in OTP_TYPES:
        if otp_type == known:
            return known
    raise AuthError(ErrorCode.VALIDATION_ERROR, 400, TYPES_MESSAGE)


def build_router(plugin: EmailOTP) -> APIRouter:
    router = AuthRouter(tags=["email otp"])
    context = plugin.context
    settings = context.settings
    max_bytes = settings.advanced.max_body_bytes
    service = plugin.service
    users = plugin.users

    def send_later(email: str, otp_type: OTPType) -> None:
        """Issue and mail a code off the request path: the answer is the same, in the same time, whether or not the
        address is a user's. Only sign-in codes go to unknown addresses (a sign-up), unless sign-up is off."""

        async def job() -> None:
            user = await users.find(email)
            if user is None and (otp_type != "sign-in" or plugin.options.disable_sign_up):
                return
            await plugin.send_code(email, otp_type, user)

        context.background.spawn(job, "email OTP")

    @router.post(
        "/email-otp/send-verification-otp",
        response_model=None,
        responses=answers(SuccessResponse, {400: "`INVALID_EMAIL`, `VALIDATION_ERROR` (type)"}),
        summary="Mail a one-time code",
        description="`type`: `sign-in`, `email-verification` or `forget-password`; the same answer for every address.",
        openapi_extra=body_openapi(SendOTPBody),
    )
    async def send_verification_otp(request: Request) -> dict[str, Any]:
        context.origins.check(request, login_form=True)
        body = await parse_body(request, SendOTPBody, max_bytes=max_bytes)
        email = checked_email(body.email)
        send_later(email, checked_type(body.type))
        return {"success": True}

    @router.post(
        "/sign-in/email-otp",
        response_model=None,
        responses=answers(SignedInResponse, {400: WRONG_OTP, 403: TOO_MANY}),
        summary="Sign in (and up) with a mailed code",
        openapi_extra=body_openapi(SignInOTPBody),
    )
    async def sign_in_email_otp(request: Request, response: Response) -> dict[str, Any]:
        context.origins.check(request, login_form=True)
        body = await parse_body(request, SignInOTPBody, max_bytes=max_bytes)
        email = body.email.lower()
        await service.verify(email, "sign-in", body.otp)
        user = await users.find(email)
        if user is None:
            if plugin.options.disable_sign_up:
                raise otp_error(EmailOTPErrorCode.INVALID_OTP)
            user = await users.create(email, name=body.name, image=body.image, method="email-otp")
        user = await users.prove_email(user)
        found = await users.sign_in(user, "email-otp", context.client_info(request))
        response.headers.update(NO_STORE)
        await context.session_cookies.write(response, found, remember_me=True, present=request_cookies(request))
        return {"token": found.session.token, "user": user_json(found.user)}

    @router.post(
        "/email-otp/verify-email",
        response_model=None,
        responses=answers(VerifiedEmailResponse, {400: WRONG_FOR_USER, 403: TOO_MANY}),
        summary="Verify an address with a mailed code",
        openapi_extra=body_openapi(EmailOTPBody),
    )
    async def verify_email(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, EmailOTPBody, max_bytes=max_bytes)
        email = checked_email(body.email)
        await service.verify(email, "email-verification", body.otp)
        user = await users.find(email)
        if user is None:
            raise AuthError(ErrorCode.USER_NOT_FOUND, 400)
        user = await context.users.update(user, {"email_verified": True})
        audit("email.verified", user=user.id, method="email-otp")
        response.headers.update(NO_STORE)
        token: str | None = None
        if settings.email_verification.auto_sign_in_after_verification:
            found = await users.sign_in(user, "email-verification", context.client_info(request))
            await context.session_cookies.write(response, found, remember_me=True, present=request_cookies(request))
            token = found.session.token
        return {"status": True, "token": token, "user": user_json(user)}

    @router.post(
        "/email-otp/check-verification-otp",
        response_model=None,
        responses=answers(SuccessResponse, {400: WRONG_FOR_USER, 403: TOO_MANY}),
        summary="Check a mailed code without using it",
        openapi_extra=body_openapi(CheckOTPBody),
    )
    async def check_verification_otp(request: Request) -> dict[str, Any]:
        body = await parse_body(request, CheckOTPBody, max_bytes=max_bytes)
        email = checked_email(body.email)
        await service.verify(email, checked_type(body.type), body.otp, consume=False)
        if await users.find(email) is None:
            raise AuthError(ErrorCode.USER_NOT_FOUND, 400)
        return {"success": True}

    async def request_reset(request: Request) -> dict[str, Any]:
        body = await parse_body(request, EmailBody, max_bytes=max_bytes)
        send_later(checked_email(body.email), "forget-password")
        return {"success": True}

    for path, shown in (("/email-otp/request-password-reset", True), ("/forget-password/email-otp", False)):
        router.add_api_route(
            path,
            request_reset,
            methods=["POST"],
            response_model=None,
            responses=answers(SuccessResponse, {400: "`INVALID_EMAIL`"}),
            summary="Mail a password reset code (same answer for every address)",
            include_in_schema=shown,  # `/forget-password/email-otp` is better-auth's deprecated name of the same
            openapi_extra=body_openapi(EmailBody),
        )

    @router.post(
        "/email-otp/reset-password",
        response_model=None,
        responses=answers(
            SuccessResponse,
            {400: f"`INVALID_EMAIL`, `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG`, {WRONG_OTP}", 403: TOO_MANY},
        ),
        summary="Set a new password with a mailed code",
        openapi_extra=body_openapi(ResetPasswordBody),
    )
    async def reset_password(request: Request) -> dict[str, Any]:
        body = await parse_body(request, ResetPasswordBody, max_bytes=max_bytes)
        email = checked_email(body.email)
        policy = context.email_password.policy
        policy.check_length(body.password)  # before the code, as better-auth: a refused password keeps it usable
        user = await users.find(email)
        await policy.check(body.password, PasswordContext(email=email, name=user.name if user else None))
        await service.verify(email, "forget-password", body.otp)
        if user is None:
            raise otp_error(EmailOTPErrorCode.INVALID_OTP)
        await context.email_password.replace_password(user, body.password)
        if not user.email_verified:
            await context.users.update(user, {"email_verified": True})
        if settings.email_and_password.revoke_sessions_on_password_reset:
            await context.sessions.revoke_all(user.id, secured=True)
        else:
            await context.sessions.account_secured(user.id)
        audit("password.reset", user=user.id, method="email-otp")
        return {"success": True}

    return router
