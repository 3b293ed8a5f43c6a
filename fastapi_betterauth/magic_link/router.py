"""The magic-link routes: `POST /sign-in/magic-link` and `GET /magic-link/verify`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from starlette.responses import RedirectResponse

from ..cookies import request_cookies
from ..errors import AuthError, ErrorCode
from ..mail import Templates, build_message
from ..routing import LINK_HEADERS, AuthRouter, absolute_url, answers, body_openapi, json_answer, parse_body
from ..schemas import session_out_json, user_json
from ..sessions.issuer import SignInHalted
from . import errors
from .schemas import SignInMagicLinkBody, StatusResponse, VerifiedResponse

if TYPE_CHECKING:
    from .plugin import MagicLink

_URL = Annotated[str | None, Query(max_length=2048)]


def build_router(plugin: MagicLink) -> APIRouter:
    router = AuthRouter(tags=["magic link"])
    context = plugin.context
    settings = context.settings
    max_bytes = settings.advanced.max_body_bytes
    flows = context.email_password.emails
    templates = flows.templates if flows is not None else Templates()  # the app's `email_templates` apply
    base_url = f"{settings.url}{settings.base_path}"

    def link(token: str, body: SignInMagicLinkBody) -> str:
        # As better-auth builds it: callbackURL always (default "/"), the others when given, in this order.
        query = f"token={token}&callbackURL={quote(body.callback_url or '/', safe='')}"
        if body.new_user_callback_url:
            query += f"&newUserCallbackURL={quote(body.new_user_callback_url, safe='')}"
        if body.error_callback_url:
            query += f"&errorCallbackURL={quote(body.error_callback_url, safe='')}"
        return f"{base_url}/magic-link/verify?{query}"

    @router.post(
        "/sign-in/magic-link",
        response_model=None,
        responses=answers(
            StatusResponse,
            {
                403: "`INVALID_CALLBACK_URL`, `INVALID_NEW_USER_CALLBACK_URL`, `INVALID_ERROR_CALLBACK_URL`, "
                "`INVALID_ORIGIN`, `CROSS_SITE_NAVIGATION_LOGIN_BLOCKED`",
            },
        ),
        summary="Mail a sign-in link",
        description="The same answer for every address; a new address gets a user when the link is followed.",
        openapi_extra=body_openapi(SignInMagicLinkBody),
    )
    async def sign_in_magic_link(request: Request) -> dict[str, Any]:
        context.origins.check(request, login_form=True)
        body = await parse_body(request, SignInMagicLinkBody, max_bytes=max_bytes)
        token = await plugin.service.issue(body.email, body.name)
        url = link(token, body)
        message = build_message(
            "magic-link",
            to=body.email,
            url=url,
            token=token,
            user_id=None,
            user_name=body.name,
            app_name=settings.email.app_name,
            templates=templates,
        )
        context.mailer.dispatch(message)
        return {"status": True}

    @router.get(
        "/magic-link/verify",
        response_model=None,
        responses=answers(
            VerifiedResponse,
            {403: "`INVALID_CALLBACK_URL` (any of the three URLs)"},
            redirect="To `newUserCallbackURL` / `callbackURL`; with `?error=INVALID_TOKEN` (and the like) to "
            "`errorCallbackURL` / `callbackURL` / `/`",
        ),
        summary="Follow a sign-in link",
        description="Without `callbackURL`, answers the new session as JSON; every refusal is a redirect.",
    )
    async def verify_magic_link(
        request: Request,
        token: str,
        callback_url: Annotated[_URL, Query(alias="callbackURL")] = None,
        new_user_callback_url: Annotated[_URL, Query(alias="newUserCallbackURL")] = None,
        error_callback_url: Annotated[_URL, Query(alias="errorCallbackURL")] = None,
    ) -> Response:
        # All three checked before the token (the link stays usable), each reported as better-auth does.
        for url in (callback_url, new_user_callback_url, error_callback_url):
            context.origins.check_callback_url(url or None, ErrorCode.INVALID_CALLBACK_URL)
        callback = absolute_url(base_url, callback_url or "/")
        error_target = error_callback_url or callback_url or "/"

        def refused(code: str) -> Response:
            return RedirectResponse(absolute_url(base_url, error_target, error=code), 302, headers=LINK_HEADERS)

        redeemed = await plugin.service.redeem(token)
        if redeemed is None:
            return refused(errors.INVALID_TOKEN)
        users = plugin.users
        user = await users.find(redeemed.email)
        is_new = user is None
        if user is None:
            if plugin.options.disable_sign_up:
                return refused(errors.NEW_USER_SIGNUP_DISABLED)
            try:
                user = await users.create(redeemed.email, name=redeemed.name, method="magic-link")
            except AuthError:
                return refused(errors.FAILED_TO_CREATE_USER)
        user = await users.prove_email(user)
        try:
            found = await users.sign_in(user, "magic-link", context.client_info(request))
        except SignInHalted as halted:
            return halted.to_response()
        except AuthError as error:
            return refused(error.code)
        if callback_url:
            target = absolute_url(base_url, new_user_callback_url) if is_new and new_user_callback_url else callback
            answer: Response = RedirectResponse(target, 302, headers=LINK_HEADERS)
        else:
            body = {
                "token": found.session.token,
                "user": user_json(found.user),
                "session": session_out_json(found.session),
            }
            answer = json_answer(body, Response())
            answer.headers.update(LINK_HEADERS)
        await context.session_cookies.write(answer, found, remember_me=True, present=request_cookies(request))
        return answer

    return router
