"""Request bodies and answers of the social sign-in and account endpoints (better-auth's field names and schemas)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, PlainValidator, StrictStr, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from ..errors import AuthError, ErrorCode
from ..schemas import CamelModel, JsDate, RequestBody, UserOut, omitted
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


CALLBACK_QUERY: list[dict[str, Any]] = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}, "description": description}
    for name, description in (
        ("code", "The authorization code"),
        ("state", "The state minted when the flow started"),
        ("iss", "The issuer (RFC 9207)"),
        ("error", "The provider's error code"),
        ("error_description", "The provider's description of the error"),
        ("device_id", "A device id some providers send"),
        ("user", "Apple's JSON of the user's name, on the first sign-in"),
    )
]
"""The OpenAPI parameters of `GET /callback/{provider_id}`, read from the query as the provider sends them."""
ERROR_PAGE_QUERY: list[dict[str, Any]] = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}, "description": description}
    for name, description in (("error", "An error code"), ("error_description", "What went wrong"))
]
"""The OpenAPI parameters of `GET /error`."""
ACCOUNT_SELECTION_QUERY: list[dict[str, Any]] = [
    {"name": "accountId", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "useAccountCookie", "in": "query", "required": False, "schema": {"type": "string", "enum": ["true"]}},
    {"name": "userId", "in": "query", "required": False, "schema": {"type": "string"}},
]
"""The OpenAPI parameters of `GET /account-info`: `accountId`, or `useAccountCookie=true` (and `userId`)."""


class SocialRedirectResponse(CamelModel):
    """`/sign-in/social` and `/link-social` starting a flow: the provider's authorization URL, also sent as
    `Location` unless `disableRedirect`."""

    url: str
    redirect: bool


class SocialSignedInResponse(CamelModel):
    """`/sign-in/social` with an `idToken`: signed in at once."""

    redirect: bool
    token: str
    user: UserOut


class SocialLinkedResponse(CamelModel):
    """`/link-social` with an `idToken`: linked at once (`url` is empty)."""

    url: str
    status: bool
    redirect: bool


class AccountResponse(CamelModel):
    """One of the user's accounts in `/list-accounts` (no tokens, no password)."""

    id: str
    provider_id: str
    account_id: str
    user_id: str
    created_at: JsDate
    updated_at: JsDate
    scopes: list[str]


class AccessTokenResponse(CamelModel):
    """`/get-access-token`: a valid provider access token; fields without a value are left out."""

    access_token: str
    access_token_expires_at: JsDate = omitted()
    scopes: list[str]
    id_token: str = omitted()


class RefreshTokenResponse(CamelModel):
    """`/refresh-token`: the provider's new tokens, the stored (accumulated) scope as a comma list, and the
    account's row id as `accountId`."""

    access_token: str
    refresh_token: str | None
    access_token_expires_at: JsDate | None
    refresh_token_expires_at: JsDate | None
    scope: str | None
    id_token: str | None
    provider_id: str
    account_id: str


class ProviderUser(CamelModel):
    """What the provider says of the person, normalised (`id` is the provider's subject)."""

    id: str
    name: str | None
    email: str | None
    image: str | None
    email_verified: bool


class AccountReference(CamelModel):
    """The account `/account-info` was asked about."""

    id: str
    provider_id: str
    account_id: str


class AccountInfoResponse(CamelModel):
    """`/account-info`: the provider's view of the person now, and its raw profile as `data`."""

    user: ProviderUser
    data: dict[str, Any]
    account: AccountReference
