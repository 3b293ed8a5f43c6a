"""The `/admin/*` routes on users: create, get, list, change, ban, remove, and `has-permission`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..errors import AuthError, ErrorCode
from ..routing import AuthRouter, answers, body_openapi, parse_body
from ..schemas import user_json
from ..sessions.deps import resolve_session
from ..sessions.service import AuthSession
from .errors import AdminErrorCode, EmptyUnauthorized, codeless
from .listing import UserQuery
from .query import read_user_query
from .schemas import (
    BanUserBody,
    CreateUserBody,
    HasPermissionBody,
    SetRoleBody,
    SetUserPasswordBody,
    UpdateUserBody,
    UserIdBody,
)

if TYPE_CHECKING:
    from .plugin import Admin

NO_SESSION = "no session (an empty body, as better-auth answers)"


def forbidden_doc(code: AdminErrorCode) -> dict[int, str]:
    return {401: NO_SESSION, 403: f"`{code}` (the role lacks the permission)"}


async def admin_session(request: Request, response: Response) -> AuthSession:
    """The caller's session, read from the store (never a cookie copy: a role just taken away must count), or 401
    with an empty body. A session made from an API key is refused (403): admin work needs a sign-in."""
    found = await resolve_session(request, response, use_cookie_cache=False, allow_sources=False)
    if found is None:
        raise EmptyUnauthorized()
    return found


def role_given(role: Any) -> Any:
    """A role or list of roles as zod's union takes them, else 400 `VALIDATION_ERROR` "[body.role] Invalid input"."""
    if isinstance(role, str) or (isinstance(role, list) and all(isinstance(name, str) for name in role)):
        return role
    raise AuthError(ErrorCode.VALIDATION_ERROR, 400, "[body.role] Invalid input")


LIST_PARAMETERS = (
    "searchValue",
    "searchField",
    "searchOperator",
    "filterField",
    "filterValue",
    "filterOperator",
    "sortBy",
    "sortDirection",
    "limit",
    "offset",
)


def query_openapi(parameters: dict[str, bool]) -> dict[str, Any]:
    """`openapi_extra` documenting query parameters a route reads by hand (name -> required)."""
    return {
        "parameters": [
            {"name": name, "in": "query", "required": required, "schema": {"type": "string"}}
            for name, required in parameters.items()
        ]
    }


