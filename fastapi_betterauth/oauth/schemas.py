"""Request bodies of the social sign-in and account endpoints (better-auth's field names and schemas)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, PlainValidator, StrictStr, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from ..errors import AuthError, ErrorCode
from ..schemas import RequestBody
from .providers.base import RESERVED_PARAMS, RESERVED_PARAMS_ORDER


def _provider_id(value: Any) -> str:
    # better-auth's schema is "one of the known ids, or any string": anything else fails the union as a whole.
    if not isinstance(value, str):
        raise PydanticCustomError("invalid_union", "Invalid input")
    return value


ProviderId = Annotated[str, PlainValidator(_provider_id), WithJsonSchema({"type": "string", "maxLength": 64})]
"""A provider id as better-auth's sign-in and link bodies take it: an unknown one is a 404, a missing one invalid."""


class IdTokenBody(RequestBody):
    token: str = Field(min_length=1, max_length=16384)
    nonce: str | None = Field(default=None, max_length=512)
    access_token: str | None = Field(default=None, alias="accessToken", max_length=16384)
    refresh_token: str | None = Field(default=None, alias="refreshToken", max_length=16384)


def no_reserved_params(value: dict[str, str] | None) -> dict[str, str] | None:
    """better-auth's `additionalParams` check: the flow's own parameters cannot be set by the caller."""
    if value is not None and any(key in RESERVED_PARAMS for key in value):
        reserved = ", ".join(RESERVED_PARAMS_ORDER)
        raise ValueError(f"additionalParams cannot include reserved OAuth parameters: {reserved}")
    return value


class SocialSignInBody(RequestBody):
    provider: ProviderId = Field(default=None, validate_default=True)
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)
    new_user_callback_url: str | None = Field(default=None, alias="newUserCallbackURL", max_length=2048)
    error_callback_url: str | None = Field(default=None, alias="errorCallbackURL", max_length=2048)
    disable_redirect: bool = Field(default=False, alias="disableRedirect")
    scopes: list[str] = Field(default_factory=list, max_length=32)
    login_hint: str | None = Field(default=None, alias="loginHint", max_length=320)
    id_token: IdTokenBody | None = Field(default=None, alias="idToken")
    additional_params: dict[str, str] | None = Field(default=None, alias="additionalParams", max_length=32)

    _no_reserved_params = field_validator("additional_params")(no_reserved_params)


class LinkSocialBody(RequestBody):
    provider: ProviderId = Field(default=None, validate_default=True)
    callback_url: str | None = Field(default=None, alias="callbackURL", max_length=2048)
    error_callback_url: str | None = Field(default=None, alias="errorCallbackURL", max_length=2048)
    disable_redirect: bool = Field(default=False, alias="disableRedirect")
    scopes: list[str] = Field(default_factory=list, max_length=32)
    login_hint: str | None = Field(default=None, alias="loginHint", max_length=320)
    id_token: IdTokenBody | None = Field(default=None, alias="idToken")
    additional_params: dict[str, str] | None = Field(default=None, alias="additionalParams", max_length=32)

    _no_reserved_params = field_validator("additional_params")(no_reserved_params)


class UnlinkAccountBody(RequestBody):
    """`POST /unlink-account`: the account's row id (`id` in `/list-accounts`)."""

    account_id: StrictStr = Field(alias="accountId")


@dataclass(frozen=True, slots=True)
class AccountSelection:
    """Which account a token endpoint acts on: a row id, or (`account_id` None) the account in the
    `account_data` cookie (`useAccountCookie: true`). `user_id` counts only without a session (server calls)."""

    account_id: str | None
    user_id: str | None = None


def account_selection(data: Mapping[str, Any], where: str = "body") -> AccountSelection:
    """better-auth's strict union: exactly `{accountId, userId?}` or `{useAccountCookie: true, userId?}`.
    Anything else (a `providerId`, say) is 400 `VALIDATION_ERROR` `[body] Invalid input`."""
    user_id = data.get("userId")
    if "userId" in data and not isinstance(user_id, str):
        raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"[{where}] Invalid input")
    keys = set(data) - {"userId"}
    if keys == {"accountId"} and isinstance(data["accountId"], str):
        return AccountSelection(data["accountId"], user_id)
    if keys == {"useAccountCookie"} and data["useAccountCookie"] in (True, "true"):
        return AccountSelection(None, user_id)
    raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"[{where}] Invalid input")


ACCOUNT_SELECTION_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {
            "type": "object",
            "properties": {"accountId": {"type": "string"}, "userId": {"type": "string"}},
            "required": ["accountId"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"useAccountCookie": {"const": True}, "userId": {"type": "string"}},
            "required": ["useAccountCookie"],
            "additionalProperties": False,
        },
    ]
}
"""The OpenAPI schema of `AccountSelection` bodies."""
