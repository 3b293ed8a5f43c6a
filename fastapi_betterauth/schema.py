"""The schema the shipped migrations create: the core's tables and those of the built-in plugins."""

from __future__ import annotations

from sqlalchemy import Table

from .db.models import CORE_TABLES
from .plugins.registry import built_in_tables


def shipped_tables() -> list[Table]:
    """Every table `migrations/` creates, enabled plugins or not: a database shared with a Node better-auth app has
    them all (better-auth 1.7's schema with its api-key plugin)."""
    return [*CORE_TABLES, *built_in_tables()]
