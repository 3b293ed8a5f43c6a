"""Table models built from values at hand, without the cost of their `__init__` or of an ORM session's loading.

A table model's `__init__` validates every field again and sets each through SQLAlchemy's instrumentation; an ORM
session adds its identity map and unit of work. On the hot paths (a session lookup, a cookie-cache hit) the values
are already known to be good, so they go straight into the instance's dict, as SQLAlchemy's own loader does.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import Table
from sqlalchemy.orm import ClassManager, class_mapper, make_transient_to_detached
from sqlmodel import SQLModel

TableModelT = TypeVar("TableModelT", bound=SQLModel)


def transient(model: type[TableModelT], values: dict[str, Any]) -> TableModelT:
    """A new, unsaved `model` holding `values` (attribute names; validated by the caller)."""
    instance: TableModelT = _class_manager(model).new_instance()
    instance.__dict__.update(values)
    return instance


@cache
def _class_manager(model: type[SQLModel]) -> ClassManager[Any]:
    return class_mapper(model).class_manager


def detached(model: type[TableModelT], values: dict[str, Any]) -> TableModelT:
    """`model` holding `values` of a row that exists, as if loaded by a session since closed: adding it to a session
    later updates that row (with what changed after this), never inserts it again."""
    instance = transient(model, values)
    make_transient_to_detached(instance)
    return instance


def column_values(instance: SQLModel) -> dict[str, Any]:
    """The instance's column values by SQL column name (`emailVerified`), for a Core `INSERT`."""
    mapper = class_mapper(type(instance))
    return {prop.columns[0].name: getattr(instance, prop.key) for prop in mapper.column_attrs}


class RowReader(Generic[TableModelT]):
    """Reads a model's columns out of a Core result row, in its table's column order."""

    __slots__ = ("_keys", "_model", "columns", "table")

    def __init__(self, model: type[TableModelT]) -> None:
        mapper = class_mapper(model)
        table = mapper.local_table
        assert isinstance(table, Table)
        self._model = model
        self.table = table
        self.columns = tuple(table.columns)
        self._keys = tuple(mapper.get_property_by_column(column).key for column in self.columns)

    def read(self, row: Sequence[Any], start: int = 0, **replace: Any) -> TableModelT:
        """The detached model from `row[start:start + len(columns)]`, with `replace`d attributes."""
        values = dict(zip(self._keys, row[start : start + len(self._keys)], strict=True))
        values.update(replace)
        return detached(self._model, values)
