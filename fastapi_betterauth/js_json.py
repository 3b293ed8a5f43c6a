"""`JSON.stringify` as JavaScript writes it: what better-auth signs is JSON text, so signatures over JSON (the compact
cookie cache, JWT claims) are reproduced byte for byte."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

__all__ = ["json_stringify"]

_SAFE_INTEGER = 2**53

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_stringify(value: Any) -> str:
    """`JSON.stringify(value)` as JavaScript writes it, for JSON-shaped Python values.

    dicts (string keys, insertion order), lists and tuples, str, bool, None, int and float (as JavaScript numbers:
    non-finite as `null`, `-0` as `0`, exponents from 1e21 and below 1e-6), and aware datetimes (as `Date.toJSON`,
    ISO 8601 UTC with milliseconds and `Z`). Anything else is a TypeError.
    """
    parts: list[str] = []
    _stringify(value, parts)
    return "".join(parts)


def _stringify(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_quote(value))
    elif isinstance(value, int):
        out.append(str(value) if -_SAFE_INTEGER < value < _SAFE_INTEGER else _js_number(float(value)))
    elif isinstance(value, float):
        out.append(_js_number(value))
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
            if index:
                out.append(",")
            out.append(_quote(key))
            out.append(":")
            _stringify(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _stringify(item, out)
        out.append("]")
    elif isinstance(value, datetime):
        out.append(_quote(_iso_ms(value)))
    else:
        raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _quote(text: str) -> str:
    # json.dumps escapes exactly what JSON.stringify does (", \, \b \f \n \r \t, other C0 as lower-case \u00xx) and
    # leaves the rest; JSON.stringify also escapes lone surrogates, which Python strings can hold.
    quoted = json.dumps(text, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


def _js_number(value: float) -> str:
    """ECMAScript Number::toString(10), from Python's shortest round-trip digits (the same digits)."""
    if not math.isfinite(value):
        return "null"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    assert isinstance(exponent, int)
    exponent += len(digit_tuple) - len(digits)
    k = len(digits)
    n = exponent + k
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def _iso_ms(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise TypeError("naive datetimes have no JSON.stringify form; use timezone-aware UTC")
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"
