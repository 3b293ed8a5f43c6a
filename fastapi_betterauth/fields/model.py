"""`ModelFields`: the additional fields of one model (`user` or `session`) in one `BetterAuth`: their columns,
what a request body may set, and their JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import JSON, BigInteger, Boolean, Column, Integer, MetaData, Table, column, insert, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import class_mapper
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.types import TypeEngine
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..clock import js_iso
from ..db.columns import INDEXED_TEXT, TEXT, UTC_DATETIME
from ..db.loading import column_values
from ..errors import AuthError, ErrorCode
from .spec import FieldSpec
from .values import FieldValues, additional_values, carry

Action = Literal["create", "update"]

InputCheck = Callable[[dict[str, Any], Action, Any], Awaitable[dict[str, Any]]]
"""`async def check(values, action, owner) -> values`: a look at the fields a client sends before they are read
(`ModelFields.read_input`); `owner` is the row being updated (None on create). Refuse with an `AuthError`, or return
the values (changed or not)."""


class FieldDeclarationError(ValueError):
    """Additional fields that cannot be kept: a name or column taken by the model itself, or used twice."""


def sql_type(spec: FieldSpec) -> TypeEngine[Any]:
    """The column type better-auth's migrator gives a field of this type (lists and objects as JSON); on MySQL a
    unique or indexed string is a `varchar` (`db/columns.py`)."""
    if spec.type == "string":
        return INDEXED_TEXT if spec.unique or spec.index else TEXT
    if spec.type == "number":
        return BigInteger() if spec.bigint else Integer()
    if spec.type == "boolean":
        return Boolean()
    if spec.type == "date":
        return UTC_DATETIME
    return JSON().with_variant(JSONB(), "postgresql")


ModelT = TypeVar("ModelT", bound=SQLModel)


class ModelFields(Generic[ModelT]):
    """The additional fields of one model, in declaration order. Falsy when there are none, so the paths that
    carry them cost nothing then."""

    def __init__(self, model: type[ModelT], fields: Mapping[str, FieldSpec], metadata: MetaData | None = None) -> None:
        mapper = class_mapper(model)
        core: Table = mapper.local_table  # type: ignore[assignment]
        self.model_name: str = core.name
        self.specs: dict[str, FieldSpec] = dict(fields)
        taken = {prop.key for prop in mapper.column_attrs} | set(core.columns.keys())
        self._column_of = {prop.key: prop.columns[0].name for prop in mapper.column_attrs}
        seen_columns: set[str] = set()
        for name, spec in self.specs.items():
            column_name = spec.column_name(name)
            if name in taken:
                raise FieldDeclarationError(
                    f"additional {self.model_name} field {name!r} is one of the {self.model_name} model's own"
                )
            if column_name in taken:
                raise FieldDeclarationError(
                    f"additional {self.model_name} field {name!r}: column {column_name!r} is the model's own"
                )
            if column_name in seen_columns:
                raise FieldDeclarationError(f"two additional {self.model_name} fields use column {column_name!r}")
            seen_columns.add(column_name)
        self.names: tuple[str, ...] = tuple(self.specs)
        self.columns: dict[str, Column[Any]] = {
            name: Column(spec.column_name(name), sql_type(spec), nullable=not spec.required)
            for name, spec in self.specs.items()
        }
        self.selected: tuple[ColumnClause[Any], ...] = tuple(
            column(spec.column_name(name), sql_type(spec), _selectable=core) for name, spec in self.specs.items()
        )
        """The columns as read beside the model's own in one `SELECT` (`select(User, *fields.selected)`)."""
        self._selected_by_name = dict(zip(self.specs, self.selected, strict=True))
        self._returned = tuple(name for name, spec in self.specs.items() if spec.returned)
        self.unique = any(spec.unique for spec in self.specs.values())
        """Some field is unique: a refused insert may be its doing."""
        self.table: Table = core.to_metadata(metadata if metadata is not None else MetaData())
        """The model's table with these columns too: what inserts and updates that write them use."""
        for extra in self.columns.values():
            self.table.append_column(extra)
        self._model: type[ModelT] = model
        self.input_checks: list[InputCheck] = []
        """Run by `read_input` in order (plugins' `user_input_checks`)."""

    async def insert(self, db: AsyncSession, instance: SQLModel) -> None:
        """Insert `instance` with the additional values it carries (defaults for those it lacks), inside the
        caller's transaction; at once, so a unique key it breaks raises here."""
        if not self:
            db.add(instance)
            await db.flush()
            return
        carried: Mapping[str, Any] = additional_values(instance) or {}
        extra = {name: carried.get(name, spec.default()) for name, spec in self.specs.items()}
        carry(instance, FieldValues(self, extra))
        await db.exec(insert(self.table).values({**column_values(instance), **self.row_values(extra)}))

    async def get(self, db: AsyncSession, row_id: str) -> ModelT | None:
        """The row with this id, carrying its additional values."""
        if not self:
            return await db.get(self._model, row_id)
        key = self._model.id  # type: ignore[attr-defined]
        row: Any = (await db.exec(select(self._model, *self.selected).where(key == row_id))).first()
        if row is None:
            return None
        instance: ModelT = row[0]
        carry(instance, self.from_row(row, 1))
        return instance

    async def load_values(self, db: AsyncSession, instance: ModelT) -> ModelT:
        """`instance` carrying its row's additional values (when it carries none yet: loaded by a query that did not
        select them)."""
        if self and additional_values(instance) is None:
            key = self._model.id  # type: ignore[attr-defined]  # the table `selected` reads from, not `self.table`
            statement = select(*self.selected).where(key == instance.id)  # type: ignore[attr-defined]
            row = (await db.exec(statement)).first()
            if row is not None and len(self.selected) == 1:
                row = (row,)  # one column comes back as a scalar
            carry(instance, self.from_row(row) if row is not None else FieldValues(self))
        return instance

    async def update(self, db: AsyncSession, row_id: str, values: Mapping[str, Any]) -> bool:
        """Write `values` (the model's own attributes and additional fields, by name) to row `row_id`; False when
        there is no such row."""
        own = {self._column_of[name]: value for name, value in values.items() if name in self._column_of}
        statement = update(self.table).where(self.table.c.id == row_id).values({**own, **self.row_values(values)})
        result = await db.exec(statement)
        return bool(result.rowcount)

    def __bool__(self) -> bool:
        return bool(self.specs)

    def build(self, data: Mapping[str, Any]) -> ModelT:
        """A new instance from `data` (the model's attributes and additional fields by name, as hooks see it); an
        additional value of the wrong type is a 400 `VALIDATION_ERROR`."""
        instance: ModelT = self._model(**data)
        if self:
            extra = {name: self.checked(name, data[name]) for name in self.names if name in data}
            carry(instance, FieldValues(self, extra))
        return instance

    def hook_data(self, instance: SQLModel) -> dict[str, Any]:
        """What database hooks see of an instance: its attributes and its additional values."""
        return {**instance.model_dump(), **(additional_values(instance) or {})}

    def __len__(self) -> int:
        return len(self.specs)

    def values(self, values: Mapping[str, Any] = ()) -> FieldValues:  # type: ignore[assignment]
        return FieldValues(self, values)

    def from_row(self, row: Sequence[Any], start: int = 0) -> FieldValues:
        """The values of a row that selected `selected` from position `start`."""
        return FieldValues(self, dict(zip(self.names, row[start : start + len(self.names)], strict=True)))

    def row_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """`values` by column name, for an `INSERT` or `UPDATE` of the model's table."""
        return {self.specs[name].column_name(name): value for name, value in values.items() if name in self.specs}

    # --- requests -----------------------------------------------------------------------------------------------

    def column(self, name: str) -> ColumnClause[Any]:
        """Field `name`'s column, for a `WHERE` on the model's table:
        `select(User).where(fields.column("plan") == x)`."""
        return self._selected_by_name[name]

    async def read_input(self, body: Mapping[str, Any], action: Action, owner: ModelT | None = None) -> dict[str, Any]:
        """`parse_input` after the input checks: what a client's body sets, checked by plugins first."""
        values = dict(body)
        for check in self.input_checks:
            values = await check(values, action, owner)
        return self.parse_input(values, action)

    def parse_input(self, body: Mapping[str, Any], action: Action) -> dict[str, Any]:
        """The fields a client's body sets, as better-auth reads them. A server-only field (`input: false`) with a
        value answers 400 `FIELD_NOT_ALLOWED` (on `create` it takes its default instead when it has one; an empty
        value is ignored); on `create`, a field without a value takes its default, or answers 400 `MISSING_FIELD`
        when required. Unlike better-auth, values are checked against their type (400 `VALIDATION_ERROR`), since
        a column cannot keep a value of another type. Keys that are no field are not this method's."""
        parsed: dict[str, Any] = {}
        for name, spec in self.specs.items():
            value = body.get(name)
            if name in body and not spec.input:
                if action == "create" and spec.default_value is not None:
                    parsed[name] = spec.default()
                elif _truthy(value):
                    raise AuthError(ErrorCode.FIELD_NOT_ALLOWED, 400, f"{name} is not allowed to be set")
                continue
            if name in body and not (value is None and action == "create"):
                parsed[name] = self.checked(name, value)
            elif action == "create":
                default = spec.default()
                if default is None and spec.required:
                    raise AuthError(ErrorCode.MISSING_FIELD, 400, f"{name} is required")
                parsed[name] = default
        return parsed

    def checked(self, name: str, value: Any) -> Any:
        """`value` as field `name` keeps it, or 400 `VALIDATION_ERROR` naming the field."""
        spec = self.specs[name]
        if value is None and spec.required:
            raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"{name}: a value is required")
        try:
            return spec.coerce(value)
        except ValueError as exc:
            raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"{name}: {exc}") from None

    def defaults(self) -> dict[str, Any]:
        """What a create made by the server (not from a body) starts with."""
        return {name: spec.default() for name, spec in self.specs.items()}

    # --- JSON (answers, cookie cache, secondary storage) --------------------------------------------------------

    def to_json(self, values: Mapping[str, Any], *, returned_only: bool) -> dict[str, Any]:
        names = self._returned if returned_only else self.names
        return {name: _json_value(values.get(name)) for name in names if name in values}

    def from_json(self, data: Mapping[str, Any]) -> FieldValues:
        """Values from JSON this instance wrote (fields absent there stay absent)."""
        values = FieldValues(self)
        for name, spec in self.specs.items():
            if name in data:
                try:
                    values[name] = spec.coerce(data[name])
                except ValueError:
                    values[name] = None  # a copy written under other settings: not worth failing a request over
        return values


def _truthy(value: Any) -> bool:
    """JavaScript's truthiness of a JSON value (`0`, `""`, `false` and `null` are falsy; `[]` and `{}` are not)."""
    return value is not None and value is not False and value != 0 and value != ""


def _json_value(value: Any) -> Any:
    return js_iso(value) if hasattr(value, "astimezone") else value
