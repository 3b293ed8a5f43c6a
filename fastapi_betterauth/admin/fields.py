"""The admin plugin's user and session fields, and how an admin's `data` (create-user, update-user) is read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..db.models import Session, User
from ..errors import AuthError, ErrorCode
from ..fields.model import Action, ModelFields
from ..fields.spec import FieldSpec
from ..fields.values import additional_values

ROLE = "role"
BANNED = "banned"
BAN_REASON = "banReason"
BAN_EXPIRES = "banExpires"
IMPERSONATED_BY = "impersonatedBy"
BAN_FIELDS = (BANNED, BAN_REASON, BAN_EXPIRES)

USER_FIELDS: Mapping[str, FieldSpec] = {
    ROLE: FieldSpec(type="string", required=False, input=False, default_value="user"),
    BANNED: FieldSpec(type="boolean", required=False, input=False, default_value=False),
    BAN_REASON: FieldSpec(type="string", required=False, input=False),
    BAN_EXPIRES: FieldSpec(type="date", required=False, input=False),
}
"""better-auth's admin schema: `role`, `banned`, `banReason`, `banExpires` on `user` (no client sets them)."""
SESSION_FIELDS: Mapping[str, FieldSpec] = {
    IMPERSONATED_BY: FieldSpec(type="string", required=False, input=False),
}
"""`impersonatedBy` on `session`: the admin behind an impersonation session."""

# The user's own columns an admin may set, by their JSON names (`id`, `createdAt` and `updatedAt` are the server's).
_OWN = {"name": "name", "email": "email", "emailVerified": "email_verified", "image": "image"}
_OWN_TYPES: Mapping[str, FieldSpec] = {
    "name": FieldSpec(type="string"),
    "email": FieldSpec(type="string"),
    "emailVerified": FieldSpec(type="boolean"),
    "image": FieldSpec(type="string", required=False),
}


def user_field(row: User | Session, name: str) -> Any:
    """An additional value a user (or session) carries (None when absent)."""
    values = additional_values(row)
    return None if values is None else values.get(name)


async def read_admin_data(
    fields: ModelFields[User], data: Mapping[str, Any], action: Action, owner: User | None
) -> dict[str, Any]:
    """What an admin's `data` sets, by attribute or field name: the user's own columns (`name`, `email`,
    `emailVerified`, `image`) and every additional field (server-only ones too), each checked against its type
    (400 `VALIDATION_ERROR`); the plugins' input checks run first (a username is normalised and must be free).
    Other keys are ignored, as better-auth's adapter ignores them."""
    values = dict(data)
    for check in fields.input_checks:
        values = await check(values, action, owner)
    read: dict[str, Any] = {}
    for key, attribute in _OWN.items():
        if key in values:
            spec = _OWN_TYPES[key]
            value = values[key]
            if value is None and spec.required:
                raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"{key}: a value is required")
            try:
                read[attribute] = spec.coerce(value)
            except ValueError as exc:
                raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"{key}: {exc}") from None
    for name in fields.names:
        if name in values:
            read[name] = fields.checked(name, values[name])
    return read
