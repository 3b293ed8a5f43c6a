"""The `list-users` query string, read as better-auth's zod schema reads it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, get_args

from starlette.datastructures import QueryParams

from ..errors import AuthError, ErrorCode
from .listing import FilterOperator, SearchOperator, UserQuery

_CHOICES: dict[str, Sequence[str]] = {
    "searchField": ("email", "name"),
    "searchOperator": get_args(SearchOperator),
    "sortDirection": ("asc", "desc"),
    "filterOperator": get_args(FilterOperator),
}


def _choice(params: QueryParams, name: str, default: str) -> Any:
    value = params.get(name)
    if value is None:
        return default
    options = _CHOICES[name]
    if value not in options:
        listed = "|".join(json.dumps(option) for option in options)
        raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"[query.{name}] Invalid option: expected one of {listed}")
    return value


def _count(params: QueryParams, name: str) -> int | None:
    """better-auth's `Number(x) || undefined`: text that is no positive whole number is no limit (or offset)."""
    try:
        value = int(params.get(name) or "")
    except ValueError:
        return None
    return min(value, MAX_COUNT) if value > 0 else None


MAX_COUNT = 2**31 - 1
"""The largest limit or offset passed on (a larger one would overflow the database's integer)."""


def read_user_query(params: QueryParams) -> UserQuery:
    filter_values = params.getlist("filterValue")
    return UserQuery(
        search_value=params.get("searchValue") or None,
        search_field=_choice(params, "searchField", "email"),
        search_operator=_choice(params, "searchOperator", "contains"),
        filter_field=params.get("filterField") or "email",
        filter_values=filter_values or None,
        filter_operator=_choice(params, "filterOperator", "eq"),
        sort_by=params.get("sortBy") or None,
        sort_direction=_choice(params, "sortDirection", "asc"),
        limit=_count(params, "limit"),
        offset=_count(params, "offset"),
    )
