"""The settings reference page, generated from `AuthSettings` and the built-in plugins' options models.

Run by mkdocs as a hook (mkdocs.yml `hooks:`): at every build the page `settings.md` is made from the code, so it
cannot fall behind it. `python docs/hooks/settings_reference.py` prints the page. Each option's description is the
docstring written under the field in its model (the convention of `fastapi_betterauth/settings/`).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import NoDecode

PAGE = "settings.md"
NONE = "\N{EN DASH}"  # an empty table cell
ENV_PREFIX = "BETTER_AUTH_"


@dataclass(frozen=True)
class Option:
    """One leaf option: where it lives, how the environment names it, its type, default and meaning."""

    path: str
    env: list[str]
    type: str
    default: str
    description: str


@cache
def _attribute_docstrings(model: type) -> dict[str, str]:
    """`{field: docstring}` of the string literals written right under each annotated field of `model`'s class
    body (not its bases)."""
    try:
        source = textwrap.dedent(inspect.getsource(model))
    except (OSError, TypeError):
        return {}
    body = ast.parse(source).body[0]
    assert isinstance(body, ast.ClassDef)
    found: dict[str, str] = {}
    statements = body.body
    for statement, following in zip(statements, [*statements[1:], None], strict=True):
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        if (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            found[statement.target.id] = inspect.cleandoc(following.value.value)
    return found


def _description(model: type[BaseModel], name: str, field: FieldInfo) -> str:
    for klass in model.__mro__:
        text = _attribute_docstrings(klass).get(name) if isinstance(klass, type) else None
        if text:
            return " ".join(text.split())
    if field.description:
        return " ".join(field.description.split())
    models = [arg for arg in typing.get_args(field.annotation) if _is_model(arg)]
    if models:
        return f"An object: see `{models[0].__name__}` below."
    if name == "enabled":
        return "Switch this on."
    return ""


def _type_name(annotation: Any, metadata: list[Any]) -> str:
    if annotation is timedelta:
        return "duration"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0], [*metadata, *args[1:]])
    if origin is typing.Literal:
        return " or ".join(f'"{arg}"' if isinstance(arg, str) else repr(arg) for arg in args)
    if origin in (typing.Union, types.UnionType):
        kept = [arg for arg in args if arg is not type(None)]
        name = " or ".join(_type_name(arg, []) for arg in kept)
        return f"{name} or none" if len(kept) < len(args) else name
    if origin is list:
        form = "comma-separated" if any(item is NoDecode or isinstance(item, NoDecode) for item in metadata) else "JSON"
        return f"list of {_type_name(args[0], [])} ({form})"
    if origin is dict:
        return f"object of {_type_name(args[1], [])} by {_type_name(args[0], [])} (JSON)"
    if origin is not None and getattr(origin, "__module__", "") == "collections.abc":
        return "function (code only)"
    if annotation is SecretStr:
        return "secret string"
    if annotation is Any:
        return "any"
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return annotation.__name__
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _duration(value: timedelta) -> str:
    seconds = value.total_seconds()
    text = f"{seconds:g} s"
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{text} ({count} {unit[:-1] if count == 1 else unit})"
    return text


def _default(field: FieldInfo, given: Any = PydanticUndefined) -> str:
    if given is not PydanticUndefined:
        value = given
    elif field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return "required"
    else:
        value = field.default
    if value is None:
        return "none"
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, BaseModel):
        return f"`{value.model_dump_json()}`"
    if isinstance(value, str | int | float):
        return f"`{value}`" if value != "" else '`""`'
    if isinstance(value, list | dict):
        return "`" + repr(value).replace("'", '"') + "`" if value else ("`[]`" if isinstance(value, list) else "`{}`")
    return f"`{value!r}`"


def _env_names(model: type[BaseModel], name: str, field: FieldInfo, prefix: str) -> list[str]:
    own = f"{prefix}{name.upper()}"
    alias = field.validation_alias
    choices = getattr(alias, "choices", None)
    if choices and prefix == ENV_PREFIX:
        names = [choice for choice in choices if isinstance(choice, str)]
        # The prefixed name first, then the well-known one (DATABASE_URL, AUTH_SECRET).
        return sorted(names, key=lambda choice: (not choice.startswith(ENV_PREFIX), choice))
    return [own]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def options(
    model: type[BaseModel], path: str = "", prefix: str = ENV_PREFIX, defaults: BaseModel | None = None
) -> Iterator[Option]:
    """Every leaf option of `model`, nested models flattened into dotted paths (`session.cookie_cache.enabled`).
    `defaults`: the instance the parent option defaults to, whose values are then the defaults shown."""
    for name, field in model.model_fields.items():
        if field.exclude:  # kept only to refuse old spellings
            continue
        dotted = f"{path}{name}"
        if _is_model(field.annotation):
            assert field.annotation is not None
            given = getattr(defaults, name) if defaults is not None else None
            if given is None and field.default_factory is not None:
                given = field.default_factory()  # type: ignore[call-arg]
            yield from options(field.annotation, f"{dotted}.", f"{prefix}{name.upper()}__", given)
            continue
        yield Option(
            path=dotted,
            env=_env_names(model, name, field, prefix),
            type=_type_name(field.annotation, list(field.metadata)),
            default=_default(field, getattr(defaults, name) if defaults is not None else PydanticUndefined),
            description=_description(model, name, field),
        )


def nested_models(model: type[BaseModel]) -> list[type[BaseModel]]:
    """Models that options hold as a value (`social.github: ProviderCredentials | None`), each listed once."""
    seen: list[type[BaseModel]] = []

    def visit(annotation: Any) -> None:
        for arg in typing.get_args(annotation):
            visit(arg)
        if _is_model(annotation) and annotation not in seen:
            seen.append(annotation)
            for field in annotation.model_fields.values():
                visit(field.annotation)

    for field in model.model_fields.values():
        if _is_model(field.annotation):
            assert field.annotation is not None
            seen.extend(model for model in nested_models(field.annotation) if model not in seen)
        else:
            visit(field.annotation)
    return seen


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or NONE


def _table(rows: list[Option]) -> list[str]:
    lines = ["| setting | environment | type | default | meaning |", "|---|---|---|---|---|"]
    for row in rows:
        env = "<br>".join(f"`{name}`" for name in row.env)
        lines.append(f"| `{row.path}` | {env} | {_cell(row.type)} | {_cell(row.default)} | {_cell(row.description)} |")
    return lines


def _group(option: Option, depth: int) -> str:
    parts = option.path.split(".")
    return ".".join(parts[:depth]) if len(parts) > depth else ""


def render() -> str:
    """The whole page, as Markdown."""
    from fastapi_betterauth import AuthSettings
    from fastapi_betterauth.plugins.registry import BUILT_IN, built_in

    lines = [
        "# Settings reference",
        "",
        "<!-- Generated from the code at every docs build by docs/hooks/settings_reference.py: edit the docstrings",
        "     under the fields in fastapi_betterauth/settings/ and the plugins' options.py, not this page. -->",
        "",
        "Every plain option lives in `AuthSettings` (pydantic-settings): set it in code, in the environment, or in a",
        "`.env` file in the working directory. Environment names have the `BETTER_AUTH_` prefix and `__` between",
        "nested names. Durations are seconds (`60`) or ISO 8601 (`PT1M`). Lists and objects are JSON in the",
        "environment, except the two comma-separated lists marked so. Functions (email senders, hooks, validators)",
        "are never settings: they are passed to `BetterAuth` in code. How the options work together is explained",
        "on the pages of each feature; this page is generated from the code and lists every one.",
        "",
        "```python",
        "from datetime import timedelta",
        "",
        "from fastapi_betterauth import AuthSettings",
        "",
        "settings = AuthSettings(",
        '    session={"expires_in": timedelta(days=30)}, email_and_password={"min_password_length": 12}',
        ")",
        "assert settings.session.expires_in == timedelta(days=30)",
        "```",
        "",
        "```bash",
        "BETTER_AUTH_SESSION__EXPIRES_IN=2592000",
        "BETTER_AUTH_EMAIL_AND_PASSWORD__MIN_PASSWORD_LENGTH=12",
        "```",
        "",
    ]
    all_options = list(options(AuthSettings))
    top = [option for option in all_options if "." not in option.path and option.path != "plugins"]
    lines += ["## Core", "", *_table(top), ""]
    sections: dict[str, list[Option]] = {}
    for option in all_options:
        group = _group(option, 1)
        if group:
            sections.setdefault(group, []).append(option)
    for group, rows in sections.items():
        lines += [f"## `{group}`", ""]
        docstring = inspect.getdoc(type(getattr(AuthSettings(), group)))
        if docstring:
            lines += [" ".join(docstring.split()), ""]
        lines += [*_table(rows), ""]
    lines += [
        "## Plugins",
        "",
        "`plugins` holds each plugin's options by plugin id (`BETTER_AUTH_PLUGINS__<ID>__...`). A built-in plugin runs",
        "without code once its `enabled` is true; options passed in code (`BetterAuth(plugins=[...])`) win.",
        "",
    ]
    for plugin_id in sorted(BUILT_IN):
        model = built_in(plugin_id).options_model
        lines += [f"### `plugins.{plugin_id}`", ""]
        docstring = inspect.getdoc(model)
        if docstring:
            lines += [" ".join(docstring.split()), ""]
        rows = list(options(model, f"plugins.{plugin_id}.", f"{ENV_PREFIX}PLUGINS__{plugin_id.upper()}__"))
        lines += [*_table(rows), ""]
    models = [model for model in nested_models(AuthSettings) if model.__module__.startswith("fastapi_betterauth")]
    if models:
        lines += [
            "## Values that are objects",
            "",
            "Options whose type is one of these models take an object: in code the model (or a dict), in the",
            "environment JSON, or its fields one by one (`BETTER_AUTH_SOCIAL__GITHUB__CLIENT_ID`).",
            "",
        ]
        for model in models:
            lines += [f"### `{model.__name__}`", ""]
            docstring = inspect.getdoc(model)
            if docstring and docstring != inspect.getdoc(BaseModel):
                lines += [" ".join(docstring.split()), ""]
            rows = list(options(model, "", ""))
            lines += ["| field | type | default | meaning |", "|---|---|---|---|"]
            lines += [f"| `{o.path}` | {_cell(o.type)} | {_cell(o.default)} | {_cell(o.description)} |" for o in rows]
            lines.append("")
    return "\n".join(lines)


def on_files(files: Any, config: Any) -> Any:
    """mkdocs hook: add the generated page to the site."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, PAGE, content=render()))
    return files


if __name__ == "__main__":
    print(render())
