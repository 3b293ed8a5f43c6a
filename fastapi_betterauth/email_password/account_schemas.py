"""Request bodies and answers of the verification, reset and password routes (better-auth's field names)."""

from __future__ import annotations

from pydantic import Field

from ..schemas import CamelModel, EmailAddress, RequestBody, UserOut, omitted


class EmailBody(RequestBody):
    email: EmailAddress


class SendVerificationBody(EmailBody):
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)


class RequestResetBody(EmailBody):
    redirect_to: str | None = Field(default=None, alias="redirectTo", max_length=2048)


class ResetPasswordBody(RequestBody):
    new_password: str = Field(alias="newPassword", min_length=1)
    token: str | None = None  # any length: an unknown token of any size is INVALID_TOKEN


class ChangePasswordBody(RequestBody):
    new_password: str = Field(alias="newPassword", min_length=1)
    current_password: str = Field(alias="currentPassword", min_length=1)
    revoke_other_sessions: bool = Field(default=False, alias="revokeOtherSessions")


class PasswordBody(RequestBody):
    password: str = Field(min_length=1)


class VerifyEmailResponse(CamelModel):
    """`GET /verify-email` without a `callbackURL`: `{status: true, user: null}` for a verified address, the
    changed user after an email change, and `{status: true}` alone when the old address confirmed a change."""

    status: bool
    user: UserOut | None = omitted()


class ResetRequestedResponse(CamelModel):
    """`/request-password-reset`: the same answer for every address."""

    status: bool
    message: str
