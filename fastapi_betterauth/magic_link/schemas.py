"""Request bodies and answers of `/sign-in/magic-link` and `/magic-link/verify`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from ..addresses import MAX_EMAIL_LENGTH, is_valid_email
from ..schemas import CamelModel, RequestBody, SessionOut, UserOut


def _as_typed(value: str) -> str:
    if not is_valid_email(value.lower()):
        raise PydanticCustomError("invalid_email", "Invalid email address")
    return value


TypedEmail = Annotated[
    str,
    AfterValidator(_as_typed),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": MAX_EMAIL_LENGTH}),
]
"""An address validated like every other but kept as typed: better-auth mails the link to, and stores, the address
as typed (the user is found and created in lower case)."""


class SignInMagicLinkBody(RequestBody):
    """`POST /sign-in/magic-link`. The redirect targets are checked against the trusted origins before this is read."""

    email: TypedEmail
    name: str | None = Field(default=None, max_length=256)
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)
    new_user_callback_url: str | None = Field(default=None, alias="newUserCallbackURL", max_length=2048)
    error_callback_url: str | None = Field(default=None, alias="errorCallbackURL", max_length=2048)
    metadata: dict[str, Any] | None = None
    """Passed on by better-auth to its `sendMagicLink`; not used here."""


class StatusResponse(CamelModel):
    """The link was mailed (the same answer for every address)."""

    status: bool


class VerifiedResponse(CamelModel):
    """`GET /magic-link/verify` without `callbackURL`: the new session."""

    token: str
    user: UserOut
    session: SessionOut
