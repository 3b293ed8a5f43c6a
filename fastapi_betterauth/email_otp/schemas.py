"""Request bodies and answers of the email-otp routes. Addresses are plain strings here: each route checks them as
better-auth does (400 `INVALID_EMAIL`, or none at all on `sign-in/email-otp`)."""

from __future__ import annotations

from pydantic import Field

from ..schemas import CamelModel, RequestBody, UserOut

TYPES = ("email-verification", "sign-in", "forget-password", "change-email")
"""The types better-auth's schema accepts, in its order (`change-email` is then refused by hand)."""
TYPES_MESSAGE = "[body.type] Invalid option: expected one of " + "|".join(f'"{name}"' for name in TYPES)


class SendOTPBody(RequestBody):
    """`POST /email-otp/send-verification-otp`."""

    email: str = Field(max_length=320)
    type: str | None = None


class EmailBody(RequestBody):
    """`POST /forget-password/email-otp` and `/email-otp/request-password-reset`."""

    email: str = Field(max_length=320)


class EmailOTPBody(RequestBody):
    """`POST /email-otp/verify-email`."""

    email: str = Field(max_length=320)
    otp: str = Field(max_length=64)


class CheckOTPBody(EmailOTPBody):
    """`POST /email-otp/check-verification-otp`."""

    type: str | None = None


class SignInOTPBody(EmailOTPBody):
    """`POST /sign-in/email-otp`: `name` and `image` are used for a new user only."""

    name: str | None = Field(default=None, max_length=256)
    image: str | None = Field(default=None, max_length=2048)


class ResetPasswordBody(EmailOTPBody):
    """`POST /email-otp/reset-password`."""

    password: str


class SuccessResponse(CamelModel):
    success: bool


class VerifiedEmailResponse(CamelModel):
    """The user with a verified address, and the session's token when `auto_sign_in_after_verification` made one."""

    status: bool
    token: str | None
    user: UserOut


class SignedInResponse(CamelModel):
    token: str
    user: UserOut
