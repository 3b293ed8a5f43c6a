"""The admin plugin's error codes and their messages (better-auth's `ADMIN_ERROR_CODES`)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from starlette.responses import Response

from ..errors import AuthError, ErrorCode


class AdminErrorCode(StrEnum):
    YOU_CANNOT_BAN_YOURSELF = "YOU_CANNOT_BAN_YOURSELF"
    YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE = "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE"
    YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS = "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS"
    YOU_ARE_NOT_ALLOWED_TO_LIST_USERS = "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS"
    YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS = "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS"
    YOU_ARE_NOT_ALLOWED_TO_BAN_USERS = "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS"
    YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS = "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS"
    YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS = "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS"
    YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS = "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS"
    YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD = "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD"
    BANNED_USER = "BANNED_USER"
    YOU_ARE_NOT_ALLOWED_TO_GET_USER = "YOU_ARE_NOT_ALLOWED_TO_GET_USER"
    NO_DATA_TO_UPDATE = "NO_DATA_TO_UPDATE"
    YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS = "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS"
    YOU_CANNOT_REMOVE_YOURSELF = "YOU_CANNOT_REMOVE_YOURSELF"
    YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE = "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE"
    YOU_CANNOT_IMPERSONATE_ADMINS = "YOU_CANNOT_IMPERSONATE_ADMINS"
    INVALID_ROLE_TYPE = "INVALID_ROLE_TYPE"
    YOU_ARE_NOT_ALLOWED_TO_SET_USERS_EMAIL = "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_EMAIL"
    YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PHONE_NUMBER = "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PHONE_NUMBER"
    PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER = "PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER"
    USER_ID_CANNOT_BE_UPDATED = "USER_ID_CANNOT_BE_UPDATED"
    # Ours, not better-auth's (docs/better-auth.md#differences-on-purpose): list-users names what it cannot sort or
    # filter by instead of answering an empty list.
    INVALID_SORT_FIELD = "INVALID_SORT_FIELD"
    INVALID_FILTER_FIELD = "INVALID_FILTER_FIELD"
    # Ours: an app's route guarded by `require_permission` (admin/deps.py) refuses a user without the permission.
    PERMISSION_DENIED = "PERMISSION_DENIED"


MESSAGES: Mapping[str, str] = {
    AdminErrorCode.YOU_CANNOT_BAN_YOURSELF: "You cannot ban yourself",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE: "You are not allowed to change users role",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS: "You are not allowed to create users",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_LIST_USERS: "You are not allowed to list users",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS: "You are not allowed to list users sessions",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_BAN_USERS: "You are not allowed to ban users",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS: "You are not allowed to impersonate users",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS: "You are not allowed to revoke users sessions",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS: "You are not allowed to delete users",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD: "You are not allowed to set users password",
    AdminErrorCode.BANNED_USER: "You have been banned from this application",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_GET_USER: "You are not allowed to get user",
    AdminErrorCode.NO_DATA_TO_UPDATE: "No data to update",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS: "You are not allowed to update users",
    AdminErrorCode.YOU_CANNOT_REMOVE_YOURSELF: "You cannot remove yourself",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE: (
        "You are not allowed to set a non-existent role value"
    ),
    AdminErrorCode.YOU_CANNOT_IMPERSONATE_ADMINS: "You cannot impersonate admins",
    AdminErrorCode.INVALID_ROLE_TYPE: "Invalid role type",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_SET_USERS_EMAIL: "You are not allowed to update users email",
    AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PHONE_NUMBER: "You are not allowed to update users phone number",
    AdminErrorCode.PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER: (
        "Password cannot be updated through update-user. Use the set-user-password endpoint instead"
    ),
    AdminErrorCode.USER_ID_CANNOT_BE_UPDATED: "User id cannot be updated",
    AdminErrorCode.INVALID_SORT_FIELD: "Cannot sort users by this field",
    AdminErrorCode.INVALID_FILTER_FIELD: "Cannot filter users by this field",
    AdminErrorCode.PERMISSION_DENIED: "You are not allowed to do this",
}
"""better-auth's `ADMIN_ERROR_CODES` (those it shares with the core, `FAILED_TO_CREATE_USER`, `USER_ALREADY_EXISTS`
and `USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`, are the core's, with the same messages), and ours."""


def admin_error(code: AdminErrorCode, status: int) -> AuthError:
    """The error of `code` with its message, answered with `status`."""
    return AuthError(code, status, MESSAGES[code])


def forbidden(code: AdminErrorCode) -> AuthError:
    """403 with a route's "You are not allowed to ..." code."""
    return admin_error(code, 403)


def codeless(status: int, message: str) -> AuthError:
    """An error better-auth answers with a message and no code (`{"message": ...}`)."""
    code = ErrorCode.INTERNAL_SERVER_ERROR if status >= 500 else ErrorCode.BAD_REQUEST
    return AuthError(code, status, message, answer_code=False)


class EmptyUnauthorized(AuthError):
    """better-auth's admin routes answer a request without a session with 401 and an empty body (content type
    `application/json`, zero bytes): `adminClient` expects exactly that."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.UNAUTHORIZED, 401)

    def to_response(self) -> Response:
        return Response(b"", 401, headers=self.headers, media_type="application/json")
