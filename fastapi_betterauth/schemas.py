"""JSON shapes shared by every feature: better-auth's user and session objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

from .db.loading import transient
from .db.models import Session, User


def js_iso(moment: datetime) -> str:
    """A date as JavaScript's `toISOString()` writes it: UTC, milliseconds, `Z`."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


JsDate = Annotated[datetime, PlainSerializer(js_iso, return_type=str, when_used="json")]


class RequestBody(BaseModel):
    """Base of every request body: better-auth's camelCase names, unknown fields ignored, and values taken as sent
    (strict, as zod is: `"yes"` is no boolean and `"5"` no number)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", strict=True)


class CamelModel(BaseModel):
    """Snake-case attributes, camelCase JSON (better-auth's field names)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class UserOut(CamelModel):
    name: str
    email: str
    email_verified: bool
    image: str | None
    created_at: JsDate
    updated_at: JsDate
    id: str


class SessionOut(CamelModel):
    expires_at: JsDate
    token: str
    created_at: JsDate
    updated_at: JsDate
    ip_address: str | None
    user_agent: str | None
    user_id: str
    id: str


class SessionResponse(BaseModel):
    """`GET /get-session` when signed in."""

    session: SessionOut
    user: UserOut


def session_from_json(data: dict[str, Any]) -> Session:
    """A `Session` from better-auth's session JSON (storage values, cookie-cache payloads)."""
    return transient(Session, SessionOut.model_validate(data).model_dump())


def user_from_json(data: dict[str, Any]) -> User:
    """A `User` from better-auth's user JSON."""
    return transient(User, UserOut.model_validate(data).model_dump())
