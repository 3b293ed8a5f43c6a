"""The one source of time. `BetterAuth(clock=ManualClock())` lets tests move time instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since 1970 of a timezone-aware datetime, exactly (JavaScript's `Date.getTime()`)."""
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is needed")
    return (moment - _EPOCH) // _MS


def js_iso(moment: datetime) -> str:
    """A date as JavaScript's `toISOString()` writes it: UTC, milliseconds, `Z`."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _to_milliseconds(moment: datetime) -> datetime:
    # Timestamps are kept at millisecond precision, like JavaScript Dates, so values written here and by a Node
    # better-auth app compare and serialise identically.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time: timezone-aware UTC, millisecond precision."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return _to_milliseconds(datetime.now(UTC))


class ManualClock:
    """A clock that only moves when told to. For tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = _to_milliseconds(start or datetime.now(UTC))

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now = _to_milliseconds(self._now + delta)

    def set(self, moment: datetime) -> None:
        self._now = _to_milliseconds(moment.astimezone(UTC))
