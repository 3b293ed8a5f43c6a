"""One error type, better-auth's error codes, and the handlers that answer `{"code": ..., "message": ...}`."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from .db.diagnose import is_missing_schema, missing_schema_message
from .outages import describe
from .outages import is_outage as is_outage  # callers find it here, with `unavailable()`

logger = logging.getLogger("fastapi_betterauth")


class ErrorCode(StrEnum):
    """The error codes we answer with (better-auth's `BASE_ERROR_CODES` and ad-hoc codes,
    docs/better-auth.md#error-codes)."""

    UNAUTHORIZED = "UNAUTHORIZED"
    USER_NOT_FOUND = "USER_NOT_FOUND"
    FAILED_TO_CREATE_USER = "FAILED_TO_CREATE_USER"
    FAILED_TO_CREATE_SESSION = "FAILED_TO_CREATE_SESSION"
    FAILED_TO_GET_SESSION = "FAILED_TO_GET_SESSION"
    FAILED_TO_UPDATE_USER = "FAILED_TO_UPDATE_USER"
    REFUSED_BY_HOOK = "REFUSED_BY_HOOK"
    INVALID_PASSWORD = "INVALID_PASSWORD"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_EMAIL_OR_PASSWORD = "INVALID_EMAIL_OR_PASSWORD"
    EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"
    PASSWORD_TOO_COMMON = "PASSWORD_TOO_COMMON"
    PASSWORD_REFUSED = "PASSWORD_REFUSED"
    USER_ALREADY_EXISTS = "USER_ALREADY_EXISTS"
    USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL = "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"
    SESSION_EXPIRED = "SESSION_EXPIRED"
    SESSION_NOT_FRESH = "SESSION_NOT_FRESH"
    INVALID_ORIGIN = "INVALID_ORIGIN"
    MISSING_OR_NULL_ORIGIN = "MISSING_OR_NULL_ORIGIN"
    CROSS_SITE_NAVIGATION_LOGIN_BLOCKED = "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"
    INVALID_CALLBACK_URL = "INVALID_CALLBACK_URL"
    INVALID_REDIRECT_URL = "INVALID_REDIRECT_URL"
    INVALID_TOKEN = "INVALID_TOKEN"
    INVALID_USER = "INVALID_USER"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    CREDENTIAL_ACCOUNT_NOT_FOUND = "CREDENTIAL_ACCOUNT_NOT_FOUND"
    PASSWORD_ALREADY_SET = "PASSWORD_ALREADY_SET"
    EMAIL_MISMATCH = "EMAIL_MISMATCH"
    CHANGE_EMAIL_DISABLED = "CHANGE_EMAIL_DISABLED"
    EMAIL_IS_THE_SAME = "EMAIL_IS_THE_SAME"
    FAILED_TO_GET_USER_INFO = "FAILED_TO_GET_USER_INFO"
    PROVIDER_NOT_FOUND = "PROVIDER_NOT_FOUND"
    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"
    USER_EMAIL_NOT_FOUND = "USER_EMAIL_NOT_FOUND"
    OAUTH_LINK_ERROR = "OAUTH_LINK_ERROR"
    FAILED_TO_UNLINK_LAST_ACCOUNT = "FAILED_TO_UNLINK_LAST_ACCOUNT"
    FAILED_TO_GET_ACCESS_TOKEN = "FAILED_TO_GET_ACCESS_TOKEN"
    FAILED_TO_REFRESH_ACCESS_TOKEN = "FAILED_TO_REFRESH_ACCESS_TOKEN"
    REFRESH_TOKEN_NOT_FOUND = "REFRESH_TOKEN_NOT_FOUND"
    PROVIDER_NOT_SUPPORTED = "PROVIDER_NOT_SUPPORTED"
    PROVIDER_NOT_CONFIGURED = "PROVIDER_NOT_CONFIGURED"
    ACCESS_TOKEN_NOT_FOUND = "ACCESS_TOKEN_NOT_FOUND"
    SOCIAL_ACCOUNT_ALREADY_LINKED = "SOCIAL_ACCOUNT_ALREADY_LINKED"
    LINKING_NOT_ALLOWED = "LINKING_NOT_ALLOWED"
    LINKING_DIFFERENT_EMAILS_NOT_ALLOWED = "LINKING_DIFFERENT_EMAILS_NOT_ALLOWED"
    LINKING_FAILED = "LINKING_FAILED"
    INVALID_NEW_USER_CALLBACK_URL = "INVALID_NEW_USER_CALLBACK_URL"
    INVALID_ERROR_CALLBACK_URL = "INVALID_ERROR_CALLBACK_URL"
    ID_TOKEN_NOT_SUPPORTED = "ID_TOKEN_NOT_SUPPORTED"
    EMAIL_ALREADY_VERIFIED = "EMAIL_ALREADY_VERIFIED"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    FIELD_NOT_ALLOWED = "FIELD_NOT_ALLOWED"
    MISSING_FIELD = "MISSING_FIELD"
    BAD_REQUEST = "BAD_REQUEST"
    METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED = "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED"
    EMAIL_PASSWORD_DISABLED = "EMAIL_PASSWORD_DISABLED"
    EMAIL_PASSWORD_SIGN_UP_DISABLED = "EMAIL_PASSWORD_SIGN_UP_DISABLED"
    REQUEST_BODY_TOO_LARGE = "REQUEST_BODY_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    EMAIL_CAN_NOT_BE_UPDATED = "EMAIL_CAN_NOT_BE_UPDATED"
    NO_FIELDS_TO_UPDATE = "NO_FIELDS_TO_UPDATE"
    NOT_FOUND = "NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    DATABASE_REQUIRED = "DATABASE_REQUIRED"
    SESSION_LIST_UNAVAILABLE = "SESSION_LIST_UNAVAILABLE"
    SESSION_REVOCATION_UNAVAILABLE = "SESSION_REVOCATION_UNAVAILABLE"
    SESSION_TOO_LARGE = "SESSION_TOO_LARGE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


DEFAULT_MESSAGES: Mapping[ErrorCode, str] = {
    ErrorCode.UNAUTHORIZED: "Unauthorized",
    ErrorCode.USER_NOT_FOUND: "User not found",
    ErrorCode.FAILED_TO_CREATE_USER: "Failed to create user",
    ErrorCode.FAILED_TO_CREATE_SESSION: "Failed to create session",
    ErrorCode.FAILED_TO_GET_SESSION: "Failed to get session",
    ErrorCode.FAILED_TO_UPDATE_USER: "Failed to update user",
    ErrorCode.REFUSED_BY_HOOK: "The operation was refused",
    ErrorCode.INVALID_PASSWORD: "Invalid password",
    ErrorCode.INVALID_EMAIL: "Invalid email",
    ErrorCode.INVALID_EMAIL_OR_PASSWORD: "Invalid email or password",
    ErrorCode.EMAIL_NOT_VERIFIED: "Email not verified",
    ErrorCode.PASSWORD_TOO_SHORT: "Password too short",
    ErrorCode.PASSWORD_TOO_LONG: "Password too long",
    ErrorCode.PASSWORD_TOO_COMMON: "Password is too common",
    ErrorCode.PASSWORD_REFUSED: "Password refused",
    ErrorCode.USER_ALREADY_EXISTS: "User already exists.",
    ErrorCode.USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: "User already exists. Use another email.",
    ErrorCode.SESSION_EXPIRED: "Session expired. Re-authenticate to perform this action.",
    ErrorCode.SESSION_NOT_FRESH: "Session is not fresh",
    ErrorCode.INVALID_ORIGIN: "Invalid origin",
    ErrorCode.MISSING_OR_NULL_ORIGIN: "Missing or null Origin",
    ErrorCode.CROSS_SITE_NAVIGATION_LOGIN_BLOCKED: (
        "Cross-site navigation login blocked. This request appears to be a CSRF attack."
    ),
    ErrorCode.INVALID_CALLBACK_URL: "Invalid callbackURL",
    ErrorCode.INVALID_REDIRECT_URL: "Invalid redirectURL",
    ErrorCode.INVALID_TOKEN: "Invalid token",
    ErrorCode.TOKEN_EXPIRED: "Token expired",
    ErrorCode.CREDENTIAL_ACCOUNT_NOT_FOUND: "Credential account not found",
    ErrorCode.PASSWORD_ALREADY_SET: "User already has a password set",
    ErrorCode.EMAIL_MISMATCH: "Email mismatch",
    ErrorCode.CHANGE_EMAIL_DISABLED: "Change email is disabled",
    ErrorCode.EMAIL_IS_THE_SAME: "Email is the same",
    ErrorCode.INVALID_USER: "Invalid user",
    ErrorCode.FAILED_TO_GET_USER_INFO: "Failed to get user info",
    ErrorCode.PROVIDER_NOT_FOUND: "Provider not found",
    ErrorCode.ACCOUNT_NOT_FOUND: "Account not found",
    ErrorCode.USER_EMAIL_NOT_FOUND: "User email not found",
    ErrorCode.OAUTH_LINK_ERROR: "account not linked",
    ErrorCode.FAILED_TO_UNLINK_LAST_ACCOUNT: "You can't unlink your last account",
    ErrorCode.FAILED_TO_GET_ACCESS_TOKEN: "Failed to get a valid access token",
    ErrorCode.FAILED_TO_REFRESH_ACCESS_TOKEN: "Failed to refresh access token",
    ErrorCode.REFRESH_TOKEN_NOT_FOUND: "Refresh token not found",
    ErrorCode.PROVIDER_NOT_SUPPORTED: "Provider is not supported.",
    ErrorCode.PROVIDER_NOT_CONFIGURED: "Account is not associated with a configured social provider.",
    ErrorCode.ACCESS_TOKEN_NOT_FOUND: "Access token not found",
    ErrorCode.SOCIAL_ACCOUNT_ALREADY_LINKED: "Social account already linked",
    ErrorCode.LINKING_NOT_ALLOWED: "Account not linked - linking not allowed",
    ErrorCode.LINKING_DIFFERENT_EMAILS_NOT_ALLOWED: "Account not linked - different emails not allowed",
    ErrorCode.LINKING_FAILED: "Account not linked - unable to create account",
    ErrorCode.INVALID_NEW_USER_CALLBACK_URL: "Invalid newUserCallbackURL",
    ErrorCode.INVALID_ERROR_CALLBACK_URL: "Invalid errorCallbackURL",
    ErrorCode.ID_TOKEN_NOT_SUPPORTED: "id_token not supported",
    ErrorCode.EMAIL_ALREADY_VERIFIED: "Email is already verified",
    ErrorCode.VALIDATION_ERROR: "Invalid request",
    ErrorCode.FIELD_NOT_ALLOWED: "Field not allowed to be set",
    ErrorCode.MISSING_FIELD: "Field is required",
    ErrorCode.BAD_REQUEST: "Bad request",
    ErrorCode.METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED: (
        "POST method requires deferSessionRefresh to be enabled in session config"
    ),
    ErrorCode.EMAIL_PASSWORD_DISABLED: "Email and password is not enabled",
    ErrorCode.EMAIL_PASSWORD_SIGN_UP_DISABLED: "Email and password sign up is not enabled",
    ErrorCode.REQUEST_BODY_TOO_LARGE: "Request body too large",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
    ErrorCode.EMAIL_CAN_NOT_BE_UPDATED: "Email can not be updated",
    ErrorCode.NO_FIELDS_TO_UPDATE: "No fields to update",
    ErrorCode.NOT_FOUND: "Not Found",
    ErrorCode.RATE_LIMITED: "Too many requests. Please try again later.",
    ErrorCode.INTERNAL_SERVER_ERROR: "Internal server error",
    ErrorCode.DATABASE_REQUIRED: (
        "This needs a database, and this server runs without one (BetterAuth(database=None)): only social sign-in "
        "works there, with the user, session and account kept in encrypted cookies."
    ),
    ErrorCode.SESSION_LIST_UNAVAILABLE: (
        "Sessions are stateless here (encrypted cookies, no session table), so the server keeps no list of them."
    ),
    ErrorCode.SESSION_REVOCATION_UNAVAILABLE: (
        "Sessions are stateless here and no database or secondary storage remembers revocations, so other sessions "
        "cannot be ended: sign out on each device, or bump session.cookie_cache.version to end every session."
    ),
    ErrorCode.SERVICE_UNAVAILABLE: (
        "The database or storage the server depends on is unavailable; nothing was changed. Try again shortly."
    ),
    ErrorCode.SESSION_TOO_LARGE: (
        "The session does not fit in its cookies: leave user fields out (session.cookie_cache.exclude_user_fields)."
    ),
}


# The HTTP status each code is answered with, where it is not 400 (better-auth's for the same code). A route or
# service names only the code; the few places where better-auth answers one code with another status pass it.
STATUS: Mapping[ErrorCode, int] = {
    ErrorCode.CROSS_SITE_NAVIGATION_LOGIN_BLOCKED: 403,
    ErrorCode.EMAIL_NOT_VERIFIED: 403,
    ErrorCode.FAILED_TO_CREATE_SESSION: 401,
    ErrorCode.FAILED_TO_CREATE_USER: 422,
    ErrorCode.FAILED_TO_GET_SESSION: 401,
    ErrorCode.FAILED_TO_GET_USER_INFO: 401,
    ErrorCode.FAILED_TO_UPDATE_USER: 422,
    ErrorCode.ID_TOKEN_NOT_SUPPORTED: 404,
    ErrorCode.INTERNAL_SERVER_ERROR: 500,
    ErrorCode.INVALID_EMAIL_OR_PASSWORD: 401,
    ErrorCode.INVALID_ORIGIN: 403,
    ErrorCode.INVALID_TOKEN: 401,
    ErrorCode.INVALID_USER: 401,
    ErrorCode.LINKING_DIFFERENT_EMAILS_NOT_ALLOWED: 401,
    ErrorCode.LINKING_FAILED: 417,
    ErrorCode.LINKING_NOT_ALLOWED: 401,
    ErrorCode.METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED: 405,
    ErrorCode.MISSING_OR_NULL_ORIGIN: 403,
    ErrorCode.OAUTH_LINK_ERROR: 401,
    ErrorCode.PROVIDER_NOT_FOUND: 404,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.REFUSED_BY_HOOK: 403,
    ErrorCode.REQUEST_BODY_TOO_LARGE: 413,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.SESSION_NOT_FRESH: 403,
    ErrorCode.SOCIAL_ACCOUNT_ALREADY_LINKED: 409,
    ErrorCode.TOKEN_EXPIRED: 401,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: 422,
    ErrorCode.USER_EMAIL_NOT_FOUND: 401,
    ErrorCode.USER_NOT_FOUND: 404,
}


class AuthError(Exception):
    """A domain error: a stable code, a human message, and the HTTP status the route edge answers it with.

    Services and server-side calls (`auth.api.*`) raise it as it is: it is no `HTTPException`. The auth router and
    `auth.exception_handlers` answer it as `{"code": ..., "message": ...}`; the providers hand it to your routes as an
    `AuthHTTPException`, so even an app without those handlers answers with the right status.
    """

    def __init__(
        self,
        code: ErrorCode | str,
        status: int | None = None,
        message: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        *,
        answer_code: bool = True,
    ) -> None:
        if message is None:
            message = DEFAULT_MESSAGES.get(code, str(code))  # type: ignore[arg-type]  # a plain str finds its code
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.status_code: int = status if status is not None else STATUS.get(code, 400)  # type: ignore[arg-type]
        """The status the route edge answers with: the code's usual one (`STATUS`) unless one is given."""
        self.headers: dict[str, str] | None = dict(headers) if headers else None
        self.extra: dict[str, Any] = dict(extra) if extra else {}
        """More fields of the body, as better-auth sends some (`details` of a rate-limited API key)."""
        self.answer_code = answer_code
        """False for the few errors better-auth answers with a message only: the body then has no `code` (server-side
        callers still see `.code`)."""

    def as_http(self) -> AuthHTTPException:
        """This error as it leaves a provider into an app's own route."""
        return AuthHTTPException(self)

    def body(self) -> dict[str, Any]:
        """`{"code", "message"}` and any extra fields: the JSON of this error."""
        if not self.answer_code:
            return {"message": self.message, **self.extra}
        return {"code": self.code, "message": self.message, **self.extra}

    def to_response(self) -> Response:
        return JSONResponse(self.body(), self.status_code, headers=self.headers)


class AuthHTTPException(HTTPException):
    """An `AuthError` raised by a provider in an app's own route. FastAPI answers it with the error's status (as
    `{"detail": message}`) in any app; with `auth.exception_handlers` installed, as `{"code", "message"}`."""

    def __init__(self, error: AuthError) -> None:
        super().__init__(status_code=error.status_code, detail=error.message, headers=error.headers)
        self.error = error


class NotRoutedError(AuthError):
    """A path, method or switched-off feature no auth route serves. better-auth answers these with a bare 404 and
    no body, and so do we (its clients read nothing more into them)."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.NOT_FOUND, 404)

    def to_response(self) -> Response:
        return Response(status_code=404, headers=self.headers)


ProviderCall = TypeVar("ProviderCall", bound=Callable[..., Awaitable[Any]])


def answered_as_http(call: ProviderCall) -> ProviderCall:
    """The edge between the toolkit and an app's own routes: a provider's `AuthError` leaves it as an
    `AuthHTTPException`. (Keeps the provider's signature, which FastAPI reads.)"""

    @functools.wraps(call)
    async def provide(*args: Any, **kwargs: Any) -> Any:
        try:
            return await call(*args, **kwargs)
        except AuthError as error:
            raise error.as_http() from None

    return provide  # type: ignore[return-value]


def unauthorized() -> AuthError:
    return AuthError(ErrorCode.UNAUTHORIZED)


def no_fields_to_update() -> AuthError:
    """400 "No fields to update": better-auth answers it with a message and no code."""
    return AuthError(ErrorCode.NO_FIELDS_TO_UPDATE, answer_code=False)


async def _handle_auth_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthError)
    return exc.to_response()


ExceptionHandler = Callable[[Request, Exception], Coroutine[Any, Any, Response]]


def build_exception_handlers(base_path: str) -> dict[type[Exception] | int, ExceptionHandler]:
    """Handlers for `FastAPI(exception_handlers=...)`: the providers' errors in your routes answer `{"code",
    "message"}`, and unknown paths or wrong methods under the auth base path a bare 404, as better-auth's do.
    Everything else keeps FastAPI's answers."""
    prefix = base_path.rstrip("/") + "/"

    async def handle_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if isinstance(exc, AuthHTTPException):
            return exc.error.to_response()
        if exc.status_code in (404, 405) and request.url.path.startswith(prefix):
            return NotRoutedError().to_response()
        return await http_exception_handler(request, exc)

    return {AuthError: _handle_auth_error, StarletteHTTPException: handle_http_error}


def internal_error_response(exc: BaseException) -> Response:
    """Log an unexpected failure and answer without leaking any detail of it: 503 `SERVICE_UNAVAILABLE` when a
    dependency is unreachable, else 500."""
    if is_missing_schema(exc):
        logger.error(missing_schema_message("the database"))
        return AuthError(ErrorCode.INTERNAL_SERVER_ERROR).to_response()
    if is_outage(exc):
        logger.warning("a dependency is unavailable: %s", describe(exc))
        return unavailable().to_response()
    logger.error("unexpected error in an auth endpoint", exc_info=exc)
    return AuthError(ErrorCode.INTERNAL_SERVER_ERROR).to_response()


def unavailable() -> AuthError:
    """503 `SERVICE_UNAVAILABLE`, `Retry-After: 1`: the database or storage cannot be reached right now."""
    return AuthError(ErrorCode.SERVICE_UNAVAILABLE, headers={"Retry-After": "1"})
