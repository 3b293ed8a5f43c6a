"""Request bodies and answers of `/sign-in/username` and `/is-username-available`."""

from __future__ import annotations

from pydantic import Field

from ..schemas import CamelModel, RequestBody


class SignInUsernameBody(RequestBody):
    """`POST /sign-in/username`."""

    username: str  # an empty one is a wrong one (401), as in better-auth
    password: str
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)
    remember_me: bool = Field(default=True, alias="rememberMe")


class UsernameBody(RequestBody):
    """`POST /is-username-available`."""

    username: str


class AvailableResponse(CamelModel):
    """Whether nobody has the username yet."""

    available: bool
