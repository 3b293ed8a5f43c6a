"""Request bodies and answers of `/sign-up/email` and `/sign-in/email` (better-auth's field names)."""

from __future__ import annotations

from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from ..schemas import CamelModel, EmailAddress, RequestBody, UserOut, omitted

# No blanket string cap in these bodies: an over-long password must answer PASSWORD_TOO_LONG, and the body size limit
# (advanced.max_body_bytes) already bounds every field.


class SignUpBody(RequestBody):
    """`POST /sign-up/email`; its other keys are the app's additional user fields (docs/extra-fields.md)."""

    model_config = ConfigDict(extra="allow")

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
