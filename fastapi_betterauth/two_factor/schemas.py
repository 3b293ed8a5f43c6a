"""Request bodies of the `/two-factor/*` routes (better-auth's, field for field)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..schemas import RequestBody


class PasswordBody(RequestBody):
    """`disable`, `get-totp-uri`, `generate-backup-codes`: the user's password."""

    password: str


class EnableBody(PasswordBody):
    """`POST /two-factor/enable`."""

    method: Literal["otp", "totp"] = "totp"
    issuer: str | None = None


class VerifyCodeBody(RequestBody):
    """`verify-totp`, `verify-otp`."""

    code: str
    trust_device: bool | None = Field(default=None, alias="trustDevice")


class VerifyBackupCodeBody(VerifyCodeBody):
    """`POST /two-factor/verify-backup-code`."""

    disable_session: bool | None = Field(default=None, alias="disableSession")


class SendOtpBody(RequestBody):
    """`POST /two-factor/send-otp` (the body is optional)."""

    trust_device: bool | None = Field(default=None, alias="trustDevice")
