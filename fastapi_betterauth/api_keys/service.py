"""API keys: create, read, update, delete, verify, and the sweep of expired keys (docs/better-auth.md#api-keys). No HTTP
here: callers say whose key it is and what they may change."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, func, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..audit import audit
from ..clock import Clock
from ..db.dialects import update_returning
from ..db.engine import Database
from ..db.models import User
from ..db.queries import find_user_by_id
from ..errors import AuthError, ErrorCode
from .errors import MESSAGES, ApiKeyErrorCode, api_key_error
from .keys import Permissions, generate_key, grants, hash_key
from .metering import spend
from .models import ApiKey
from .options import ApiKeyOptions
from .schemas import SORT_ATTRIBUTES, CreateApiKeyBody, UpdateApiKeyBody, api_key_json, parse_json_column

logger = logging.getLogger("fastapi_betterauth")

SWEEP_INTERVAL = timedelta(seconds=10)
"""Expired keys are deleted at most this often per `ApiKeyService` (better-auth: per process)."""
MAX_PRESENTED_KEY_LENGTH = 512
DEFAULT_CONFIG_ID = "default"


class ApiKeyPermissionError(AuthError):
    """The key lacks a required permission: 401 `KEY_NOT_FOUND`, which does not say why (better-auth). The
    `api_key(permissions=...)` provider answers 403 `INSUFFICIENT_API_KEY_PERMISSIONS` instead."""

    def __init__(self) -> None:
        super().__init__(ApiKeyErrorCode.KEY_NOT_FOUND, 401, MESSAGES[ApiKeyErrorCode.KEY_NOT_FOUND])


@dataclass(frozen=True, slots=True)
class CreatedApiKey:
    """A new key: its row, and the key itself, which is shown this once and never stored."""

    api_key: ApiKey
    key: str

    def to_json(self) -> dict[str, Any]:
        return api_key_json(self.api_key, key=self.key)


@dataclass(frozen=True, slots=True)
class VerifiedApiKey:
    """A key that passed verification (and was metered), and the user it belongs to."""

    key: ApiKey
    user: User


@dataclass(frozen=True, slots=True)
class ApiKeyPage:
    """One page of a user's keys (`GET /api-key/list`)."""

    api_keys: list[ApiKey]
    total: int
    limit: int | None = None
    offset: int | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"apiKeys": [api_key_json(key) for key in self.api_keys], "total": self.total}
        if self.limit is not None:
            body["limit"] = self.limit
        if self.offset is not None:
            body["offset"] = self.offset
        return body


@dataclass(frozen=True, slots=True)
class ApiKeyVerification:
    """better-auth's `verifyApiKey` answer: `{valid, error, key}`; problems are returned, not raised."""

    valid: bool
    error: AuthError | None = None
    key: ApiKey | None = None

    def to_json(self) -> dict[str, Any]:
        error = self.error.body() if self.error is not None else None
        return {"valid": self.valid, "error": error, "key": api_key_json(self.key) if self.key else None}


def _js_truthy(value: Any) -> bool:
    # better-auth tests `if (metadata)`: null, false, 0 and "" mean "no metadata"; {} and [] do not.
    if value is None or value is False or value == "":
        return False
    return not (isinstance(value, int | float) and value == 0)


def _is_default_config() -> ColumnElement[bool]:
    return or_(col(ApiKey.config_id).is_(None), col(ApiKey.config_id) == DEFAULT_CONFIG_ID)


