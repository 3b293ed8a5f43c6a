"""Session routes (docs/better-auth.md#session-lookup, #session-routes): read, list, revoke, update, sign out."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from ..audit import audit
from ..cookies import request_cookies
from ..errors import AuthError, ErrorCode
from ..hooks import HookVetoError
from ..routing import (
    NEEDS_SESSION,
    NO_STORE,
    READS_SESSION,
    SENSITIVE,
    AuthRouter,
    answers,
    body_openapi,
    json_answer,
    object_body_openapi,
    parse_body,
    read_body_data,
    require_object,
)
from ..schemas import SessionOut, SessionResponse, StatusResponse, SuccessResponse, session_out_json, user_json
from ..security.schemes import session_security
from .deps import apply_lookup_cookies, lookup_request_session, read_session_token, require_session
from .schemas import RevokeSessionBody, SignOutBody, UpdateSessionResponse
from .service import AuthSession, SessionAnswerHeaders

if TYPE_CHECKING:
    from ..parts import AuthParts

logger = logging.getLogger("fastapi_betterauth")
STATUS_OK = {"status": True}
NO_REVOCATION = {400: "`SESSION_REVOCATION_UNAVAILABLE` (stateless sessions, with nowhere to remember revocations)"}


def query_flag(value: str | None) -> bool:
    """A flag of the query (`?disableRefresh=true`). better-auth coerces these with JavaScript's `Boolean()`, so any
    text but the empty one is true and nothing is refused; here `false` and `0` are false too."""
    return value is not None and value.lower() not in ("", "false", "0")


def session_json(found: AuthSession) -> dict[str, Any]:
    return {
        "session": session_out_json(found.session),
        "user": user_json(found.user),
    }


async def add_answer_headers(makers: list[SessionAnswerHeaders], found: AuthSession, response: Response) -> None:
    """The plugins' headers of a `/get-session` answer, named in `Access-Control-Expose-Headers` (with those
    already there) so that browser scripts on other origins may read them."""
    for make in makers:
        for name, value in (await make(found)).items():
            response.headers[name] = value
            exposed = [h.strip() for h in response.headers.get("access-control-expose-headers", "").split(",")]
            names = dict.fromkeys([h for h in exposed if h] + [name.lower()])
            response.headers["Access-Control-Expose-Headers"] = ", ".join(names)


def build_router(auth: AuthParts) -> APIRouter:
    router = AuthRouter(tags=["session"])
    session = session_security(auth.cookies, bearer=auth.settings.bearer.enabled)
    max_bytes = auth.settings.advanced.max_body_bytes
    defer = auth.settings.session.defer_session_refresh

    def require_revocation() -> None:
        """Stateless sessions can be ended early only where revocations are remembered."""
        if not auth.keeping.revokes_sessions:
            raise AuthError(ErrorCode.SESSION_REVOCATION_UNAVAILABLE)

    async def read_session(
        request: Request, response: Response, *, deferred: bool, refresh: bool, use_cookie_cache: bool = True
    ) -> Any:
        lookup = await lookup_request_session(
            request, refresh=refresh, deferred=deferred, use_cookie_cache=use_cookie_cache
        )
        await apply_lookup_cookies(auth, lookup, request, response)
        response.headers.update(NO_STORE)
        if lookup.found is None:
            return json_answer(None, response)
        await add_answer_headers(auth.sessions.answer_headers, lookup.found, response)
        enriched = lookup.found.enrichment is not None
        body = dict(lookup.found.enrichment or {}) if enriched else session_json(lookup.found)
        if deferred:
            body["needsRefresh"] = lookup.needs_refresh
        return json_answer(body, response, encode=enriched)

    @router.get(
        "/get-session",
        response_model=None,
        responses=answers(SessionResponse | None, READS_SESSION),
        summary="The current session and user, or null",
    )
    async def get_session(
        request: Request,
        response: Response,
        disable_cookie_cache: Annotated[str | None, Query(alias="disableCookieCache")] = None,
        disable_refresh: Annotated[str | None, Query(alias="disableRefresh")] = None,
    ) -> Any:
        return await read_session(
            request,
            response,
            deferred=defer,
            refresh=not query_flag(disable_refresh),
            use_cookie_cache=not query_flag(disable_cookie_cache),
        )

    @router.post(
        "/get-session",
        response_model=None,
        responses=answers(
            SessionResponse | None,
            READS_SESSION,
            {405: "`METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED` (without `session.defer_session_refresh`)"},
        ),
        summary="Refresh and return the session (only with `defer_session_refresh`)",
        include_in_schema=defer,
    )
    async def refresh_session(
        request: Request,
        response: Response,
        disable_refresh: Annotated[str | None, Query(alias="disableRefresh")] = None,
    ) -> Any:
        if not defer:
            raise AuthError(ErrorCode.METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED)
        return await read_session(request, response, deferred=False, refresh=not query_flag(disable_refresh))

    @router.get(
        "/list-sessions",
        dependencies=session,
        response_model=None,
        responses=answers(
            list[SessionOut],
            NEEDS_SESSION,
            {400: "`SESSION_LIST_UNAVAILABLE` (stateless sessions)", 403: "`SESSION_NOT_FRESH`"},
        ),
        summary="The signed-in user's live sessions (needs a fresh session)",
    )
    async def list_sessions(request: Request, response: Response) -> list[dict[str, Any]]:
        found = await require_session(request, response)
        if not auth.keeping.lists_sessions:
            raise AuthError(ErrorCode.SESSION_LIST_UNAVAILABLE)
        if not auth.sessions.is_fresh(found):
            raise AuthError(ErrorCode.SESSION_NOT_FRESH)
        response.headers.update(NO_STORE)
        return [session_out_json(s) for s in await auth.sessions.list_shown(found.user.id)]

    @router.post(
        "/revoke-session",
        dependencies=session,
        response_model=None,
        responses=answers(StatusResponse, SENSITIVE, NO_REVOCATION),
        summary="End one of the user's sessions",
        openapi_extra=body_openapi(RevokeSessionBody),
    )
    async def revoke_session(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, RevokeSessionBody, max_bytes=max_bytes)  # first, as in better-auth
        found = await require_session(request, response, sensitive=True)
        require_revocation()
        await auth.sessions.revoke_owned(found.user.id, body.token)
        if body.token == found.session.token:
            auth.cookies.clear_session(response, request_cookies(request))
        return STATUS_OK

    @router.post(
        "/revoke-sessions",
        dependencies=session,
        response_model=None,
        responses=answers(StatusResponse, SENSITIVE, NO_REVOCATION),
        summary="End all of the user's sessions, this one included",
    )
    async def revoke_sessions(request: Request, response: Response) -> dict[str, bool]:
        found = await require_session(request, response, sensitive=True)
        require_revocation()
        await auth.sessions.revoke_all(found.user.id, secured=True)
        auth.cookies.clear_session(response, request_cookies(request))
        return STATUS_OK

    @router.post(
        "/revoke-other-sessions",
        dependencies=session,
        response_model=None,
        responses=answers(StatusResponse, SENSITIVE, NO_REVOCATION),
        summary="End the user's other sessions",
    )
    async def revoke_other_sessions(request: Request, response: Response) -> dict[str, bool]:
        found = await require_session(request, response, sensitive=True)
        require_revocation()
        await auth.sessions.revoke_all(found.user.id, except_token=found.session.token, secured=True)
        return STATUS_OK

    @router.post(
        "/update-session",
        dependencies=session,
        response_model=None,
        responses=answers(
            UpdateSessionResponse,
            NEEDS_SESSION,
            {
                400: "`FIELD_NOT_ALLOWED`, `VALIDATION_ERROR`",
                401: "`FAILED_TO_GET_SESSION` (the session ended meanwhile, or a hook refused the change)",
            },
            codeless={400: '"No fields to update"'},
        ),
        summary="Set the session's additional fields (docs/extra-fields.md)",
        openapi_extra=object_body_openapi(),
    )
    async def update_session(request: Request, response: Response) -> dict[str, Any]:
        body = await read_body_data(request, max_bytes=max_bytes)
        require_object(body, ("record",))
        found = await require_session(request, response)
        try:
            updated = await auth.sessions.update_fields(found, body)
        except HookVetoError:
            raise AuthError(ErrorCode.FAILED_TO_GET_SESSION) from None
        if updated is None:
            auth.cookies.clear_session(response, request_cookies(request))
            raise AuthError(ErrorCode.FAILED_TO_GET_SESSION)
        remember_me = auth.cookies.remember_me(request_cookies(request))
        await auth.session_cookies.write(response, updated, remember_me=remember_me, present=request_cookies(request))
        return {"session": session_out_json(updated.session)}

    @router.post(
        "/sign-out",
        response_model=None,
        responses=answers(SuccessResponse),
        summary="End the current session and clear its cookies",
        openapi_extra=body_openapi(SignOutBody, required=False),
    )
    async def sign_out(request: Request, response: Response) -> dict[str, bool]:
        await parse_body(request, SignOutBody, max_bytes=max_bytes)
        token, _ = read_session_token(auth, request)
        if token is not None:
            audit("sign_out", ip=auth.client_info(request).ip_address)
            try:
                await auth.keeping.end(request_cookies(request), token)
            except HookVetoError:
                logger.warning("a before_delete session hook kept a session at sign-out; its cookies are cleared")
        response.headers.update(NO_STORE)
        auth.cookies.clear_session(response, request_cookies(request))
        return {"success": True}

    return router
