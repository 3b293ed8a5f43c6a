"""`POST /sign-in/social`, `GET|POST /callback/{provider}` and the `/error` page (docs/better-auth.md#social-sign-in,
#oauth-callback)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ..cookies import request_cookies
from ..db.models import Account
from ..errors import AuthError, ErrorCode
from ..routing import (
    LINK_HEADERS,
    NO_STORE,
    SENSITIVE,
    AuthRouter,
    answers,
    body_openapi,
    location,
    object_body_openapi,
    parse_body,
    read_body_data,
    with_query,
)
from ..schemas import user_json
from ..security.schemes import session_security
from ..sessions.deps import require_session
from .account_routes import build_account_router
from .schemas import (
    CALLBACK_QUERY,
    ERROR_PAGE_QUERY,
    LinkSocialBody,
    SocialLinkedResponse,
    SocialRedirectResponse,
    SocialSignedInResponse,
    SocialSignInBody,
)
from .service import CallbackError, Started

if TYPE_CHECKING:
    from ..parts import AuthParts

logger = logging.getLogger("fastapi_betterauth.oauth")

CALLBACK_PARAMS = ("code", "error", "device_id", "error_description", "state", "user", "iss")
"""The callback parameters a `form_post` callback carries on to the GET (better-auth's order); others are dropped."""

SAFE_ERROR_CODE = re.compile(r"[A-Za-z0-9_'-]+")

ID_TOKEN_ERRORS = {
    401: "`INVALID_TOKEN`, `FAILED_TO_GET_USER_INFO`, `USER_EMAIL_NOT_FOUND` (an unusable `idToken`)",
    404: "`PROVIDER_NOT_FOUND`, `ID_TOKEN_NOT_SUPPORTED`",
}
"""Errors of the routes that take a provider and maybe an id token."""


def build_router(auth: AuthParts) -> APIRouter:
    router = AuthRouter(tags=["social sign-in"])
    session = session_security(auth.cookies, bearer=auth.settings.bearer.enabled)
    max_bytes = auth.settings.advanced.max_body_bytes
    state_cookie = auth.cookies.name(auth.oauth.states.cookie_name)
    base_url = f"{auth.settings.url}{auth.settings.base_path}"
    default_error_url = f"{base_url}/error"

    def keep_account(response: Response, account: Account | None, present: Mapping[str, str]) -> None:
        """Without a database, the provider account rides in the `account_data` cookie for the session's life."""
        lifetime = auth.settings.session.stateless.max_lifetime
        if account is not None and not auth.account_cookie.write(response, account, present, lifetime=lifetime):
            logger.warning("the provider account is too large for the account_data cookie; it is not kept")

    def send_to_provider(response: Response, started: Started, *, disable_redirect: bool) -> dict[str, Any]:
        """`{url, redirect}` + `Location`; the state also rides in a signed cookie of this browser, and the
        callback must come back to it (O1)."""
        cookie = auth.cookies.serialize(state_cookie, started.state.cookie_value, auth.oauth.states.cookie_max_age)
        response.headers.append("set-cookie", cookie)
        response.headers.update(NO_STORE)
        if not disable_redirect:
            response.headers["location"] = location(started.url)
        return {"url": started.url, "redirect": not disable_redirect}

    @router.post(
        "/sign-in/social",
        response_model=None,
        responses=answers(
            SocialRedirectResponse | SocialSignedInResponse,
            ID_TOKEN_ERRORS,
            {400: "`SESSION_TOO_LARGE`", 401: "`OAUTH_LINK_ERROR` (the id token's user cannot sign in)"},
        ),
        summary="Start signing in with a provider: answers the URL to send the browser to",
        openapi_extra=body_openapi(SocialSignInBody),
    )
    async def sign_in_social(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, SocialSignInBody, max_bytes=max_bytes)
        if body.id_token is not None:
            client = auth.client_info(request)
            signed_in = await auth.oauth.sign_in_with_id_token(
                body.provider,
                body.id_token.token,
                nonce=body.id_token.nonce,
                access_token=body.id_token.access_token,
                refresh_token=body.id_token.refresh_token,
                ip_address=client.ip_address,
                user_agent=client.user_agent,
            )
            assert signed_in.found is not None
            await auth.session_cookies.write(
                response, signed_in.found, remember_me=True, present=request_cookies(request)
            )
            keep_account(response, signed_in.account, request_cookies(request))
            response.headers.update(NO_STORE)
            return {
                "redirect": False,
                "token": signed_in.found.session.token,
                "user": user_json(signed_in.found.user),
            }
        started = await auth.oauth.start(
            body.provider,
            callback_url=body.callback_url or auth.settings.origin,
            error_url=body.error_callback_url,
            new_user_url=body.new_user_callback_url,
            scopes=tuple(body.scopes),
            login_hint=body.login_hint,
            extra_params=body.additional_params,
        )
        return send_to_provider(response, started, disable_redirect=body.disable_redirect)

    @router.post(
        "/link-social",
        dependencies=session,
        response_model=None,
        responses=answers(
            SocialRedirectResponse | SocialLinkedResponse,
            SENSITIVE,
            ID_TOKEN_ERRORS,
            {
                400: "`DATABASE_REQUIRED`",
                401: "`LINKING_NOT_ALLOWED`, `LINKING_DIFFERENT_EMAILS_NOT_ALLOWED`",
                409: "`SOCIAL_ACCOUNT_ALREADY_LINKED` (to another user)",
                417: "`LINKING_FAILED`",
            },
        ),
        summary="Link another provider to the signed-in user: the URL to send the browser to, or (with an id token) "
        "linked at once",
        openapi_extra=body_openapi(LinkSocialBody),
    )
    async def link_social(request: Request, response: Response) -> dict[str, Any]:
        auth.require_database()
        body = await parse_body(request, LinkSocialBody, max_bytes=max_bytes)
        found = await require_session(request, response, sensitive=True)
        if body.id_token is not None:
            await auth.oauth.link_with_id_token(
                found.user,
                body.provider,
                body.id_token.token,
                nonce=body.id_token.nonce,
                access_token=body.id_token.access_token,
                refresh_token=body.id_token.refresh_token,
            )
            return {"url": "", "status": True, "redirect": False}
        started = await auth.oauth.start(
            body.provider,
            callback_url=body.callback_url or auth.settings.origin,
            error_url=body.error_callback_url,
            scopes=tuple(body.scopes),
            login_hint=body.login_hint,
            extra_params=body.additional_params,
            link_user=found.user,
            link_session_token=found.session.token,
        )
        return send_to_provider(response, started, disable_redirect=body.disable_redirect)

    @router.get(
        "/callback/{provider_id}",
        status_code=302,
        response_class=RedirectResponse,
        responses=answers(
            None,
            {403: "`REFUSED_BY_HOOK`"},
            redirect="To the flow's callback URL, signed in; or with `?error=CODE` to its error URL (else `/error`)",
        ),
        summary="Where the provider sends the browser back",
        openapi_extra={"parameters": CALLBACK_QUERY},
    )
    async def callback(provider_id: str, request: Request) -> Response:
        client = auth.client_info(request)
        try:
            signed_in = await auth.oauth.finish(
                provider_id,
                dict(request.query_params),
                browser_state=auth.cookies.read(request_cookies(request), state_cookie),
                ip_address=client.ip_address,
                user_agent=client.user_agent,
            )
        except CallbackError as failure:
            params = {"error": failure.code}
            if failure.description:
                params["error_description"] = failure.description
            answer: Response = RedirectResponse(
                with_query(failure.error_url or default_error_url, **params), 302, headers=LINK_HEADERS
            )
            if not failure.state_consumed:
                return answer  # not this flow's callback: the flow in progress keeps its cookie
        else:
            answer = RedirectResponse(signed_in.redirect_to, 302, headers=LINK_HEADERS)
            if signed_in.found is not None:
                try:
                    await auth.session_cookies.write(
                        answer, signed_in.found, remember_me=True, present=request_cookies(request)
                    )
                except AuthError as refused:
                    if refused.code != ErrorCode.SESSION_TOO_LARGE:
                        raise
                    # A provider profile too large for the cookies (docs/security.md C2) fails like other callbacks.
                    error_url = with_query(
                        signed_in.error_url or default_error_url,
                        error="unable_to_create_session",
                        error_description=refused.message,
                    )
                    answer = RedirectResponse(error_url, 302, headers=LINK_HEADERS)
                else:
                    keep_account(answer, signed_in.account, request_cookies(request))
        answer.headers.append("set-cookie", auth.cookies.serialize(state_cookie, "", 0))
        return answer

    @router.post(
        "/callback/{provider_id}",
        include_in_schema=False,
        status_code=302,
        response_class=RedirectResponse,
        responses=answers(None, redirect="To `GET /callback/{provider_id}` with the callback's parameters"),
        openapi_extra=object_body_openapi(allow_form=True),
    )
    async def callback_form_post(provider_id: str, request: Request) -> Response:
        """`response_mode=form_post`: re-enter as a GET with the callback's parameters (the query's win), so the
        browser's `SameSite=Lax` cookies come along."""
        try:
            data = await read_body_data(request, max_bytes=max_bytes, allow_form=True)
        except AuthError:
            data = None
        if not isinstance(data, dict):
            return RedirectResponse(with_query(default_error_url, error="invalid_callback_request"), 302)
        merged = {**data, **request.query_params}
        params = {name: str(merged[name]) for name in CALLBACK_PARAMS if merged.get(name) is not None}
        target = with_query(f"{base_url}/callback/{quote(provider_id, safe='')}", **params)
        return RedirectResponse(target, 302, headers=LINK_HEADERS)

    @router.get(
        "/error",
        include_in_schema=False,
        response_class=HTMLResponse,
        responses=answers(None, html="better-auth's error page"),
        openapi_extra={"parameters": ERROR_PAGE_QUERY},
    )
    async def error_page(request: Request) -> Response:
        """better-auth's built-in error page: the `error` code (letters, digits, `_`, `-` only, else `UNKNOWN`) and
        the `error_description`, escaped."""
        code = request.query_params.get("error") or "UNKNOWN"
        if not SAFE_ERROR_CODE.fullmatch(code):
            code = "UNKNOWN"
        description = request.query_params.get("error_description")
        detail = f"<p>{escape(description)}</p>" if description else ""
        html = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Error</title>"
            f"<h1>Sign-in failed</h1><p><code>{escape(code)}</code></p>{detail}</html>"
        )
        return HTMLResponse(html, 200, headers=LINK_HEADERS)

    router.include_router(build_account_router(auth))
    return router
