"""Request bodies and the JSON of an API key (better-auth's field names and units: `expiresIn` in seconds,
intervals and windows in milliseconds)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic.alias_generators import to_snake
from pydantic_core import PydanticCustomError

from ..schemas import CamelModel, JsDate, RequestBody, omitted
from .models import ApiKey

INT32_MAX = 2_147_483_647
"""The `apikey` counters and durations are 32-bit integer columns: larger values are refused up front."""
MAX_EXPIRES_IN_SECONDS = 100 * 365 * 86_400
PREFIX_PATTERN = r"^[a-zA-Z0-9_-]+$"
_PREFIX = re.compile(PREFIX_PATTERN)


def _prefix(value: str) -> str:
    if not _PREFIX.match(value):
        message = "Invalid prefix format, must be alphanumeric and contain only underscores and hyphens."
        raise PydanticCustomError("invalid_prefix", message)  # better-auth's words
    return value


KeyPrefix = Annotated[str, AfterValidator(_prefix), WithJsonSchema({"type": "string", "pattern": PREFIX_PATTERN})]

SortField = Literal[
    "id",
    "configId",
    "name",
    "start",
    "prefix",
    "enabled",
    "remaining",
    "refillAmount",
    "refillInterval",
    "lastRefillAt",
    "rateLimitEnabled",
    "rateLimitTimeWindow",
    "rateLimitMax",
    "requestCount",
    "lastRequest",
    "expiresAt",
    "createdAt",
    "updatedAt",
]
"""Fields `/api-key/list` may sort by (better-auth's names)."""
SORT_ATTRIBUTES: dict[str, str] = {name: to_snake(name) for name in get_args(SortField)}


SERVER_ONLY_FIELDS = frozenset(
    {
        "remaining",
        "refill_amount",
        "refill_interval",
        "rate_limit_time_window",
        "rate_limit_max",
        "rate_limit_enabled",
        "permissions",
    }
)
"""Properties only `auth.api` may set; over HTTP they answer 400 `SERVER_ONLY_PROPERTY`."""


class CreateApiKeyBody(RequestBody):
    """`POST /api-key/create`. Over HTTP only `name`, `expiresIn`, `prefix` and `metadata` may be set; the rest
    are server-only (`auth.api.create_api_key`)."""

    config_id: str | None = Field(default=None, alias="configId", max_length=128)
    name: str | None = None
    expires_in: float | None = Field(default=None, alias="expiresIn", ge=1, le=MAX_EXPIRES_IN_SECONDS)
    """Seconds from now."""
    prefix: KeyPrefix | None = None
    metadata: Any = None
    remaining: int | None = Field(default=None, ge=0, le=INT32_MAX)
    refill_amount: int | None = Field(default=None, alias="refillAmount", ge=1, le=INT32_MAX)
    refill_interval: int | None = Field(default=None, alias="refillInterval", ge=1, le=INT32_MAX)
    """Milliseconds."""
    rate_limit_time_window: int | None = Field(default=None, alias="rateLimitTimeWindow", ge=1, le=INT32_MAX)
    """Milliseconds."""
    rate_limit_max: int | None = Field(default=None, alias="rateLimitMax", ge=0, le=INT32_MAX)
    rate_limit_enabled: bool | None = Field(default=None, alias="rateLimitEnabled")
    permissions: dict[str, list[str]] | None = None
    user_id: str | None = Field(default=None, alias="userId", max_length=256)

    def server_only_fields(self) -> bool:
        """Whether a server-only property was sent (better-auth: `remaining: null` is allowed on create)."""
        return self.remaining is not None or bool(self.model_fields_set & (SERVER_ONLY_FIELDS - {"remaining"}))


class UpdateApiKeyBody(RequestBody):
    """`POST /api-key/update`. Over HTTP only `name`, `enabled`, `expiresIn` and `metadata` may change."""

    key_id: str = Field(alias="keyId", min_length=1, max_length=256)
    config_id: str | None = Field(default=None, alias="configId", max_length=128)
    user_id: str | None = Field(default=None, alias="userId", max_length=256)
    name: str | None = None
    enabled: bool | None = None
    expires_in: float | None = Field(default=None, alias="expiresIn", ge=1, le=MAX_EXPIRES_IN_SECONDS)
    """Seconds from now; `null` removes the expiry."""
    metadata: Any = None
    remaining: int | None = Field(default=None, ge=1, le=INT32_MAX)
    refill_amount: int | None = Field(default=None, alias="refillAmount", ge=1, le=INT32_MAX)
    refill_interval: int | None = Field(default=None, alias="refillInterval", ge=1, le=INT32_MAX)
    rate_limit_time_window: int | None = Field(default=None, alias="rateLimitTimeWindow", ge=1, le=INT32_MAX)
    rate_limit_max: int | None = Field(default=None, alias="rateLimitMax", ge=0, le=INT32_MAX)
    rate_limit_enabled: bool | None = Field(default=None, alias="rateLimitEnabled")
    permissions: dict[str, list[str]] | None = None
    """`null` removes every permission."""

    def server_only_fields(self) -> bool:
        return bool(self.model_fields_set & SERVER_ONLY_FIELDS)


class DeleteApiKeyBody(RequestBody):
    key_id: str = Field(alias="keyId", min_length=1, max_length=256)
    config_id: str | None = Field(default=None, alias="configId", max_length=128)


class ApiKeyOut(CamelModel):
    """An API key as better-auth answers it, without the hash (`permissions` and `metadata` are added parsed:
    `ApiKeyResponse`)."""

    config_id: str
    name: str | None
    start: str | None
    reference_id: str
    prefix: str | None
    refill_interval: int | None
    refill_amount: int | None
    last_refill_at: JsDate | None
    enabled: bool | None
    rate_limit_enabled: bool | None
    rate_limit_time_window: int | None
    rate_limit_max: int | None
    request_count: int | None
    remaining: int | None
    last_request: JsDate | None
    expires_at: JsDate | None
    created_at: JsDate
    updated_at: JsDate
    id: str


class ApiKeyResponse(ApiKeyOut):
    """An API key as the routes answer it: its fields, with `permissions` and `metadata` parsed."""

    permissions: dict[str, list[str]] | None
    metadata: Any


class CreatedApiKeyResponse(ApiKeyResponse):
    """`/api-key/create`: the key, with the key itself (shown in this answer only)."""

    key: str


class ApiKeyListResponse(CamelModel):
    """`/api-key/list`: one page of the user's keys, `total` of them; `limit` and `offset` as asked."""

    api_keys: list[ApiKeyResponse]
    total: int
    limit: int = omitted()
    offset: int = omitted()


def parse_json_column(value: str | None) -> Any:
    """A JSON column's value; `None` when empty or not JSON. Metadata that older better-auth versions stored
    stringified twice is unwrapped."""
    if not value:
        return None
    try:
        parsed = json.loads(value)
        if isinstance(parsed, str):
            parsed = json.loads(parsed)
    except ValueError:
        return None
    return parsed


def api_key_json(row: ApiKey, *, key: str | None = None) -> dict[str, Any]:
    """better-auth's API key object; with `key`, the plaintext key too (only ever in the create answer)."""
    out = ApiKeyOut.model_validate(row).to_json()
    body: dict[str, Any] = {}
    for name, value in out.items():
        if name == "id":
            body["permissions"] = parse_json_column(row.permissions)
            body["metadata"] = parse_json_column(row.metadata_)
        body[name] = value
        if name == "prefix" and key is not None:
            body["key"] = key
    return body
