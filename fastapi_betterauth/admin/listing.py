"""`list-users`: search, filter, sort and page through users (better-auth's `listUsers` query). No HTTP here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import select

from ..db.engine import Database
from ..db.models import User
from ..errors import AuthError, ErrorCode
from ..fields.model import ModelFields
from ..fields.spec import FieldSpec
from ..fields.values import carry
from .errors import AdminErrorCode, admin_error

SearchOperator = Literal["contains", "starts_with", "ends_with"]
FilterOperator = Literal["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "starts_with", "ends_with"]

_OWN: dict[str, tuple[Any, FieldSpec]] = {
    "id": (User.id, FieldSpec(type="string")),
    "name": (User.name, FieldSpec(type="string")),
    "email": (User.email, FieldSpec(type="string")),
    "emailVerified": (User.email_verified, FieldSpec(type="boolean")),
    "image": (User.image, FieldSpec(type="string")),
    "createdAt": (User.created_at, FieldSpec(type="date")),
    "updatedAt": (User.updated_at, FieldSpec(type="date")),
}


@dataclass(frozen=True)
class UserQuery:
    """What `list-users` asks for: a search (`email` or `name`), a filter on any user field, an order, a page."""

    search_value: str | None = None
    search_field: Literal["email", "name"] = "email"
    search_operator: SearchOperator = "contains"
    filter_field: str = "email"
    filter_values: Sequence[str] | None = None
    """None: no filter; several values only for `in` / `not_in`."""
    filter_operator: FilterOperator = "eq"
    sort_by: str | None = None
    sort_direction: Literal["asc", "desc"] = "asc"
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    total: int


class UserListing:
    """Reads users by a `UserQuery`. An unknown sort or filter field is a 400 naming it, never an empty list."""

    def __init__(self, database: Database, fields: ModelFields[User]) -> None:
        self._database = database
        self._fields = fields

    def _field(self, name: str) -> tuple[Any, FieldSpec] | None:
        if name in _OWN:
            return _OWN[name]
        if name in self._fields.specs and self._fields.specs[name].returned:
            return self._fields.column(name), self._fields.specs[name]
        return None

    async def page(self, query: UserQuery) -> UserPage:
        conditions = self._conditions(query)
        where = and_(*conditions) if conditions else None
        statement = select(User, *self._fields.selected)
        count = select(func.count()).select_from(User)
        if where is not None:
            statement, count = statement.where(where), count.where(where)
        statement = statement.order_by(*self._order(query))
        if query.limit:
            statement = statement.limit(query.limit)
        if query.offset:
            statement = statement.offset(query.offset)
        async with self._database.session() as db:
            rows: Any = (await db.exec(statement)).all()
            total: Any = (await db.exec(count)).one()
        users = []
        for row in rows:
            user: User = row[0]
            carry(user, self._fields.from_row(row, 1))
            users.append(user)
        return UserPage(users, int(total))

    def _order(self, query: UserQuery) -> list[Any]:
        if query.sort_by is None:
            return [User.created_at, User.id]  # stable pages when no order is asked for
        found = self._field(query.sort_by)
        if found is None:
            raise admin_error(AdminErrorCode.INVALID_SORT_FIELD, 400)
        column = found[0]
        return [column.desc() if query.sort_direction == "desc" else column.asc(), User.id]

    def _conditions(self, query: UserQuery) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if query.search_value:
            column = User.email if query.search_field == "email" else User.name
            conditions.append(_text_match(column, query.search_operator, query.search_value))
        if query.filter_values is not None:
            found = self._field(query.filter_field)
            if found is None:
                raise admin_error(AdminErrorCode.INVALID_FILTER_FIELD, 400)
            column, spec = found
            conditions.append(self._filter(column, spec, query))
        return conditions

    def _filter(self, column: Any, spec: FieldSpec, query: UserQuery) -> ColumnElement[bool]:
        operator = query.filter_operator
        raw = list(query.filter_values or ())
        if operator in ("in", "not_in"):
            items = [_typed(spec, part.strip(), query.filter_field) for value in raw for part in value.split(",")]
            return column.in_(items) if operator == "in" else column.not_in(items)  # type: ignore[no-any-return]
        text = raw[-1] if raw else ""
        if operator in ("contains", "starts_with", "ends_with"):
            return _text_match(column, operator, text)
        value = _typed(spec, text, query.filter_field)
        comparisons: dict[str, Any] = {
            "eq": lambda: column == value if value is not None else column.is_(None),
            "ne": lambda: column != value if value is not None else column.is_not(None),
            "lt": lambda: column < value,
            "lte": lambda: column <= value,
            "gt": lambda: column > value,
            "gte": lambda: column >= value,
        }
        return comparisons[operator]()  # type: ignore[no-any-return]


def _text_match(column: Any, operator: str, value: str) -> ColumnElement[bool]:
    if operator == "starts_with":
        return column.startswith(value, autoescape=True)  # type: ignore[no-any-return]
    if operator == "ends_with":
        return column.endswith(value, autoescape=True)  # type: ignore[no-any-return]
    return column.contains(value, autoescape=True)  # type: ignore[no-any-return]


def _typed(spec: FieldSpec, text: str, name: str) -> Any:
    """A filter value (query text) as the field keeps it: `true`/`false` for booleans, numbers, ISO dates."""
    try:
        if spec.type == "boolean":
            if text not in ("true", "false"):
                raise ValueError("expected true or false")
            return text == "true"
        if spec.type == "number":
            return spec.coerce(float(text))
        return spec.coerce(text)
    except ValueError as exc:
        raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"[query.filterValue] {name}: {exc}") from None
