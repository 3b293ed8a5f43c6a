"""JSON shapes shared by every feature: better-auth's user and session objects, its error bodies and the small
answers many routes share. The response models document the JSON the routes send (OpenAPI); the routes build that
JSON themselves, byte for byte as better-auth does."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from .addresses import MAX_EMAIL_LENGTH, is_valid_email
from .clock import js_iso
from .db.loading import transient
from .db.models import Session, User
from .fields.model import ModelFields
from .fields.values import additional_values, carry

JsDate = Annotated[
    datetime,
    PlainSerializer(js_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]
"""A date, answered as an ISO 8601 string in UTC with milliseconds (`2026-01-31T12:00:00.000Z`)."""


def _nothing() -> None:
    return None


def omitted() -> Any:
    """A response-model field that is left out of the JSON when it has no value (it is never `null`): optional in
    the schema, and without a default there (a factory's is not written)."""
    return Field(default_factory=_nothing)


def _email_address(value: str) -> str:
    if not is_valid_email(value):
        raise PydanticCustomError("invalid_email", "Invalid email address")
    return value.lower()


EmailAddress = Annotated[
    str,
    AfterValidator(_email_address),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": MAX_EMAIL_LENGTH}),
]
"""A body field holding an email address: validated whole like better-auth's (zod; `addresses`, L9) and lower-cased."""


class RequestBody(BaseModel):
    """Base of every request body: better-auth's camelCase names, unknown fields ignored, and values taken as sent
    (strict, as zod is: `"yes"` is no boolean and `"5"` no number)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", strict=True)


class CamelModel(BaseModel):
    """Snake-case attributes, camelCase JSON (better-auth's field names). As documented in OpenAPI, the JSON has
    these fields and no others (reading one ignores others)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
        json_schema_extra={"additionalProperties": False},
    )

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class UserOut(CamelModel):
    """better-auth's user object, with the app's additional user fields (docs/extra-fields.md)."""

    model_config = ConfigDict(json_schema_extra={"additionalProperties": True})

    name: str
    email: str
    email_verified: bool
    image: str | None
    created_at: JsDate
    updated_at: JsDate
    id: str


class SessionOut(CamelModel):
    """better-auth's session object, with the app's additional session fields."""

    model_config = ConfigDict(json_schema_extra={"additionalProperties": True})

    expires_at: JsDate
    token: str
    created_at: JsDate
    updated_at: JsDate
    ip_address: str | None
    user_agent: str | None
    user_id: str
    id: str


class SessionResponse(CamelModel):
    """`GET /get-session` when signed in. (`needsRefresh` only with `session.defer_session_refresh`; a session
    enricher answers its own body instead.)"""

    session: SessionOut
    user: UserOut
    needs_refresh: bool = omitted()


class ErrorResponse(BaseModel):
    """better-auth's error body: a stable `code` and a human `message` (a few errors add fields, such as the
    `details` of a rate-limited API key)."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class MessageResponse(CamelModel):
    """The errors better-auth answers with a message and no code (README: Endpoints): "No fields to update", and
    "Invalid callbackURL: expected a string" for a redirect target that is not a string."""

    message: str


class StatusResponse(CamelModel):
    """`{"status": true}`: done."""

    status: bool


class SuccessResponse(CamelModel):
    """`{"success": true}`: done."""

    success: bool


class TokenUserResponse(CamelModel):
    """A user and the token of the session just made for them (`null` when no session was made)."""

    token: str | None
    user: UserOut


def user_json(user: User, *, returned_only: bool = True) -> dict[str, Any]:
    """better-auth's JSON of a user: its columns and the additional fields it carries (those a client may see,
    unless `returned_only=False`, for copies only the server reads)."""
    data = UserOut.model_validate(user).to_json()
    extra = additional_values(user)
    if extra:
        data.update(extra.fields.to_json(extra, returned_only=returned_only))
    return data


def session_out_json(session: Session, *, returned_only: bool = True) -> dict[str, Any]:
    """better-auth's JSON of a session, with its additional fields as `user_json` does."""
    data = SessionOut.model_validate(session).to_json()
    extra = additional_values(session)
    if extra:
        data.update(extra.fields.to_json(extra, returned_only=returned_only))
    return data


def session_from_json(data: dict[str, Any], fields: ModelFields[Session] | None = None) -> Session:
    """A `Session` from better-auth's session JSON (storage values, cookie-cache payloads), carrying the values of
    `fields` found there."""
    session = transient(Session, SessionOut.model_validate(data).model_dump())
    if fields:
        carry(session, fields.from_json(data))
    return session


def user_from_json(data: dict[str, Any], fields: ModelFields[User] | None = None) -> User:
    """A `User` from better-auth's user JSON, carrying the values of `fields` found there."""
    user = transient(User, UserOut.model_validate(data).model_dump())
    if fields:
        carry(user, fields.from_json(data))
    return user
