"""Request bodies and answers of `/sign-up/email` and `/sign-in/email` (better-auth's field names)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from ..schemas import CamelModel, RequestBody, UserOut, omitted

# zod's email rule, which better-auth validates sign-up addresses with.
_EMAIL = re.compile(r"^(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$")
MAX_EMAIL_LENGTH = 254


def is_valid_email(value: str) -> bool:
    return len(value) <= MAX_EMAIL_LENGTH and bool(_EMAIL.match(value))


def _email_address(value: str) -> str:
    if not is_valid_email(value):
        raise PydanticCustomError("invalid_email", "Invalid email address")
    return value.lower()


EmailAddress = Annotated[
    str,
    AfterValidator(_email_address),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": MAX_EMAIL_LENGTH}),
]
"""A body field holding an email address: validated like better-auth's (zod) and lower-cased."""


# No blanket string cap in these bodies: an over-long password must answer PASSWORD_TOO_LONG, and the body size limit
# (advanced.max_body_bytes) already bounds every field.


class SignUpBody(RequestBody):
    name: str = Field(max_length=256)
    email: EmailAddress
    password: str = Field(min_length=1)
    image: str | None = Field(default=None, max_length=2048)
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)
    remember_me: bool = Field(default=True, alias="rememberMe")

    @field_validator("name", "image")
    @classmethod
    def _storable(cls, value: str | None) -> str | None:
        # PostgreSQL `text` cannot hold U+0000; refuse it on every database alike.
        if value is not None and "\x00" in value:
            raise PydanticCustomError("nul_character", "Invalid input: must not contain NUL characters")
        return value


class SignInBody(RequestBody):
    email: str
    password: str  # an empty one is a wrong one (401), as in better-auth
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)
    remember_me: bool = Field(default=True, alias="rememberMe")


class SignInResponse(CamelModel):
    """`/sign-in/email`: the session token and the user; with a `callbackURL`, `redirect: true` and `url` (also
    sent as `Location`)."""

    redirect: bool
    token: str
    url: str = omitted()
    user: UserOut
