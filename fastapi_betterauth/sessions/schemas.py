"""Request bodies of the session routes."""

from __future__ import annotations

from pydantic import Field

from ..schemas import CamelModel, RequestBody, SessionOut


class RevokeSessionBody(RequestBody):
    token: str = Field(min_length=1, max_length=512)
    """A session token from `/list-sessions` (an opaque handle when tokens are stored hashed)."""


class SignOutBody(RequestBody):
    """`POST /sign-out`: better-auth's optional fields for a provider's logout, validated and otherwise unused here."""

    callback_url: str | None = Field(default=None, alias="callbackURL")
    disable_redirect: bool | None = Field(default=None, alias="disableRedirect")
    state: str | None = None


class UpdateSessionResponse(CamelModel):
    """`POST /update-session`: the session as it now is (with its additional fields)."""

    session: SessionOut
