"""An API key presented with a request: reading it, verifying it once per request, and the mock session made from it
(docs/better-auth.md#sessions-from-api-keys, done so that it is safe).

A request carries no ambient credential when it authenticates with a key: browsers never add an `x-api-key` header on
their own, so no origin (CSRF) check applies to it. Cookie-authenticated requests are still checked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from fastapi import Request

from ..audit import audit
from ..db.models import Session
from ..errors import AuthError, ErrorCode
from ..hooks import HookVetoError
from ..sessions.issuer import SignInAttempt
from ..sessions.service import AuthSession
from .errors import ApiKeyErrorCode, api_key_error
from .keys import Permissions, grants, hash_key
from .schemas import parse_json_column
from .service import ApiKeyPermissionError, VerifiedApiKey

if TYPE_CHECKING:
    from .plugin import ApiKeys

KeyGetter = Callable[[Request], str | Awaitable[str | None] | None]
"""`getter(request) -> key | None` (sync or async): where a custom provider finds the key."""

# Verifications of this request, by key hash, kept in the ASGI scope (which belongs to this request alone;
# `request.state` may be shared under some servers). One request spends one use of a key, however many providers
# and session lookups read it.
_VERIFIED: Final = "_better_auth_api_keys"
INVALID_KEY_BUCKET: Final = "api-key:invalid"


def read_api_key(plugin: ApiKeys, request: Request, header: str | None = None) -> str | None:
    """The key in `header`, or in the first configured header that has one (the `headers` option). Never the query
    string: URLs end up in logs and `Referer` headers (docs/security.md K2)."""
    for name in (header,) if header else plugin.options.headers:
        value = request.headers.get(name)
        if value:
            return value
    return None


def request_api_key(request: Request) -> VerifiedApiKey | None:
    """The key this request was authenticated with (by `api_key(...)` or a mock session), if any. Handy in a
    `session_enricher`, which sees mock sessions too."""
    outcomes: dict[str, VerifiedApiKey | AuthError] = request.scope.get(_VERIFIED, {})
    return next((outcome for outcome in outcomes.values() if isinstance(outcome, VerifiedApiKey)), None)


async def verify_request_key(
    plugin: ApiKeys, request: Request, key: str, permissions: Permissions | None = None
) -> VerifiedApiKey:
    """Verify `key` for this request: the first call spends a use of it, later ones reuse the outcome (and check
    their own `permissions` against it). A missing permission answers 403 `INSUFFICIENT_API_KEY_PERMISSIONS`."""
    outcomes: dict[str, VerifiedApiKey | AuthError] = request.scope.setdefault(_VERIFIED, {})
    digest = hash_key(key)
    outcome = outcomes.get(digest)
    if outcome is None:
        guessing = plugin.options.invalid_keys
        limiter = plugin.context.rate_limiter
        await limiter.refuse_if_spent(request, INVALID_KEY_BUCKET, guessing)
        try:
            outcome = await plugin.service.authenticate(key, permissions)
        except ApiKeyPermissionError:  # nothing was spent: a later reader without this requirement may verify it
            _reject(plugin, request, ApiKeyErrorCode.INSUFFICIENT_API_KEY_PERMISSIONS)
            raise api_key_error(ApiKeyErrorCode.INSUFFICIENT_API_KEY_PERMISSIONS, 403) from None
        except AuthError as error:
            outcomes[digest] = error
            _reject(plugin, request, error.code)
            if error.code == ApiKeyErrorCode.INVALID_API_KEY:  # someone guessing keys (docs/security.md K3, L3)
                await limiter.count_failure(request, INVALID_KEY_BUCKET, guessing)
            raise
        outcomes[digest] = outcome
    if isinstance(outcome, AuthError):
        raise outcome
    if permissions and not grants(parse_json_column(outcome.key.permissions), permissions):
        raise api_key_error(ApiKeyErrorCode.INSUFFICIENT_API_KEY_PERMISSIONS, 403)
    return outcome


def _reject(plugin: ApiKeys, request: Request, code: str) -> None:
    audit("api_key.rejected", reason=code, ip=plugin.context.client_info(request).ip_address)


class ApiKeySessions:
    """Mock sessions from API keys, as the session lookup sees them (a `sessions.deps.SessionSource`)."""

    kind = "api_key"

    def __init__(self, plugin: ApiKeys) -> None:
        self._plugin = plugin

    def credential(self, request: Request) -> str | None:
        return read_api_key(self._plugin, request)

    async def session(self, request: Request, credential: str) -> AuthSession:
        return await api_key_session(self._plugin, request, credential)

    def refusal(self) -> AuthError:
        return api_key_error(ApiKeyErrorCode.API_KEY_SESSION_NOT_ALLOWED, 403)


async def api_key_session(plugin: ApiKeys, request: Request, key: str) -> AuthSession:
    """A mock session for the owner of `key`, made for this request and never stored.

    Unlike better-auth's: its token is not the key (it is empty), its id is the key's id (not a secret), it expires
    with the key or `session.expires_in` from now (better-auth: that many *milliseconds*), it is never fresh, and a
    session `before_create` hook sees it (with `source: "api_key"`) and may refuse it (401
    `FAILED_TO_CREATE_SESSION`). Nothing is written, so `after_create` does not run.
    """
    if len(key) < plugin.options.default_key_length:  # better-auth refuses short keys here before any lookup
        raise api_key_error(ApiKeyErrorCode.INVALID_API_KEY, 403)
    verified = await verify_request_key(plugin, request, key)
    context = plugin.context
    now = context.clock.now()
    # The sign-in stages see it like any sign-in (an admin's ban refuses it); what they change applies to it.
    attempt = await context.issuer.check(SignInAttempt(verified.user, "api-key", client=context.client_info(request)))
    values = attempt.session_values
    data: dict[str, Any] = {
        "user_id": verified.user.id,
        "expires_at": values.get("expires_at") or verified.key.expires_at or now + context.settings.session.expires_in,
        "created_at": verified.key.created_at,
        "updated_at": now,
        "ip_address": values.get("ip_address", attempt.client.ip_address) or "",
        "user_agent": values.get("user_agent", attempt.client.user_agent) or "",
        "source": "api_key",
        "api_key_id": verified.key.id,
    }
    try:
        data = await context.hooks.before("session", "create", data)
    except HookVetoError:
        raise AuthError(ErrorCode.FAILED_TO_CREATE_SESSION) from None
    session = Session(
        id=verified.key.id,
        token="",
        user_id=verified.user.id,
        expires_at=data["expires_at"],
        created_at=data["created_at"],
        updated_at=data["updated_at"],
        ip_address=data["ip_address"],
        user_agent=data["user_agent"],
    )
    ip_address = attempt.client.ip_address
    audit("session.api_key", user=verified.user.id, key=verified.key.id, ip=ip_address, source="api_key")
    return AuthSession(session, verified.user, source="api_key")
