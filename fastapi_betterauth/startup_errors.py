"""Start-up errors whose message already names the fix: when nothing catches one (uvicorn importing an app that
builds `BetterAuth(...)` at import time, or `python app.py`), it is printed as that one line instead of a traceback
(docs/concepts/database.md)."""

from __future__ import annotations

import sys
from types import TracebackType


class OneLineWhenUncaught(Exception):
    """Mixed into an error class: creating one makes `sys.excepthook` print an uncaught error of such a class as
    `Name: message`. Caught, it is an ordinary exception; every other uncaught exception keeps its traceback, and
    the process still exits with status 1."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        _install_hook()


def _install_hook() -> None:
    previous = sys.excepthook
    if getattr(previous, "_one_line_when_uncaught", False):
        return

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, OneLineWhenUncaught):
            print(f"{kind.__name__}: {error}", file=sys.stderr)
        else:
            previous(kind, error, trace)

    hook._one_line_when_uncaught = True  # type: ignore[attr-defined]
    sys.excepthook = hook
