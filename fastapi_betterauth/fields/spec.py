"""`FieldSpec`: one additional field of the user or session model, declared as better-auth's `additionalFields`."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FieldType = Literal["string", "number", "boolean", "date", "json", "string[]", "number[]"]


class FieldSpec(BaseModel):
    """How one additional field is stored, accepted and answered. The names are better-auth's, so a declaration
    copied from a better-auth config works (`defaultValue` or `default_value`, `fieldName` or `field_name`):

    ```python
    BETTER_AUTH_USER__ADDITIONAL_FIELDS='{"plan": {"type": "string", "defaultValue": "free", "input": false}}'
    ```
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: FieldType
    """`string`, `number`, `boolean`, `date`, `json`, `string[]` or `number[]`."""
    required: bool = True
    """As in better-auth, fields are required unless declared `required: false`: the column is `NOT NULL`, and a
    create without a value (or a default) answers 400 `MISSING_FIELD`."""
    default_value: Any = Field(default=None, alias="defaultValue")
    """Written on create when the body has no value (a callable given in code is called each time). Kept in the
    row, not as a column default (except when `migrate` adds the column to a table that has rows)."""
    input: bool = True
    """False: only the server sets it (hooks, plugins, `auth.api`); a client sending a value gets 400
    `FIELD_NOT_ALLOWED` (on create, a field with a default takes its default instead, as in better-auth)."""
    returned: bool = True
    """False: kept out of every JSON answer, the cookie cache and secondary-storage copies."""
    unique: bool = False
    """A unique index on the column."""
    field_name: str | None = Field(default=None, alias="fieldName")
    """The column's name, when it differs from the field's."""
    bigint: bool = False
    """A `number` kept as `bigint` rather than `integer`."""
    index: bool = False
    """`migrate` adds an index on the column (`<table>_<column>_idx`)."""
    sortable: bool = False
    """Accepted for better-auth configs; it changes MySQL column types there, nothing here."""

    @model_validator(mode="after")
    def _default_fits(self) -> FieldSpec:
        if self.default_value is not None and not callable(self.default_value):
            try:
                self.coerce(self.default_value)
            except ValueError as exc:
                raise ValueError(f"defaultValue does not fit type {self.type!r}: {exc}") from None
        return self

    def column_name(self, name: str) -> str:
        return self.field_name or name

    def default(self) -> Any:
        """The value a create without one gets (a fresh copy for lists and objects)."""
        value = self.default_value() if callable(self.default_value) else self.default_value
        return None if value is None else self.coerce(value)

    def coerce(self, value: Any) -> Any:
        """`value` (from JSON, or given in code) as this field stores it; `ValueError` saying why it does not fit.
        None is always accepted here (whether the field may be empty is `required`'s business)."""
        if value is None:
            return None
        return _COERCERS[self.type](value)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    if "\x00" in value:  # PostgreSQL text cannot hold it; refused on every database alike
        raise ValueError("must not contain NUL characters")
    return value


def _number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("expected a whole number")
        value = int(value)
    number = int(value)
    if not -(2**63) <= number < 2**63:
        raise ValueError("number out of range")
    return number


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected a boolean")
    return value


def _date(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("expected an ISO 8601 date") from None
    else:
        raise ValueError("expected an ISO 8601 date")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _json(value: Any) -> Any:
    return copy.deepcopy(value)


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError("expected an array of strings")
    return [_string(item) for item in value]


def _numbers(value: Any) -> list[int]:
    if not isinstance(value, list):
        raise ValueError("expected an array of numbers")
    return [_number(item) for item in value]


_COERCERS: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "json": _json,
    "string[]": _strings,
    "number[]": _numbers,
}
