"""Validation errors in better-auth's words: pydantic's errors written as zod (v4, English) messages."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel

_JS_TYPE_NAMES: Mapping[type, str] = {
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}
_TEXT_SOURCES = frozenset({"query", "path", "header", "cookie"})
_EXPECTED_BY_ERROR = {
    "string_type": "string",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "int_type": "number",
    "float_type": "number",
    "dict_type": "object",
    "model_type": "object",
    "list_type": "array",
}
_QUOTED = re.compile(r"'([^']*)'")
# Pydantic's bound errors: (zod's word, the context key of the bound, the comparison, what is measured).
_BOUNDS = {
    "string_too_short": ("Too small", "min_length", ">=", "string to have {} characters"),
    "string_too_long": ("Too big", "max_length", "<=", "string to have {} characters"),
    "too_short": ("Too small", "min_length", ">=", "array to have {} items"),
    "too_long": ("Too big", "max_length", "<=", "array to have {} items"),
    "greater_than_equal": ("Too small", "ge", ">=", "number to be {}"),
    "greater_than": ("Too small", "gt", ">", "number to be {}"),
    "less_than_equal": ("Too big", "le", "<=", "number to be {}"),
    "less_than": ("Too big", "lt", "<", "number to be {}"),
}


def _zod_message(error: Any, parts: list[str], model: type[BaseModel] | None) -> str:
    """What zod (v4, English) says of the problem pydantic found."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    from_text = bool(parts) and parts[0] in _TEXT_SOURCES  # what comes from a URL or a header is always a string
    if kind == "missing":
        expected = "string" if from_text else _expected_type(model, parts[-1]) if len(parts) > 1 else "value"
        return f"Invalid input: expected {expected}, received undefined"
    if kind == "int_from_float" or (kind == "int_type" and isinstance(error.get("input"), float)):
        return "Invalid input: expected int, received number"
    if kind in _EXPECTED_BY_ERROR:
        return f"Invalid input: expected {_EXPECTED_BY_ERROR[kind]}, received {js_type(error.get('input'))}"
    if kind in ("int_parsing", "float_parsing"):  # zod coerces query numbers: text that is none is NaN
        return "Invalid input: expected number, received NaN" if from_text else "Invalid input"
    if kind in _BOUNDS and context:
        word, key, comparison, measured = _BOUNDS[kind]
        return f"{word}: expected {measured.format(f'{comparison}{_js_number(context[key])}')}"
    if kind in ("literal_error", "enum"):
        # pydantic lists the allowed values as `'asc' or 'desc'`; zod as `"asc"|"desc"`.
        options = [json.dumps(value) for value in _QUOTED.findall(str(context.get("expected", "")))]
        if len(options) == 1:
            return f"Invalid input: expected {options[0]}"
        return f"Invalid option: expected one of {'|'.join(options)}" if options else "Invalid input"
    return str(error.get("msg", "Invalid input")).removeprefix("Value error, ")


def _js_number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def js_type(value: Any) -> str:
    return _JS_TYPE_NAMES.get(type(value), "object")


def _field_info(model: type[BaseModel] | None, field: str) -> Any:
    """The model's field of that name or alias."""
    if model is None:
        return None
    info = model.model_fields.get(field)
    return info or next((f for f in model.model_fields.values() if f.alias == field), None)


def _expected_type(model: type[BaseModel] | None, field: str) -> str:
    info = _field_info(model, field)
    annotation = info.annotation if info else None
    candidates = [a for a in (get_args(annotation) or (annotation,)) if a is not type(None)]
    return _JS_TYPE_NAMES.get(candidates[0], "value") if candidates else "value"


def format_errors(errors: Any, model: type[BaseModel] | None = None, prefix: tuple[str, ...] = ()) -> str:
    """Pydantic errors as better-auth's zod messages: `[body.email] Invalid email address; ...`."""
    messages = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        parts = [*prefix, *loc]
        messages.append(f"[{'.'.join(parts)}] {_zod_message(error, parts, model)}")
    return "; ".join(messages)
