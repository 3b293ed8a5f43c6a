"""Additional fields: the app's (and plugins') own columns on `user` and `session` (docs/extra-fields.md)."""

from .model import FieldDeclarationError, ModelFields
from .schema import AuthSchema, FieldDeclarations
from .spec import FieldSpec, FieldType
from .values import FieldValues, additional_values, carry

__all__ = [
    "AuthSchema",
    "FieldDeclarationError",
    "FieldDeclarations",
    "FieldSpec",
    "FieldType",
    "FieldValues",
    "ModelFields",
    "additional_values",
    "carry",
]
