"""The `apikey` table (better-auth's api-key plugin schema)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer
from sqlmodel import Field, SQLModel

from ..crypto.tokens import generate_id
from ..db.columns import ID, INDEXED_TEXT, TEXT, date_field, optional_text_field, text_field, utc_now


class ApiKey(SQLModel, table=True):
    """An API key (better-auth's api-key plugin). `key` holds SHA-256 of the key (base64url), never the key itself;
    `reference_id` is the owning user's id. Durations are in milliseconds, as better-auth stores them."""

    __tablename__ = "apikey"
    __table_args__ = (
        Index("apikey_configId_idx", "configId"),
        Index("apikey_key_idx", "key"),
        Index("apikey_referenceId_idx", "referenceId"),
    )

    id: str = Field(default_factory=generate_id, primary_key=True, sa_type=ID)
    config_id: str = Field(default="default", sa_type=INDEXED_TEXT, sa_column_kwargs={"name": "configId"})
    name: str | None = optional_text_field()
    start: str | None = optional_text_field()
    reference_id: str = text_field("referenceId", indexed=True)
    prefix: str | None = optional_text_field()
    key: str = text_field(indexed=True)
    refill_interval: int | None = Field(default=None, sa_type=Integer, sa_column_kwargs={"name": "refillInterval"})
    refill_amount: int | None = Field(default=None, sa_type=Integer, sa_column_kwargs={"name": "refillAmount"})
    last_refill_at: datetime | None = date_field("lastRefillAt", default=None)
    enabled: bool | None = Field(default=True)
    rate_limit_enabled: bool | None = Field(default=True, sa_column_kwargs={"name": "rateLimitEnabled"})
    rate_limit_time_window: int | None = Field(
        default=86_400_000, sa_type=Integer, sa_column_kwargs={"name": "rateLimitTimeWindow"}
    )
    rate_limit_max: int | None = Field(default=10, sa_type=Integer, sa_column_kwargs={"name": "rateLimitMax"})
    request_count: int | None = Field(default=0, sa_type=Integer, sa_column_kwargs={"name": "requestCount"})
    remaining: int | None = Field(default=None, sa_type=Integer)
    last_request: datetime | None = date_field("lastRequest", default=None)
    expires_at: datetime | None = date_field("expiresAt", default=None)
    created_at: datetime = date_field("createdAt", default_factory=utc_now)
    updated_at: datetime = date_field("updatedAt", default_factory=utc_now)
    permissions: str | None = optional_text_field()
    """JSON `{resource: [actions]}`."""
    metadata_: str | None = Field(default=None, sa_type=TEXT, nullable=True, sa_column_kwargs={"name": "metadata"})
    """JSON; `metadata` itself is taken by SQLAlchemy."""
