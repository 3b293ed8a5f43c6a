"""Additional-field values as they travel with a `User` or `Session`.

Table models cannot grow attributes per app, so an instance carries its additional values beside its columns, in
pydantic's slot for extra values: `user.plan` reads one (as an attribute, for code that knows its fields), and
`additional_values(user)` gives them all. Each `FieldValues` knows the fields it holds, so whatever writes JSON (a
route, the cookie cache, secondary storage) answers exactly the `returned` ones without being told the app's
settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from sqlmodel import SQLModel

if TYPE_CHECKING:
    from .model import ModelFields


class FieldValues(dict[str, Any]):
    """Values by field name (`plan`, not its column's name), with the `ModelFields` that declares them."""

    __slots__ = ("fields",)

    def __init__(self, fields: ModelFields[Any], values: Mapping[str, Any] = ()) -> None:  # type: ignore[assignment]
        super().__init__(values)
        self.fields = fields

    def returned_json(self) -> dict[str, Any]:
        """The values a client may see, as JSON."""
        return self.fields.to_json(self, returned_only=True)


def additional_values(instance: object) -> FieldValues | None:
    """The additional values `instance` carries (None when it carries none: no fields, or never loaded)."""
    values = getattr(instance, "__pydantic_extra__", None)
    return values if isinstance(values, FieldValues) else None


def carry(instance: object, values: FieldValues) -> None:
    """Attach `values` to a `User` or `Session` (replacing what it carried)."""
    object.__setattr__(instance, "__pydantic_extra__", values)


def merged(instance: object, fields: ModelFields[Any], changes: Mapping[str, Any]) -> FieldValues:
    """What `instance` carries with `changes` applied."""
    values = FieldValues(fields, additional_values(instance) or {})
    values.update(changes)
    return values


ModelT = TypeVar("ModelT", bound=SQLModel)


def copied(instance: ModelT, **changes: Any) -> ModelT:
    """A new instance of the same model with `changes`, carrying the same additional values."""
    copy = type(instance)(**{**instance.model_dump(), **changes})
    values = additional_values(instance)
    if values is not None:
        carry(copy, FieldValues(values.fields, values))
    return copy