def build_router(plugin: Admin) -> APIRouter:
    router = AuthRouter(tags=["admin"])
    max_bytes = plugin.context.settings.advanced.max_body_bytes
    admin = plugin.service

    @router.post(
        "/admin/create-user",
        response_model=None,
        responses=answers(
            None,
            forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS),
            {
                400: "`INVALID_EMAIL`, `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG`, "
                "`USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`"
            },
        ),
        summary="Create a user (with a password: a credential account too)",
        openapi_extra=body_openapi(CreateUserBody),
    )
    async def create_user(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, CreateUserBody, max_bytes=max_bytes)
        found = await admin_session(request, response)
        admin.require(found.user, {"user": ["create"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS)
        role = role_given(body.role) if body.role is not None else None
        user = await admin.create_user(
            found.user, email=body.email, name=body.name, password=body.password, role=role, data=body.data or {}
        )
        return {"user": user_json(user)}

    @router.get(
        "/admin/get-user",
        response_model=None,
        responses=answers(
            None, forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_GET_USER), {404: "`USER_NOT_FOUND`"}
        ),
        summary="A user (the bare user object)",
        openapi_extra=query_openapi({"id": True}),
    )
    async def get_user(request: Request, response: Response) -> dict[str, Any]:
        user_id = request.query_params.get("id")
        if user_id is None:
            raise AuthError(
                ErrorCode.VALIDATION_ERROR, 400, "[query.id] Invalid input: expected string, received undefined"
            )
        found = await admin_session(request, response)
        admin.require(found.user, {"user": ["get"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_GET_USER)
        return user_json(await admin.get_user(user_id))

    @router.get(
        "/admin/list-users",
        response_model=None,
        responses=answers(
            None,
            forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_LIST_USERS),
            {400: "`INVALID_SORT_FIELD`, `INVALID_FILTER_FIELD` (no such user field)"},
        ),
        summary="Search, filter, sort and page through users: `{users, total[, limit][, offset]}`",
        openapi_extra=query_openapi({name: False for name in LIST_PARAMETERS}),
    )
    async def list_users(request: Request, response: Response) -> dict[str, Any]:
        query: UserQuery = read_user_query(request.query_params)
        found = await admin_session(request, response)
        admin.require(found.user, {"user": ["list"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_LIST_USERS)
        page = await plugin.listing.page(query)
        answer: dict[str, Any] = {"users": [user_json(user) for user in page.users], "total": page.total}
        if query.limit:
            answer["limit"] = query.limit
        if query.offset:
            answer["offset"] = query.offset
        return answer

    @router.post(
        "/admin/set-role",
        response_model=None,
        responses=answers(
            None,
            forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE),
            {400: "`YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE` (with configured roles)", 404: "`USER_NOT_FOUND`"},
        ),
        summary="Set a user's role (or roles)",
        openapi_extra=body_openapi(SetRoleBody),
    )
    async def set_role(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, SetRoleBody, max_bytes=max_bytes)
        role = role_given(body.role)
        found = await admin_session(request, response)
        admin.require(found.user, {"user": ["set-role"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE)
        return {"user": user_json(await admin.set_role(found.user, body.user_id, role))}

    @router.post(
        "/admin/update-user",
        response_model=None,
        responses=answers(
            None,
            forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS),
            {
                400: "`NO_DATA_TO_UPDATE`, `PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER`, `USER_ID_CANNOT_BE_UPDATED`, "
                "`INVALID_ROLE_TYPE`, `INVALID_EMAIL`, `USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`, "
                "`YOU_CANNOT_BAN_YOURSELF`",
                404: "`USER_NOT_FOUND`",
            },
        ),
        summary="Change a user's fields (the bare user object)",
        openapi_extra=body_openapi(UpdateUserBody),
    )
    async def update_user(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, UpdateUserBody, max_bytes=max_bytes)
        if not isinstance(body.data, dict):
            received = "undefined" if body.data is None else type(body.data).__name__
            raise AuthError(
                ErrorCode.VALIDATION_ERROR, 400, f"[body.data] Invalid input: expected record, received {received}"
            )
        found = await admin_session(request, response)
        admin.require(found.user, {"user": ["update"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS)
        return user_json(await admin.update_user(found.user, body.user_id, body.data))

    @router.post(
        "/admin/ban-user",
        response_model=None,
        responses=answers(
            None,
            forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_BAN_USERS),
            {400: "`YOU_CANNOT_BAN_YOURSELF`", 404: "`USER_NOT_FOUND`"},
        ),
        summary="Ban a user: their sessions end and they cannot sign in",
        openapi_extra=body_openapi(BanUserBody),
    )
    async def ban_user(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, BanUserBody, max_bytes=max_bytes)
        found = await admin_session(request, response)
        admin.require(found.user, {"user": ["ban"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_BAN_USERS)
        user = await admin.ban(found.user, body.user_id, body.ban_reason, body.ban_expires_in)
        return {"user": user_json(user)}

    @router.post(
        "/admin/unban-user",
        response_model=None,
        responses=answers(
            None, forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_BAN_USERS), {404: "`USER_NOT_FOUND`"}
        ),
        summary="Lift a user's ban",
        openapi_extra=body_openapi(UserIdBody),
    )
    async def unban_user(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, UserIdBody, max_bytes=max_bytes)
        found = await admin_session(request, response)
        admin.require(found.user, {"user": ["ban"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_BAN_USERS)
        return {"user": user_json(await admin.unban(found.user, body.user_id))}

    @router.post(
        "/admin/set-user-password",
        response_model=None,
        responses=answers(
            None,
            forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD),
            {400: "`PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG`", 404: "`USER_NOT_FOUND`"},
        ),
        summary="Set a user's password (their sessions stay)",
        openapi_extra=body_openapi(SetUserPasswordBody),
    )
    async def set_user_password(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, SetUserPasswordBody, max_bytes=max_bytes)
        if not body.new_password:
            raise AuthError(ErrorCode.VALIDATION_ERROR, 400, "[body.newPassword] newPassword cannot be empty")
        found = await admin_session(request, response)
        admin.require(found.user, {"user": ["set-password"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD)
        await admin.set_password(found.user, body.user_id, body.new_password)
        return {"status": True}

    @router.post(
        "/admin/remove-user",
        response_model=None,
        responses=answers(
            None,
            forbidden_doc(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS),
            {400: "`YOU_CANNOT_REMOVE_YOURSELF`", 404: "`USER_NOT_FOUND`"},
        ),
        summary="Delete a user, their sessions and accounts",
        openapi_extra=body_openapi(UserIdBody),
    )
    async def remove_user(request: Request, response: Response) -> dict[str, bool]:
        body = await parse_body(request, UserIdBody, max_bytes=max_bytes)
        found = await admin_session(request, response)
        admin.require(found.user, {"user": ["delete"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS)
        await admin.remove_user(found.user, body.user_id)
        return {"success": True}

    @router.post(
        "/admin/has-permission",
        response_model=None,
        responses=answers(
            None, {401: NO_SESSION}, codeless={400: '"invalid permission check. no permission(s) were passed."'}
        ),
        summary="Whether the signed-in user has these permissions: `{error: null, success}`",
        openapi_extra=body_openapi(HasPermissionBody),
    )
    async def has_permission(request: Request, response: Response) -> dict[str, Any]:
        body = await parse_body(request, HasPermissionBody, max_bytes=max_bytes)
        if body.permission is not None and body.permissions is not None:
            raise AuthError(ErrorCode.VALIDATION_ERROR, 400, "[body] Invalid input: more than one option matched")
        if body.permissions is None:
            raise codeless(400, "invalid permission check. no permission(s) were passed.")
        found = await admin_session(request, response)
        return {"error": None, "success": admin.permitted(found.user, body.permissions)}

    return router
