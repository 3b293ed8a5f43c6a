"""`AuthSchema`: the user and session models of one `BetterAuth` with their additional fields (the app's, from
settings or code, and the plugins'), and the columns `migrate` adds for them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Column, Index, MetaData, inspect
from sqlalchemy.engine import Connection

from ..db.models import Session, User
from .model import FieldDeclarationError, ModelFields, sql_type
from .spec import FieldSpec

if TYPE_CHECKING:
    from ..settings import AuthSettings

FieldDeclarations = Mapping[str, FieldSpec | Mapping[str, Any]]
"""Fields by name: `FieldSpec`s, or their better-auth-style dicts (`{"type": "string", "input": False}`)."""


def _specs(declarations: FieldDeclarations) -> dict[str, FieldSpec]:
    return {
        name: spec if isinstance(spec, FieldSpec) else FieldSpec.model_validate(spec)
        for name, spec in declarations.items()
    }


def merge_declarations(model: str, *sources: tuple[str, FieldDeclarations]) -> dict[str, FieldSpec]:
    """The fields of several declarers (the app's settings, each plugin), refusing a name declared twice."""
    merged: dict[str, FieldSpec] = {}
    owners: dict[str, str] = {}
    for owner, declarations in sources:
        for name, spec in _specs(declarations).items():
            if name in merged:
                raise FieldDeclarationError(
                    f"additional {model} field {name!r} is declared by both {owners[name]} and {owner}"
                )
            merged[name], owners[name] = spec, owner
    return merged


class FieldDeclarer(Protocol):
    """What declares fields besides the app's settings: a plugin (`Plugin.user_fields`, `session_fields`)."""

    @property
    def id(self) -> str: ...
    @property
    def user_fields(self) -> FieldDeclarations: ...
    @property
    def session_fields(self) -> FieldDeclarations: ...


class AuthSchema:
    """The additional fields of `user` and `session`, and tables that hold them (the core columns and theirs):
    what inserts and updates of those rows use."""

    def __init__(self, user: FieldDeclarations = {}, session: FieldDeclarations = {}) -> None:  # noqa: B006
        metadata = MetaData()
        self.user: ModelFields[User] = ModelFields(User, _specs(user), metadata)
        self.session: ModelFields[Session] = ModelFields(Session, _specs(session), metadata)

    @classmethod
    def declared(
        cls, user: FieldDeclarations, session: FieldDeclarations, declarers: Sequence[FieldDeclarer] = ()
    ) -> AuthSchema:
        """The schema of the app's fields (`user.additional_fields`, `session.additional_fields`) and those of
        `declarers`; a field declared twice is refused."""
        return cls(
            user=merge_declarations(
                "user", ("the settings", user), *((f"plugin {d.id!r}", d.user_fields) for d in declarers)
            ),
            session=merge_declarations(
                "session", ("the settings", session), *((f"plugin {d.id!r}", d.session_fields) for d in declarers)
            ),
        )

    @classmethod
    def for_settings(cls, settings: AuthSettings, declarers: Sequence[FieldDeclarer] = ()) -> AuthSchema:
        """The schema of `user.additional_fields` and `session.additional_fields`, and the declarers' fields."""
        return cls.declared(settings.user.additional_fields, settings.session.additional_fields, declarers)

    def __bool__(self) -> bool:
        return bool(self.user or self.session)

    def column_names(self) -> dict[str, set[str]]:
        """The columns of the additional fields, by table: what the toolkit writes beyond its own."""
        return {fields.model_name: {c.name for c in fields.columns.values()} for fields in (self.user, self.session)}

    def add_missing_columns(self, connection: Connection) -> list[str]:
        """Add the columns of declared fields that the database lacks (better-auth's migrator does the same), with
        a unique index for `unique` ones: what was added, as `table.column`. Existing columns are left as they
        are. A plugin's Alembic branch has added its own columns already; this adds the app's."""
        existing_tables = set(inspect(connection).get_table_names())
        operations = Operations(MigrationContext.configure(connection))
        added: list[str] = []
        for fields in (self.user, self.session):
            table = fields.table
            if not fields or table.name not in existing_tables:
                continue
            present = {info["name"] for info in inspect(connection).get_columns(table.name)}
            for name, spec in fields.specs.items():
                column_name = spec.column_name(name)
                if column_name in present:
                    continue
                operations.add_column(table.name, _new_column(column_name, spec, connection.dialect.name))
                if spec.unique or spec.index:
                    suffix = "uidx" if spec.unique else "idx"
                    index = Index(f"{table.name}_{column_name}_{suffix}", table.c[column_name], unique=spec.unique)
                    index.create(connection)
                added.append(f"{table.name}.{column_name}")
        return added


def _new_column(name: str, spec: FieldSpec, dialect: str) -> Column[Any]:
    # As better-auth's migrator: a plain default of a text, number or boolean field becomes the column's default too,
    # so rows that exist get it (but not for a unique optional field, where rows would collide). SQLite cannot add
    # a NOT NULL column without a default even to an empty table: there such a column stays nullable, and the
    # toolkit still refuses a create without a value.
    default = None if callable(spec.default_value) else spec.default()
    static = (
        default is not None and spec.type in ("string", "number", "boolean") and not (spec.unique and not spec.required)
    )
    server_default = None
    if static:
        server_default = ("1" if default else "0") if spec.type == "boolean" else str(default)
    nullable = not spec.required or (dialect == "sqlite" and server_default is None)
    return Column(name, sql_type(spec), nullable=nullable, server_default=server_default)
