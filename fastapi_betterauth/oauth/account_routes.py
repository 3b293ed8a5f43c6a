"""The account endpoints (README *Social sign-in*): `GET /list-accounts`, `POST /unlink-account`,
`POST /get-access-token`, `POST /refresh-token` and `GET /account-info`.

One account is named by its row id (`{"accountId": <id from list-accounts>}`), or, for the account kept in the
`account_data` cookie, by `{"useAccountCookie": true}`; a body in any other shape is 400 `VALIDATION_ERROR`. The
body is checked before the session, as better-auth does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

from ..clock import js_iso
from ..cookies import request_cookies
from ..db.models import Account
from ..errors import AuthError, ErrorCode
from ..routing import (
    NEEDS_SESSION,
    NO_STORE,
    SENSITIVE,
    AuthRouter,
    answers,
    body_openapi,
    parse_body,
    read_body_data,
    schema_body_openapi,
)
from ..schemas import StatusResponse
from ..security.schemes import session_security
from ..sessions.deps import require_session
from ..sessions.service import AuthSession
from .accounts import AccessToken, RefreshedTokens
from .schemas import (
    ACCOUNT_SELECTION_QUERY,
    ACCOUNT_SELECTION_SCHEMA,
    AccessTokenResponse,
    AccountInfoResponse,
    AccountResponse,
    AccountSelection,
    RefreshTokenResponse,
    UnlinkAccountBody,
    account_selection,
)
from .token_storage import account_scopes

if TYPE_CHECKING:
    from ..parts import AuthParts


SELECTED_ACCOUNT = {
    400: "`ACCOUNT_NOT_FOUND`, `PROVIDER_NOT_SUPPORTED` (its provider is no longer configured)",
}
"""Errors of the routes acting on one account of the user."""


def account_json(account: Account) -> dict[str, Any]:
    """better-auth's list-accounts entry: no tokens, no password."""
    return {
        "id": account.id,
        "providerId": account.provider_id,
        "accountId": account.account_id,
        "userId": account.user_id,
        "createdAt": js_iso(account.created_at),
        "updatedAt": js_iso(account.updated_at),
        "scopes": account_scopes(account),
    }


def access_token_json(token: AccessToken) -> dict[str, Any]:
    """`get-access-token`'s answer; like better-auth, fields without a value are left out."""
    answer: dict[str, Any] = {"accessToken": token.access_token}
    if token.expires_at is not None:
        answer["accessTokenExpiresAt"] = js_iso(token.expires_at)
    answer["scopes"] = token.scopes
    if token.id_token:
        answer["idToken"] = token.id_token
    return answer


def refreshed_json(tokens: RefreshedTokens) -> dict[str, Any]:
    """`refresh-token`'s answer: the stored (accumulated) scope as a comma list and the account's row id."""
    expires, refresh_expires = tokens.access_token_expires_at, tokens.refresh_token_expires_at
    return {
        "accessToken": tokens.access_token,
        "refreshToken": tokens.refresh_token,
        "accessTokenExpiresAt": js_iso(expires) if expires else None,
        "refreshTokenExpiresAt": js_iso(refresh_expires) if refresh_expires else None,
        "scope": tokens.account.scope,
        "idToken": tokens.id_token,
        "providerId": tokens.account.provider_id,
        "accountId": tokens.account.id,
    }


