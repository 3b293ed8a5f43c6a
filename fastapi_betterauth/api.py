"""`AuthAPI` (`auth.api`): the server-side calls, without HTTP (better-auth's `auth.api.*`)."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from .crypto.tokens import sign_value
from .email_password.service import SignUpResult
from .oauth.accounts import AccessToken, RefreshedTokens
from .sessions.deps import STATE_KEY, lookup_request_session
from .sessions.service import AuthSession

if TYPE_CHECKING:
    from .auth import BetterAuth


class AuthAPI:
    """Server-side calls, without HTTP (better-auth's `auth.api.*`). Not rate limited, no origin checks."""

    def __init__(self, auth: BetterAuth) -> None:
        self._auth = auth

    async def sign_up_email(
        self,
        *,
        name: str,
        email: str,
        password: str,
        image: str | None = None,
        remember_me: bool = True,
        additional: Mapping[str, Any] | None = None,
    ) -> SignUpResult:
        """As `/sign-up/email`; `additional`: the body's additional user fields, under the same rules (a server-only
        field is set with `auth.users.update(user, {...})` instead)."""
        return await self._auth.email_password.sign_up(
            name=name, email=email, password=password, image=image, remember_me=remember_me, additional=additional
        )

    async def sign_in_email(self, *, email: str, password: str, remember_me: bool = True) -> AuthSession:
        return await self._auth.email_password.sign_in(email=email, password=password, remember_me=remember_me)

    async def get_session(self, headers: Mapping[str, str], *, refresh: bool = False) -> AuthSession | None:
        """The session of a request's headers (its `Cookie`, `Authorization: Bearer`, or a plugin's credential such
        as an API key with mock sessions), looked up exactly as a request's is (cookie cache, enrichment), without
        refreshing it unless asked. Nothing is written back: there is no response to carry cookies."""
        lookup = await lookup_request_session(
            _server_request(self._auth, headers), refresh=refresh, deferred=not refresh
        )
        return lookup.found

    async def set_password(self, user_id: str, new_password: str) -> None:
        """Give a user without a password (signed up with OAuth) one; 400 `PASSWORD_ALREADY_SET` otherwise."""
        await self._auth.email_flows.set_password(user_id, new_password)

    async def revoke_session(self, token: str, *, user_id: str | None = None) -> None:
        """End the session of `token`. Stateless sessions need the `user_id` too (a token alone names nobody)."""
        if self._auth.keeping.lists_sessions:
            await self._auth.sessions.revoke(token)
        elif user_id is None:
            raise ValueError("with stateless sessions, revoke_session needs the user_id of the session")
        else:
            await self._auth.sessions.revoke_owned(user_id, token)

    # --- Linked accounts: one account is named by its row id (`Account.id`, the `id` of `/list-accounts`).

    async def get_access_token(self, *, user_id: str, account_id: str) -> AccessToken:
        """A valid provider access token of the user's account, refreshed first when it expires within 5 seconds
        (better-auth's `auth.api.getAccessToken({body: {accountId, userId}})`). 400 `ACCOUNT_NOT_FOUND`,
        `PROVIDER_NOT_SUPPORTED` or `FAILED_TO_GET_ACCESS_TOKEN`."""
        self._auth.require_database()
        return await self._auth.accounts.access_token(user_id, account_id)

    async def refresh_token(self, *, user_id: str, account_id: str) -> RefreshedTokens:
        """Refresh the account's provider tokens now and store them (`auth.api.refreshToken`). 400
        `ACCOUNT_NOT_FOUND`, `PROVIDER_NOT_SUPPORTED`, `REFRESH_TOKEN_NOT_FOUND` or `FAILED_TO_REFRESH_ACCESS_TOKEN`."""
        self._auth.require_database()
        return await self._auth.accounts.refresh(user_id, account_id)

    async def unlink_account(self, *, user_id: str, account_id: str) -> None:
        """Remove one of the user's ways to sign in (`auth.api.unlinkAccount`; no freshness check server-side).
        400 `FAILED_TO_UNLINK_LAST_ACCOUNT` or `ACCOUNT_NOT_FOUND`."""
        self._auth.require_database()
        await self._auth.accounts.unlink(user_id, account_id)

    def session_cookie_header(self, found: AuthSession) -> dict[str, str]:
        """A `Cookie` header that authenticates as `found`, e.g. for calling your own API in tests. (With stateless
        sessions it carries the session cookie too, minted with `session.cookie_cache.version`.)"""
        signed = sign_value(self._auth.keyring.current, found.session.token)
        cookie = f"{self._auth.cookies.session_token}={signed}"
        copy = self._auth.keeping.copy_cookie(found)
        return {"cookie": f"{cookie}; {copy}" if copy else cookie}


def _server_request(auth: BetterAuth, headers: Mapping[str, str]) -> Request:
    """A GET request carrying `headers`, for looking a session up outside of HTTP the way a request's is."""
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "scheme": "https" if auth.settings.url.startswith("https:") else "http",
        "path": f"{auth.settings.base_path}/get-session",
        "raw_path": f"{auth.settings.base_path}/get-session".encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()],
        "client": None,
        "server": None,
        "app": SimpleNamespace(state=SimpleNamespace(**{STATE_KEY: auth})),
    }
    return Request(scope)
