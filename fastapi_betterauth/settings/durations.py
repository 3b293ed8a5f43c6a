"""The `Duration` type of the settings, and how the environment's plain seconds reach it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator

_SECONDS = re.compile(r"\s*\d+(?:\.\d+)?\s*")


def _seconds(value: Any) -> Any:
    # Environment values are strings, and pydantic reads a bare "60" as a malformed ISO 8601 duration.
    if isinstance(value, str) and _SECONDS.fullmatch(value):
        return float(value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_seconds)]
"""A duration given as seconds (`60`, also as a string) or ISO 8601 (`PT1M`)."""
