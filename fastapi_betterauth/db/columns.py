"""Column helpers shared by the core's models and the plugins': better-auth's SQL names on snake_case attributes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, func
from sqlmodel import Field

from ..clock import SystemClock

utc_now = SystemClock().now
"""Default of `createdAt`/`updatedAt` on a model built outside a service (services set them from their clock)."""


def column_kwargs(name: str, *, default_now: bool = False) -> dict[str, Any]:
    """`sa_column_kwargs` of a column whose SQL name differs from the attribute (`emailVerified`)."""
    kwargs: dict[str, Any] = {"name": name}
    if default_now:
        kwargs["server_default"] = func.current_timestamp()
    return kwargs


def text_field(name: str | None = None) -> Any:
    """A required `text` column, named `name` in SQL when given."""
    return Field(sa_type=Text, sa_column_kwargs={"name": name} if name else {})


def optional_text_field(name: str | None = None) -> Any:
    """A nullable `text` column, named `name` in SQL when given."""
    return Field(default=None, sa_type=Text, nullable=True, sa_column_kwargs={"name": name} if name else {})