class ApiKeyService:
    """The `apikey` table's owner. Every time comes from `clock`; the sweep's last run is kept here, per instance."""

    def __init__(self, settings: ApiKeyOptions, database: Database, clock: Clock) -> None:
        self.settings = settings
        self._database = database
        self._clock = clock
        self._last_sweep: datetime | None = None

    # --- create, read, update, delete ---------------------------------------------------------------------------

    async def create(self, owner_id: str, body: CreateApiKeyBody, *, check_owner: bool = False) -> CreatedApiKey:
        """A new key for `owner_id`. Callers decide which fields the client may set (`SERVER_ONLY_PROPERTY`).

        `check_owner`: 404 `USER_NOT_FOUND` unless the user exists (server calls; a session's user does)."""
        self._check_metadata(body.metadata)
        if body.refill_amount and not body.refill_interval:
            raise api_key_error(ApiKeyErrorCode.REFILL_AMOUNT_AND_INTERVAL_REQUIRED)
        if body.refill_interval and not body.refill_amount:
            raise api_key_error(ApiKeyErrorCode.REFILL_INTERVAL_AND_AMOUNT_REQUIRED)
        if body.expires_in:
            self._check_expires_in(body.expires_in)
        self._check_prefix(body.prefix)
        self._check_name(body.name, on_create=True)
        if check_owner:
            async with self._database.session() as db:
                if await find_user_by_id(db, owner_id) is None:
                    raise AuthError(ErrorCode.USER_NOT_FOUND)
        await self._sweep()
        settings = self.settings
        now = self._clock.now()
        prefix = body.prefix or settings.default_prefix
        key = generate_key(settings.default_key_length, prefix)
        default_lifetime = settings.key_expiration.default_expires_in
        if body.expires_in:
            expires_at: datetime | None = now + timedelta(seconds=body.expires_in)
        else:
            expires_at = now + default_lifetime if default_lifetime else None
        limits = settings.rate_limit
        rate_limit_enabled = limits.enabled if body.rate_limit_enabled is None else body.rate_limit_enabled
        window = body.rate_limit_time_window or int(limits.time_window / timedelta(milliseconds=1))
        row = ApiKey(
            config_id=DEFAULT_CONFIG_ID,
            name=body.name,
            start=key[: settings.starting_characters_length] or None,
            reference_id=owner_id,
            prefix=prefix,
            key=hash_key(key),
            refill_interval=body.refill_interval,
            refill_amount=body.refill_amount,
            enabled=True,
            rate_limit_enabled=rate_limit_enabled,
            rate_limit_time_window=window,
            rate_limit_max=limits.max_requests if body.rate_limit_max is None else body.rate_limit_max,
            request_count=0,
            remaining=body.remaining,
            expires_at=expires_at,
            created_at=now,
            updated_at=now,
            permissions=json.dumps(body.permissions) if body.permissions else None,
            metadata_=json.dumps(body.metadata) if _js_truthy(body.metadata) else None,
        )
        async with self._database.session() as db, db.begin():
            db.add(row)
        audit("api_key.created", user=owner_id, key=row.id)
        return CreatedApiKey(row, key)

    async def get(self, key_id: str, owner_id: str) -> ApiKey:
        """One of the owner's keys; 404 `KEY_NOT_FOUND` for a missing key or someone else's."""
        async with self._database.session() as db:
            row = await self._find_owned(db, key_id, owner_id)
        await self._sweep()
        return row

    async def list_keys(
        self,
        owner_id: str,
        *,
        limit: int | None = None,
        offset: int | None = None,
        sort_by: str | None = None,
        sort_direction: Literal["asc", "desc"] = "asc",
        config_id: str | None = None,
    ) -> ApiKeyPage:
        """A page of the owner's keys, paginated and sorted by the database. `sort_by` is one of `SortField`."""
        conditions: list[ColumnElement[bool]] = [col(ApiKey.reference_id) == owner_id]
        if config_id is not None:
            is_default = config_id == DEFAULT_CONFIG_ID
            conditions.append(_is_default_config() if is_default else col(ApiKey.config_id) == config_id)
        column = col(getattr(ApiKey, SORT_ATTRIBUTES[sort_by or "createdAt"]))
        # Nulls sort as the smallest value on every database (MySQL sorts them so and has no NULLS FIRST); the id makes
        # pages stable.
        order = column.asc() if sort_direction == "asc" else column.desc()
        if not self._database.is_mysql:
            order = order.nulls_first() if sort_direction == "asc" else order.nulls_last()
        statement = select(ApiKey).where(*conditions).order_by(order, col(ApiKey.id).asc())
        if offset:
            statement = statement.offset(offset)
        if limit is not None:
            statement = statement.limit(limit)
        async with self._database.session() as db:
            total = (await db.exec(select(func.count()).select_from(ApiKey).where(*conditions))).one()
            rows = list((await db.exec(statement)).all())
        await self._sweep()
        return ApiKeyPage(rows, total, limit, offset)

    async def update(self, key_id: str, owner_id: str, body: UpdateApiKeyBody) -> ApiKey:
        """Change one of the owner's keys (the fields set in `body`). Callers decide which the client may set."""
        sent = body.model_fields_set
        async with self._database.session() as db:
            await self._find_owned(db, key_id, owner_id)
        values: dict[str, Any] = {}
        if body.name is not None:
            self._check_name(body.name, on_create=False)
            values["name"] = body.name
        if body.enabled is not None:
            values["enabled"] = body.enabled
        if "expires_in" in sent:
            if self.settings.key_expiration.disable_custom_expires_time:
                raise api_key_error(ApiKeyErrorCode.KEY_DISABLED_EXPIRATION)
            if body.expires_in is not None:
                self._check_expires_in(body.expires_in)
            values["expires_at"] = (
                self._clock.now() + timedelta(seconds=body.expires_in) if body.expires_in is not None else None
            )
        if "metadata" in sent and self.settings.enable_metadata:  # silently ignored when disabled (better-auth)
            if body.metadata is not None and not isinstance(body.metadata, dict):
                raise api_key_error(ApiKeyErrorCode.INVALID_METADATA_TYPE)
            values["metadata_"] = json.dumps(body.metadata) if body.metadata is not None else None
        if body.remaining is not None:
            values["remaining"] = body.remaining
        if "refill_amount" in sent or "refill_interval" in sent:
            if "refill_interval" not in sent:
                raise api_key_error(ApiKeyErrorCode.REFILL_AMOUNT_AND_INTERVAL_REQUIRED)
            if "refill_amount" not in sent:
                raise api_key_error(ApiKeyErrorCode.REFILL_INTERVAL_AND_AMOUNT_REQUIRED)
            values["refill_amount"], values["refill_interval"] = body.refill_amount, body.refill_interval
        for field in ("rate_limit_enabled", "rate_limit_time_window", "rate_limit_max"):
            if getattr(body, field) is not None:
                values[field] = getattr(body, field)
        if "permissions" in sent:
            values["permissions"] = json.dumps(body.permissions) if body.permissions is not None else None
        if not values:
            raise api_key_error(ApiKeyErrorCode.NO_VALUES_TO_UPDATE)
        values["updated_at"] = self._clock.now()
        statement = update(ApiKey).where(*self._owned(key_id, owner_id)).values(**values)
        async with self._database.session() as db, db.begin():
            row = await update_returning(db, statement, [ApiKey], col(ApiKey.id) == key_id)
        updated: ApiKey | None = row[0] if row else None
        if updated is None:  # deleted meanwhile
            raise api_key_error(ApiKeyErrorCode.KEY_NOT_FOUND, 404)
        await self._sweep()
        audit("api_key.updated", user=owner_id, key=key_id)
        return updated

    async def delete(self, key_id: str, owner_id: str) -> None:
        """Delete one of the owner's keys; 404 `KEY_NOT_FOUND` for a missing key or someone else's."""
        async with self._database.session() as db, db.begin():
            result = await db.exec(delete(ApiKey).where(*self._owned(key_id, owner_id)))
        if not result.rowcount:
            raise api_key_error(ApiKeyErrorCode.KEY_NOT_FOUND, 404)
        await self._sweep()
        audit("api_key.deleted", user=owner_id, key=key_id)

    # --- verification -------------------------------------------------------------------------------------------

    async def verify(self, key: str, permissions: Permissions | None = None) -> ApiKey:
        """Check a presented key and spend one use of it: the key row as it is now
        (docs/better-auth.md#api-key-verification).

        401 `INVALID_API_KEY` (unknown), `KEY_DISABLED`, `KEY_EXPIRED` (and the key is deleted), `KEY_NOT_FOUND`
        (missing a required permission: `ApiKeyPermissionError`); 429 `USAGE_EXCEEDED` (no uses left; a key that
        can never be refilled is deleted) or `RATE_LIMITED` (`RateLimitedError`, with `try_again_in`).
        """
        row, _ = await self._verify(key, permissions, with_user=False)
        return row

    async def authenticate(self, key: str, permissions: Permissions | None = None) -> VerifiedApiKey:
        """`verify`, plus the key's owner: 401 `INVALID_REFERENCE_ID_FROM_API_KEY` (before any use is spent) when
        the owner is gone."""
        row, user = await self._verify(key, permissions, with_user=True)
        assert user is not None
        return VerifiedApiKey(row, user)

    async def check(self, key: str, permissions: Permissions | None = None) -> ApiKeyVerification:
        """`verify` in better-auth's `{valid, error, key}` shape: key problems are answered, not raised."""
        try:
            return ApiKeyVerification(True, key=await self.verify(key, permissions))
        except AuthError as error:
            return ApiKeyVerification(False, error=error)

    async def _verify(
        self, key: str, permissions: Permissions | None, *, with_user: bool
    ) -> tuple[ApiKey, User | None]:
        if not key or len(key) > MAX_PRESENTED_KEY_LENGTH:
            raise api_key_error(ApiKeyErrorCode.INVALID_API_KEY, 401)
        hashed = hash_key(key)
        async with self._database.session() as db:
            statement = (
                select(ApiKey, User)
                .outerjoin(User, col(User.id) == col(ApiKey.reference_id))
                .where(col(ApiKey.key) == hashed)
                .limit(1)
            )
            found = (await db.exec(statement)).first()
        if found is None:  # the row was found by its hash: nothing is left to compare
            raise api_key_error(ApiKeyErrorCode.INVALID_API_KEY, 401)
        row, user = found
        now = self._clock.now()
        if row.enabled is False:
            raise api_key_error(ApiKeyErrorCode.KEY_DISABLED, 401)
        if row.expires_at is not None and now > row.expires_at:
            await self._delete_row(row.id)
            raise api_key_error(ApiKeyErrorCode.KEY_EXPIRED, 401)
        if permissions and not grants(parse_json_column(row.permissions), permissions):
            raise ApiKeyPermissionError()
        if row.remaining == 0 and row.refill_amount is None:
            await self._delete_row(row.id)
            raise api_key_error(ApiKeyErrorCode.USAGE_EXCEEDED, 429)
        if with_user and user is None:
            raise api_key_error(ApiKeyErrorCode.INVALID_REFERENCE_ID_FROM_API_KEY, 401)
        spent = await spend(self._database, row, now, rate_limit_enabled=self.settings.rate_limit.enabled)
        await self._sweep()
        return spent, user

    # --- expiry -------------------------------------------------------------------------------------------------

    async def delete_expired(self) -> int:
        """Delete every expired key now (better-auth's `deleteAllExpiredApiKeys`); the number deleted."""
        now = self._last_sweep = self._clock.now()
        async with self._database.session() as db, db.begin():
            statement = delete(ApiKey).where(col(ApiKey.expires_at).is_not(None), col(ApiKey.expires_at) < now)
            result = await db.exec(statement)
        return int(result.rowcount or 0)

    async def _sweep(self) -> None:
        """`delete_expired`, at most once per `SWEEP_INTERVAL`; its failure never fails the request."""
        now = self._clock.now()
        if self._last_sweep is not None and now - self._last_sweep < SWEEP_INTERVAL:
            return
        try:
            await self.delete_expired()
        except Exception:
            logger.exception("deleting expired API keys failed")

    # --- helpers ------------------------------------------------------------------------------------------------

    @staticmethod
    def _owned(key_id: str, owner_id: str) -> list[ColumnElement[bool]]:
        return [col(ApiKey.id) == key_id, col(ApiKey.reference_id) == owner_id, _is_default_config()]

    async def _find_owned(self, db: AsyncSession, key_id: str, owner_id: str) -> ApiKey:
        found: ApiKey | None = (await db.exec(select(ApiKey).where(*self._owned(key_id, owner_id)))).first()
        if found is None:
            raise api_key_error(ApiKeyErrorCode.KEY_NOT_FOUND, 404)
        return found

    async def _delete_row(self, key_id: str) -> None:
        async with self._database.session() as db, db.begin():
            await db.exec(delete(ApiKey).where(col(ApiKey.id) == key_id))

    def _check_metadata(self, metadata: Any) -> None:
        if not _js_truthy(metadata):
            return
        if not self.settings.enable_metadata:
            raise api_key_error(ApiKeyErrorCode.METADATA_DISABLED)
        if not isinstance(metadata, dict):
            raise api_key_error(ApiKeyErrorCode.INVALID_METADATA_TYPE)

    def _check_expires_in(self, seconds: float) -> None:
        options = self.settings.key_expiration
        if options.disable_custom_expires_time:
            raise api_key_error(ApiKeyErrorCode.KEY_DISABLED_EXPIRATION)
        if timedelta(seconds=seconds) < options.min_expires_in:
            raise api_key_error(ApiKeyErrorCode.EXPIRES_IN_IS_TOO_SMALL)
        if timedelta(seconds=seconds) > options.max_expires_in:
            raise api_key_error(ApiKeyErrorCode.EXPIRES_IN_IS_TOO_LARGE)

    def _check_prefix(self, prefix: str | None) -> None:
        if prefix and not self.settings.minimum_prefix_length <= len(prefix) <= self.settings.maximum_prefix_length:
            raise api_key_error(ApiKeyErrorCode.INVALID_PREFIX_LENGTH)

    def _check_name(self, name: str | None, *, on_create: bool) -> None:
        # better-auth: on create an empty name is no name; on update every given name is checked.
        if name or (name is not None and not on_create):
            if not self.settings.minimum_name_length <= len(name) <= self.settings.maximum_name_length:
                raise api_key_error(ApiKeyErrorCode.INVALID_NAME_LENGTH)
        elif on_create and self.settings.require_name:
            raise api_key_error(ApiKeyErrorCode.NAME_REQUIRED)
