"""Verification, reset and password routes (docs/better-auth.md#password-reset-and-changes, #email-verification):
`/send-verification-email`, `/verify-email`, `/request-password-reset` (and `/forget-password`), `/reset-password`,
`/change-password`, `/verify-password`."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ..cookies import request_cookies
from ..errors import AuthError, ErrorCode
from ..routing import (
    LINK_HEADERS,
    NO_STORE,
    READS_SESSION,
    SENSITIVE,
    USER_UPDATE,
    AuthRouter,
    absolute_url,
    answers,
    body_openapi,
    json_answer,
    parse_body,
    with_query,
)
from ..schemas import StatusResponse, TokenUserResponse, user_json
from ..security.schemes import session_security
from ..sessions.deps import require_session, resolve_session
from ..sessions.issuer import SignInAttempt
from .account_schemas import (
    ChangePasswordBody,
    PasswordBody,
    RequestResetBody,
    ResetPasswordBody,
    ResetRequestedResponse,
    SendVerificationBody,
    VerifyEmailResponse,
)
from .flows import VerifiedEmail
from .router import NEW_PASSWORD

if TYPE_CHECKING:
    from ..parts import AuthParts

RESET_MESSAGE = "If this email exists in our system, check your email for the reset link"
WRONG_PASSWORD = {400: "`INVALID_PASSWORD`, `CREDENTIAL_ACCOUNT_NOT_FOUND` (the account has no password)"}


def build_router(auth: AuthParts) -> APIRouter:
    router = AuthRouter(tags=["email and password"])
    session = session_security(auth.cookies, bearer=auth.settings.bearer.enabled)
    max_bytes = auth.settings.advanced.max_body_bytes
    flows = auth.email_flows

    @router.post(
        "/send-verification-email",
        response_model=None,
        responses=answers(
            StatusResponse, READS_SESSION, {400: "`EMAIL_MISMATCH`, `EMAIL_ALREADY_VERIFIED` (signed in)"}
        ),
        summary="Mail a verification link",
        openapi_extra=body_openapi(SendVerificationBody),
    )
    async def send_verification_email(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, SendVerificationBody, max_bytes=max_bytes)
        found = await resolve_session(request, response)
        if found is None:
            flows.request_verification(body.email, body.callback_url)  # same answer for every address
            return {"status": True}
        if body.email != found.user.email:
            raise AuthError(ErrorCode.EMAIL_MISMATCH)
        if found.user.email_verified:
            raise AuthError(ErrorCode.EMAIL_ALREADY_VERIFIED)
        flows.send_verification_later(found.user, body.callback_url)
        return {"status": True}

    @router.get(
        "/verify-email",
        response_model=None,
        responses=answers(
            VerifyEmailResponse,
            READS_SESSION,
            USER_UPDATE,
            {
                401: "`INVALID_TOKEN`, `TOKEN_EXPIRED`, `USER_NOT_FOUND`, `INVALID_USER` (without `callbackURL`)",
                403: "`INVALID_CALLBACK_URL`",
                400: "`SESSION_TOO_LARGE`",
            },
            redirect="To `callbackURL`, with `?error=CODE` when the link is refused",
        ),
        summary="Follow a verification link",
    )
    async def verify_email(
        request: Request,
        token: str,
        callback_url: Annotated[str | None, Query(alias="callbackURL", max_length=2048)] = None,
    ) -> Response:
        auth.origins.check_callback_url(callback_url)
        # The answer is built first: a session found on the way may refresh its cookies on it.
        answer: Response = RedirectResponse(callback_url, 302, headers=LINK_HEADERS) if callback_url else Response()
        current = await resolve_session(request, answer)
        try:
            verified = await flows.verify_email(token, callback_url, current.user if current else None)
        except AuthError as error:
            if callback_url:
                return RedirectResponse(with_query(callback_url, error=error.code), 302, headers=LINK_HEADERS)
            raise AuthError(error.code, error.status_code, error.message, headers=LINK_HEADERS) from None
        if not callback_url:
            answer = json_answer(_verified_body(verified), answer)
            answer.headers.update(LINK_HEADERS)
        # The user's own browser sees the change at once (its cookie cache or stateless session is re-issued).
        if current is not None and current.user.id == verified.user.id:
            await auth.session_cookies.show_user_change(answer, current, verified.user, request_cookies(request))
        elif verified.outcome == "verified" and auth.settings.email_verification.auto_sign_in_after_verification:
            attempt = SignInAttempt(verified.user, "email-verification", client=auth.client_info(request))
            found = await auth.issuer.issue(attempt)
            await auth.session_cookies.write(answer, found, remember_me=True, present=request_cookies(request))
        return answer

    async def request_reset(request: Request) -> dict[str, Any]:
        body = await parse_body(request, RequestResetBody, max_bytes=max_bytes)
        flows.request_password_reset(body.email, body.redirect_to)
        return {"status": True, "message": RESET_MESSAGE}

    router.add_api_route(
        "/request-password-reset",
        request_reset,
        methods=["POST"],
        response_model=None,
        responses=answers(ResetRequestedResponse),
        summary="Mail a password reset link (same answer for every address)",
        openapi_extra=body_openapi(RequestResetBody),
    )
    router.add_api_route(
        "/forget-password",
        request_reset,
        methods=["POST"],
        include_in_schema=False,
        response_model=None,
        responses=answers(ResetRequestedResponse),
        openapi_extra=body_openapi(RequestResetBody),
    )

    @router.get(
        "/reset-password/{token}",
        response_class=HTMLResponse,
        responses=answers(
            None,
            {403: "`INVALID_CALLBACK_URL`"},
            html="A minimal form to set a new password (the link as mailed without `redirectTo`: `?callbackURL=`)",
            redirect="To `callbackURL` with `?token=`, or `?error=INVALID_TOKEN`",
        ),
        summary="Follow a reset link",
    )
    async def reset_password_link(
        token: str, callback_url: Annotated[str, Query(alias="callbackURL", max_length=2048)]
    ) -> Response:
        if not callback_url:
            # The link as mailed without `redirectTo` (`?callbackURL=`): better-auth's redirects to its error page;
            # here it opens a minimal reset form.
            return HTMLResponse(_reset_form(auth.settings.base_path, token), headers=LINK_HEADERS)
        auth.origins.check_callback_url(callback_url)
        # better-auth answers with an absolute URL, resolved against its base URL.
        base = f"{auth.settings.url}{auth.settings.base_path}"
        if await flows.reset_token_is_valid(token):
            return RedirectResponse(absolute_url(base, callback_url, token=token), 302, headers=LINK_HEADERS)
        return RedirectResponse(absolute_url(base, callback_url, error="INVALID_TOKEN"), 302, headers=LINK_HEADERS)

    @router.post(
        "/reset-password",
        response_model=None,
        responses=answers(StatusResponse, {400: f"`INVALID_TOKEN`, `USER_NOT_FOUND`, {NEW_PASSWORD}"}),
        summary="Set a new password with a reset token",
        openapi_extra=body_openapi(ResetPasswordBody, allow_form=True),
    )
    async def reset_password(request: Request, token: str | None = None) -> dict[str, bool]:
        body = await parse_body(request, ResetPasswordBody, max_bytes=max_bytes, allow_form=True)
        presented = body.token or token
        if not presented:
            raise AuthError(ErrorCode.INVALID_TOKEN, 400)
        user = await flows.reset_password(presented, body.new_password)
        await auth.sign_in_throttle.forgive(user.email, auth.client_info(request).ip_address)
        return {"status": True}

    @router.post(
        "/change-password",
        dependencies=session,
        response_model=None,
        responses=answers(TokenUserResponse, SENSITIVE, WRONG_PASSWORD, {400: NEW_PASSWORD}),
        summary="Change the password (optionally ending every other session)",
        openapi_extra=body_openapi(ChangePasswordBody),
    )
    async def change_password(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, ChangePasswordBody, max_bytes=max_bytes)
        found = await require_session(request, response, sensitive=True)
        renewed = await flows.change_password(
            found, body.current_password, body.new_password, revoke_other_sessions=body.revoke_other_sessions
        )
        if renewed is not None:
            await auth.session_cookies.write(response, renewed, remember_me=True, present=request_cookies(request))
        response.headers.update(NO_STORE)
        return {
            "token": renewed.session.token if renewed else None,
            "user": user_json(found.user),
        }

    @router.post(
        "/verify-password",
        dependencies=session,
        response_model=None,
        responses=answers(StatusResponse, SENSITIVE, WRONG_PASSWORD),
        summary="Check the password",
        openapi_extra=body_openapi(PasswordBody),
    )
    async def verify_password(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, PasswordBody, max_bytes=max_bytes)
        found = await require_session(request, response, sensitive=True)
        await flows.verify_password(found.user, body.password)
        return {"status": True}

    return router


def _verified_body(verified: VerifiedEmail) -> dict[str, Any]:
    """better-auth's answers: `{status, user: null}`, the changed user after an email change, and `{status}` alone
    when the old address confirmed a change."""
    if verified.outcome == "change-confirmed":
        return {"status": True}
    user = user_json(verified.user) if verified.outcome == "email-changed" else None
    return {"status": True, "user": user}


def _reset_form(base_path: str, token: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Reset your password</title></head>
<body><form method="post" action="{escape(base_path)}/reset-password">
<h1>Reset your password</h1>
<input type="hidden" name="token" value="{escape(token)}">
<label>New password <input type="password" name="newPassword" autocomplete="new-password" required></label>
<button type="submit">Set password</button>
</form></body></html>"""