def build_account_router(auth: AuthParts) -> APIRouter:
    router = AuthRouter(tags=["social sign-in"])
    session = session_security(auth.cookies, bearer=auth.settings.bearer.enabled)
    max_bytes = auth.settings.advanced.max_body_bytes
    selection_body = schema_body_openapi(ACCOUNT_SELECTION_SCHEMA)

    async def read_selection(request: Request) -> AccountSelection:
        data = await read_body_data(request, max_bytes=max_bytes)
        if not isinstance(data, dict):
            raise AuthError(ErrorCode.VALIDATION_ERROR, 400, "[body] Invalid input")
        return account_selection(data)

    def cookie_account(request: Request, found: AuthSession, selection: AccountSelection) -> Account:
        """The account in the `account_data` cookie, if it is this user's (and the one named)."""
        account = auth.account_cookie.read(request_cookies(request), user_id=found.user.id)
        if account is None or selection.account_id not in (None, account.id):
            raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)
        return account

    async def selected_account(request: Request, found: AuthSession, selection: AccountSelection) -> Account:
        """A row id is looked up in the database; the cookie is read only when asked for (`useAccountCookie`),
        or, without a database, where the account is kept."""
        if not auth.has_database:
            return cookie_account(request, found, selection)
        if selection.account_id is None:
            raise AuthError(ErrorCode.ACCOUNT_NOT_FOUND)  # with a database, accounts are never kept in cookies
        return await auth.accounts.find(found.user.id, selection.account_id)

    def keep_account(response: Response, account: Account, present: dict[str, str]) -> None:
        lifetime = auth.settings.session.stateless.max_lifetime
        auth.account_cookie.write(response, account, present, lifetime=lifetime)

    @router.get(
        "/list-accounts",
        dependencies=session,
        response_model=None,
        responses=answers(list[AccountResponse], NEEDS_SESSION),
        summary="The user's ways to sign in (no secrets)",
    )
    async def list_accounts(request: Request, response: Response) -> list[dict[str, Any]]:
        found = await require_session(request, response)
        response.headers.update(NO_STORE)
        if not auth.has_database:
            account = auth.account_cookie.read(request_cookies(request), user_id=found.user.id)
            return [account_json(account)] if account is not None else []
        return [account_json(a) for a in await auth.accounts.list(found.user.id)]

    @router.post(
        "/unlink-account",
        dependencies=session,
        response_model=None,
        responses=answers(
            StatusResponse,
            SENSITIVE,
            {
                400: "`DATABASE_REQUIRED`, `ACCOUNT_NOT_FOUND`, `FAILED_TO_UNLINK_LAST_ACCOUNT`",
                403: "`SESSION_NOT_FRESH`",
            },
        ),
        summary="Remove a way to sign in (needs a fresh session)",
        openapi_extra=body_openapi(UnlinkAccountBody),
    )
    async def unlink_account(request: Request, response: Response) -> dict[str, bool]:
        auth.require_database()
        body = await parse_body(request, UnlinkAccountBody, max_bytes=max_bytes)
        found = await require_session(request, response, sensitive=True)
        if not auth.sessions.is_fresh(found):
            raise AuthError(ErrorCode.SESSION_NOT_FRESH)
        await auth.accounts.unlink(found.user.id, body.account_id)
        return {"status": True}

    @router.post(
        "/get-access-token",
        dependencies=session,
        response_model=None,
        responses=answers(AccessTokenResponse, SENSITIVE, SELECTED_ACCOUNT, {400: "`FAILED_TO_GET_ACCESS_TOKEN`"}),
        summary="A valid provider access token (refreshed when it expires within 5 seconds)",
        openapi_extra=selection_body,
    )
    async def get_access_token(request: Request, response: Response) -> dict[str, Any]:
        selection = await read_selection(request)
        found = await require_session(request, response, sensitive=True)
        response.headers.update(NO_STORE)
        account = await selected_account(request, found, selection)
        token, refreshed = await auth.accounts.valid_access_token(account, store=auth.has_database)
        if refreshed and not auth.has_database:
            keep_account(response, token.account, request_cookies(request))
        return access_token_json(token)

    @router.post(
        "/refresh-token",
        dependencies=session,
        response_model=None,
        responses=answers(
            RefreshTokenResponse,
            SENSITIVE,
            SELECTED_ACCOUNT,
            {400: "`REFRESH_TOKEN_NOT_FOUND`, `FAILED_TO_REFRESH_ACCESS_TOKEN`"},
        ),
        summary="Refresh the provider tokens now",
        openapi_extra=selection_body,
    )
    async def refresh_token(request: Request, response: Response) -> dict[str, Any]:
        selection = await read_selection(request)
        found = await require_session(request, response, sensitive=True)
        response.headers.update(NO_STORE)
        account = await selected_account(request, found, selection)
        tokens = await auth.accounts.refresh_account(account, store=auth.has_database)
        if not auth.has_database:
            keep_account(response, tokens.account, request_cookies(request))
        return refreshed_json(tokens)

    @router.get(
        "/account-info",
        dependencies=session,
        response_model=None,
        responses=answers(
            AccountInfoResponse,
            SENSITIVE,
            SELECTED_ACCOUNT,
            {
                400: "`PROVIDER_NOT_CONFIGURED`, `ACCESS_TOKEN_NOT_FOUND`, `FAILED_TO_GET_ACCESS_TOKEN`",
                401: "`FAILED_TO_GET_USER_INFO` (the provider's answer)",
            },
        ),
        summary="What the provider says now about one of the user's accounts",
        openapi_extra={"parameters": ACCOUNT_SELECTION_QUERY},
    )
    async def account_info(request: Request, response: Response) -> dict[str, Any]:
        selection = account_selection(dict(request.query_params), "query")
        found = await require_session(request, response, sensitive=True)
        response.headers.update(NO_STORE)
        account = await selected_account(request, found, selection)
        profile, token, refreshed = await auth.accounts.provider_profile(account, store=auth.has_database)
        if refreshed and not auth.has_database:
            keep_account(response, token.account, request_cookies(request))
        return {
            "user": {
                "id": profile.subject,
                "name": profile.name,
                "email": profile.email,
                "image": profile.image,
                "emailVerified": profile.email_verified,
            },
            "data": dict(profile.raw),
            "account": {"id": account.id, "providerId": account.provider_id, "accountId": account.account_id},
        }

    return router
