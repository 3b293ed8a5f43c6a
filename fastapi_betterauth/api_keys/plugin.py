"""`ApiKeys`: better-auth's api-key plugin on the plugin seam: hashed, expiring, metered and rate-limited keys with
permissions, their `/api-key/*` routes, the `api_key(...)` provider, mock sessions, and server-side calls.

```python
auth = BetterAuth(settings, plugins=[ApiKeys(ApiKeyOptions(enable_metadata=True))])
created = await auth.plugin(ApiKeys).create_api_key(user_id=user.id, name="ci")
```

or from settings alone: `BETTER_AUTH_PLUGINS__API_KEY__ENABLED=true`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from types import EllipsisType
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import ValidationError
from sqlalchemy import Table, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from ..errors import AuthError, ErrorCode
from ..plugins.base import Plugin
from ..plugins.context import AuthContext
from ..routing import ModelT
from ..sessions.deps import SessionSource
from ..settings import InsecureSettingsError
from ..users.service import UserCleanup
from . import router as api_keys_router
from .errors import MESSAGES
from .keys import Permissions
from .models import ApiKey
from .options import ApiKeyOptions
from .request import ApiKeySessions
from .schemas import CreateApiKeyBody, SortField, UpdateApiKeyBody
from .securing import disable_keys_of_user
from .service import ApiKeyPage, ApiKeyService, ApiKeyVerification, CreatedApiKey


class ApiKeys(Plugin[ApiKeyOptions]):
    """API keys. Its server calls are methods of this object: `auth.plugin(ApiKeys).create_api_key(...)`.
    Durations: `expires_in` in seconds, `refill_interval` and `rate_limit_time_window` in milliseconds, as on the
    wire; a `timedelta` works for each."""

    id = "api_key"
    options_model = ApiKeyOptions
    error_codes = MESSAGES

    def setup(self, context: AuthContext, options: ApiKeyOptions) -> None:
        super().setup(context, options)
        if options.enable_session_for_api_keys:
            if not context.has_database:
                raise ValueError(
                    "plugins.api_key.enable_session_for_api_keys needs a database (API keys are stored there)"
                )
            if context.settings.environment == "production" and not options.allow_sessions_in_production:
                raise InsecureSettingsError(
                    "plugins.api_key.enable_session_for_api_keys signs a key's owner in wherever a session is enough, "
                    "so a leaked key impersonates them. Prefer api_key(...) in routes for machines; to keep mock "
                    "sessions in production anyway, also set allow_sessions_in_production "
                    "(BETTER_AUTH_PLUGINS__API_KEY__ALLOW_SESSIONS_IN_PRODUCTION=true)."
                )
        self.service = ApiKeyService(options, context.database, context.clock)

    def router(self) -> APIRouter:
        return api_keys_router.build_router(self)

    def session_sources(self) -> Sequence[SessionSource]:
        return (ApiKeySessions(self),) if self.options.enable_session_for_api_keys else ()

    def user_cleanups(self) -> Sequence[UserCleanup]:
        return (_delete_keys_of_user,)

    def tables(self) -> Sequence[Table]:
        return (ApiKey.__table__,)  # type: ignore[attr-defined]

    async def on_account_secured(self, user_id: str) -> None:
        """With `disable_with_sessions`, the user's keys are disabled (docs/security.md K6)."""
        if self.options.disable_with_sessions and self.context.has_database:
            await disable_keys_of_user(self.context.database, user_id, self.context.clock.now())

    async def create_api_key(
        self,
        *,
        user_id: str,
        name: str | None = None,
        expires_in: float | timedelta | None = None,
        prefix: str | None = None,
        metadata: Any = None,
        remaining: int | None = None,
        refill_amount: int | None = None,
        refill_interval: int | timedelta | None = None,
        rate_limit_enabled: bool | None = None,
        rate_limit_time_window: int | timedelta | None = None,
        rate_limit_max: int | None = None,
        permissions: Permissions | None = None,
    ) -> CreatedApiKey:
        """A new key for `user_id`, server-only properties included; `.key` is the key, shown this once.
        404 `USER_NOT_FOUND` for an unknown user; the 400s of `POST /api-key/create` otherwise."""
        values = {
            "name": name,
            "expires_in": _seconds(expires_in),
            "prefix": prefix,
            "metadata": metadata,
            "remaining": remaining,
            "refill_amount": refill_amount,
            "refill_interval": _milliseconds(refill_interval),
            "rate_limit_enabled": rate_limit_enabled,
            "rate_limit_time_window": _milliseconds(rate_limit_time_window),
            "rate_limit_max": rate_limit_max,
            "permissions": permissions,
        }
        body = _validated(CreateApiKeyBody, {key: value for key, value in values.items() if value is not None})
        return await self.service.create(user_id, body, check_owner=True)

    async def update_api_key(
        self,
        key_id: str,
        *,
        user_id: str,
        name: str | None = None,
        enabled: bool | None = None,
        expires_in: float | timedelta | EllipsisType | None = ...,
        metadata: Any = ...,
        remaining: int | None = None,
        refill_amount: int | None = None,
        refill_interval: int | timedelta | None = None,
        rate_limit_enabled: bool | None = None,
        rate_limit_time_window: int | timedelta | None = None,
        rate_limit_max: int | None = None,
        permissions: Permissions | EllipsisType | None = ...,
    ) -> ApiKey:
        """Change one of `user_id`'s keys. `expires_in`, `metadata` and `permissions` are left alone unless given;
        `None` removes them. 404 `KEY_NOT_FOUND`, 400 `NO_VALUES_TO_UPDATE` and the other 400s of the route."""
        values: dict[str, Any] = {
            "key_id": key_id,
            "name": name,
            "enabled": enabled,
            "remaining": remaining,
            "refill_amount": refill_amount,
            "refill_interval": _milliseconds(refill_interval),
            "rate_limit_enabled": rate_limit_enabled,
            "rate_limit_time_window": _milliseconds(rate_limit_time_window),
            "rate_limit_max": rate_limit_max,
        }
        values = {key: value for key, value in values.items() if value is not None}
        if not isinstance(expires_in, EllipsisType):
            values["expires_in"] = _seconds(expires_in)
        if not isinstance(metadata, EllipsisType):
            values["metadata"] = metadata
        if not isinstance(permissions, EllipsisType):
            values["permissions"] = permissions
        return await self.service.update(key_id, user_id, _validated(UpdateApiKeyBody, values))

    async def get_api_key(self, key_id: str, *, user_id: str) -> ApiKey:
        """One of `user_id`'s keys (404 `KEY_NOT_FOUND`)."""
        return await self.service.get(key_id, user_id)

    async def list_api_keys(
        self,
        *,
        user_id: str,
        limit: int | None = None,
        offset: int | None = None,
        sort_by: SortField | None = None,
        sort_direction: Literal["asc", "desc"] = "asc",
    ) -> ApiKeyPage:
        """A page of `user_id`'s keys, sorted and paginated by the database."""
        return await self.service.list_keys(
            user_id, limit=limit, offset=offset, sort_by=sort_by, sort_direction=sort_direction
        )

    async def delete_api_key(self, key_id: str, *, user_id: str) -> None:
        """Delete one of `user_id`'s keys (404 `KEY_NOT_FOUND`)."""
        await self.service.delete(key_id, user_id)

    async def verify_api_key(self, key: str, *, permissions: Permissions | None = None) -> ApiKeyVerification:
        """Check a key (and that it has every permission in `permissions`) and spend one use of it: better-auth's
        `{valid, error, key}` (`.to_json()` gives that JSON). Problems are answered in `error`, never raised."""
        return await self.service.check(key, permissions)

    async def delete_expired_api_keys(self) -> int:
        """Delete every expired key now; how many there were. (Expired keys are also swept every 10 s at most
        while keys are used, and deleted when presented.)"""
        return await self.service.delete_expired()


async def _delete_keys_of_user(db: AsyncSession, user_id: str) -> None:
    """`apikey.referenceId` has no foreign key to the user, so nothing cascades: delete them with the user."""
    await db.exec(delete(ApiKey).where(ApiKey.reference_id == user_id))  # type: ignore[arg-type]


def _seconds(value: float | timedelta | None) -> float | None:
    return value.total_seconds() if isinstance(value, timedelta) else value


def _milliseconds(value: int | timedelta | None) -> int | None:
    return int(value / timedelta(milliseconds=1)) if isinstance(value, timedelta) else value


def _validated(model: type[ModelT], values: dict[str, Any]) -> ModelT:
    """Server calls are validated like request bodies: 400 `VALIDATION_ERROR` naming the field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(f"[{'.'.join(map(str, e['loc']))}] {e['msg']}" for e in exc.errors())
        raise AuthError(ErrorCode.VALIDATION_ERROR, 400, problems) from None
