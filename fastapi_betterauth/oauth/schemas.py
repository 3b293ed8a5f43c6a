"""Request body of `/sign-in/social` (better-auth's field names)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IdTokenBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    token: str = Field(min_length=1, max_length=16384)
    nonce: str | None = Field(default=None, max_length=512)
    access_token: str | None = Field(default=None, alias="accessToken", max_length=16384)


class SocialSignInBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    provider: str = Field(min_length=1, max_length=64)
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)
    new_user_callback_url: str | None = Field(default=None, alias="newUserCallbackURL", max_length=2048)
    error_callback_url: str | None = Field(default=None, alias="errorCallbackURL", max_length=2048)
    disable_redirect: bool = Field(default=False, alias="disableRedirect")
    scopes: list[str] = Field(default_factory=list, max_length=32)
    login_hint: str | None = Field(default=None, alias="loginHint", max_length=320)
    id_token: IdTokenBody | None = Field(default=None, alias="idToken")


class LinkSocialBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    provider: str = Field(min_length=1, max_length=64)
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)
    error_callback_url: str | None = Field(default=None, alias="errorCallbackURL", max_length=2048)
    disable_redirect: bool = Field(default=False, alias="disableRedirect")
    scopes: list[str] = Field(default_factory=list, max_length=32)


class AccountRefBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    provider_id: str = Field(alias="providerId", min_length=1, max_length=64)
    account_id: str | None = Field(default=None, alias="accountId", max_length=256)
