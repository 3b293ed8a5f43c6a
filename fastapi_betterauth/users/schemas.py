"""Request bodies and answers of the user routes."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from ..schemas import CamelModel, EmailAddress, RequestBody


class UpdateUserBody(RequestBody):
    """`POST /update-user`. `email` is accepted only to be refused with better-auth's code; the other keys are the
    app's additional user fields (docs/extra-fields.md)."""

    model_config = ConfigDict(extra="allow")

    name: str | None = Field(default=None, max_length=256)
    image: str | None = Field(default=None, max_length=2048)
    email: str | None = None


class ChangeEmailBody(RequestBody):
    new_email: EmailAddress = Field(alias="newEmail")
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)


class DeleteUserBody(RequestBody):
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)
    password: str | None = Field(default=None, min_length=1)
    token: str | None = None  # any length: an unknown token of any size is INVALID_TOKEN


class DeleteUserResponse(CamelModel):
    """`/delete-user` and `/delete-user/callback`: `{success: true, message: "User deleted"}`, or "Verification
    email sent" when the deletion waits for an emailed link."""

    success: bool
    message: str
