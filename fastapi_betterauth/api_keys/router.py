"""API key routes (docs/better-auth.md#api-key-routes): `/api-key/create`, `/get`, `/list`, `/update`, `/delete`.

They need a signed-in session, never one made from an API key (403 `API_KEY_SESSION_NOT_ALLOWED`): a key must not
mint or manage keys. Creating a key, or widening one (re-enabling it, a later expiry or none), needs a fresh session
too (403 `SESSION_NOT_FRESH`, docs/security.md K6). Server-only properties (quota, refills, rate limits,
permissions) answer 400 `SERVER_ONLY_PROPERTY` here; set them with the plugin's server calls
(`auth.plugin(ApiKeys).create_api_key`, `update_api_key`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from ..errors import AuthError, ErrorCode
from ..routing import NO_STORE, AuthRouter, ErrorDocs, answers, body_openapi, parse_body
from ..schemas import SuccessResponse
from ..security.schemes import session_security
from ..sessions.deps import require_session
from ..sessions.service import AuthSession
from .errors import ApiKeyErrorCode, api_key_error
from .schemas import (
    INT32_MAX,
    ApiKeyListResponse,
    ApiKeyResponse,
    CreateApiKeyBody,
    CreatedApiKeyResponse,
    DeleteApiKeyBody,
    SortField,
    UpdateApiKeyBody,
    api_key_json,
)
from .securing import require_fresh, widens

SIGNED_IN: ErrorDocs = {
    401: "`UNAUTHORIZED` (no session)",
    403: "`API_KEY_SESSION_NOT_ALLOWED` (a session made from an API key); `REFUSED_BY_HOOK`",
}
"""Errors of the routes that need a session from a sign-in, never from a key."""
SIGNED_IN_FROM_STORE: ErrorDocs = {**SIGNED_IN, 401: "`UNAUTHORIZED_SESSION` (no session, or another `userId`)"}
"""The same, where better-auth answers `UNAUTHORIZED_SESSION`."""
FRESH_FROM_STORE: ErrorDocs = {
    **SIGNED_IN_FROM_STORE,
    403: f"{SIGNED_IN[403]}; `SESSION_NOT_FRESH` (creating or widening a key on an older session)",
}
"""The same, for the routes that mint or widen a key (docs/security.md K6)."""
KEY_SETTINGS = (
    "`METADATA_DISABLED`, `INVALID_METADATA_TYPE`, `KEY_DISABLED_EXPIRATION`, `EXPIRES_IN_IS_TOO_SMALL`, "
    "`EXPIRES_IN_IS_TOO_LARGE`, `INVALID_NAME_LENGTH`, `SERVER_ONLY_PROPERTY`, `REFILL_AMOUNT_AND_INTERVAL_REQUIRED`, "
    "`REFILL_INTERVAL_AND_AMOUNT_REQUIRED`"
)
"""Refusals of what a key is created or updated with (400)."""
KEY_NOT_FOUND = {404: "`KEY_NOT_FOUND` (or not the user's)"}

if TYPE_CHECKING:
    from .plugin import ApiKeys


async def _signed_in(
    request: Request, response: Response, *, session_code: bool = False, from_store: bool = False
) -> AuthSession:
    """The caller's session (read from the store, bypassing the cookie cache, when `from_store`); without one,
    401 `UNAUTHORIZED`, or `UNAUTHORIZED_SESSION` where better-auth answers that (`session_code`)."""
    try:
        return await require_session(request, response, sensitive=from_store, allow_sources=False)
    except AuthError as error:
        if error.code == ErrorCode.UNAUTHORIZED and session_code:
            raise api_key_error(ApiKeyErrorCode.UNAUTHORIZED_SESSION, 401) from None
        raise


def build_router(plugin: ApiKeys) -> APIRouter:
    router = AuthRouter(tags=["api-key"])
    max_bytes = plugin.context.settings.advanced.max_body_bytes
    keys = plugin.service
    session = session_security(plugin.context.cookies, bearer=plugin.context.settings.bearer.enabled)

    @router.post(
        "/api-key/create",
        dependencies=session,
        response_model=None,
        responses=answers(
            CreatedApiKeyResponse,
            FRESH_FROM_STORE,
            {
                400: f"{KEY_SETTINGS}, `INVALID_PREFIX_LENGTH`, `NAME_REQUIRED`",
                404: "`USER_NOT_FOUND` (deleted meanwhile)",
            },
        ),
        summary="Create an API key (the key is in this answer only)",
        openapi_extra=body_openapi(CreateApiKeyBody),
    )
    async def create_api_key(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, CreateApiKeyBody, max_bytes=max_bytes)
        if body.server_only_fields():
            raise api_key_error(ApiKeyErrorCode.SERVER_ONLY_PROPERTY)
        if body.user_id is not None:
            raise api_key_error(ApiKeyErrorCode.UNAUTHORIZED_SESSION, 401)
        found = await _signed_in(request, response, session_code=True, from_store=True)
        require_fresh(plugin.context.sessions, found)  # a key outlives the session that mints it (K6)
        created = await keys.create(found.user.id, body)
        response.headers.update(NO_STORE)
        return created.to_json()

    @router.get(
        "/api-key/get",
        dependencies=session,
        response_model=None,
        responses=answers(ApiKeyResponse, SIGNED_IN, KEY_NOT_FOUND),
        summary="One of the user's API keys (without the key)",
    )
    async def get_api_key(
        request: Request,
        response: Response,
        key_id: Annotated[str, Query(alias="id", max_length=256)],
        config_id: Annotated[str | None, Query(alias="configId", max_length=128)] = None,
    ) -> dict[str, Any]:
        found = await _signed_in(request, response)
        response.headers.update(NO_STORE)
        return api_key_json(await keys.get(key_id, found.user.id))

    @router.get(
        "/api-key/list",
        dependencies=session,
        response_model=None,
        responses=answers(ApiKeyListResponse, SIGNED_IN),
        summary="The user's API keys, paginated and sorted by the database",
    )
    async def list_api_keys(
        request: Request,
        response: Response,
        config_id: Annotated[str | None, Query(alias="configId", max_length=128)] = None,
        limit: Annotated[int | None, Query(ge=0, le=INT32_MAX)] = None,
        offset: Annotated[int | None, Query(ge=0, le=INT32_MAX)] = None,
        sort_by: Annotated[SortField | None, Query(alias="sortBy")] = None,
        sort_direction: Annotated[Literal["asc", "desc"], Query(alias="sortDirection")] = "asc",
    ) -> dict[str, Any]:
        found = await _signed_in(request, response)
        page = await keys.list_keys(
            found.user.id,
            limit=limit,
            offset=offset,
            sort_by=sort_by,
            sort_direction=sort_direction,
            config_id=config_id,
        )
        response.headers.update(NO_STORE)
        return page.to_json()

    @router.post(
        "/api-key/update",
        dependencies=session,
        response_model=None,
        responses=answers(
            ApiKeyResponse,
            FRESH_FROM_STORE,
            KEY_NOT_FOUND,
            {400: f"{KEY_SETTINGS}, `NO_VALUES_TO_UPDATE`"},
        ),
        summary="Change an API key's name, enabled state, expiry or metadata",
        openapi_extra=body_openapi(UpdateApiKeyBody),
    )
    async def update_api_key(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, UpdateApiKeyBody, max_bytes=max_bytes)
        found = await _signed_in(request, response, session_code=True, from_store=True)
        if body.user_id is not None and body.user_id != found.user.id:
            raise api_key_error(ApiKeyErrorCode.UNAUTHORIZED_SESSION, 401)
        if body.server_only_fields():
            raise api_key_error(ApiKeyErrorCode.SERVER_ONLY_PROPERTY)
        if widens(await keys.get(body.key_id, found.user.id), body, plugin.context.clock.now()):
            require_fresh(plugin.context.sessions, found)  # K6
        updated = await keys.update(body.key_id, found.user.id, body)
        response.headers.update(NO_STORE)
        return api_key_json(updated)

    @router.post(
        "/api-key/delete",
        dependencies=session,
        response_model=None,
        responses=answers(SuccessResponse, SIGNED_IN, KEY_NOT_FOUND),
        summary="Delete an API key",
        openapi_extra=body_openapi(DeleteApiKeyBody),
    )
    async def delete_api_key(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, DeleteApiKeyBody, max_bytes=max_bytes)
        found = await _signed_in(request, response)
        await keys.delete(body.key_id, found.user.id)
        return {"success": True}

    return router
