"""Request bodies and answers of the `/passkey/*` routes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..schemas import CamelModel, RequestBody, SessionOut, UserOut

_Trimmed = Annotated[str, StringConstraints(strip_whitespace=True, max_length=256)]


class VerifyRegistrationBody(RequestBody):
    """`POST /passkey/verify-registration`: the browser's `RegistrationResponseJSON` (SimpleWebAuthn's
    `startRegistration` result), an optional name, and whether to open a new session."""

    response: dict[str, Any]
    name: _Trimmed | None = None
    create_session: bool | None = Field(default=None, alias="createSession")


class VerifyAuthenticationBody(RequestBody):
    """`POST /passkey/verify-authentication`: the browser's `AuthenticationResponseJSON`."""

    response: dict[str, Any]


class PasskeyIdBody(RequestBody):
    """`POST /passkey/delete-passkey`."""

    id: str = Field(max_length=256)


class UpdatePasskeyBody(RequestBody):
    """`POST /passkey/update-passkey`: a new name, trimmed, not empty."""

    id: str = Field(max_length=256)
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


class PasskeyOut(BaseModel):
    """A passkey as better-auth answers it (its columns, by their names)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str | None = None
    public_key: str = Field(alias="publicKey")
    user_id: str = Field(alias="userId")
    credential_id: str = Field(alias="credentialID")
    counter: int
    device_type: str = Field(alias="deviceType")
    backed_up: bool = Field(alias="backedUp")
    transports: str | None = None
    created_at: str | None = Field(default=None, alias="createdAt")
    aaguid: str | None = None


class UpdatedPasskeyResponse(BaseModel):
    passkey: PasskeyOut


class PasskeySignedInResponse(CamelModel):
    """`POST /passkey/verify-authentication`: the new session and its user (the session cookie is set)."""

    session: SessionOut
    user: UserOut
