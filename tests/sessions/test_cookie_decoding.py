"""Cookie values are percent-decoded as `decodeURIComponent` undoes better-call's `encodeURIComponent`, i.e. exactly
as `urllib.parse.unquote` does, on a faster path for the values the hot path sees (docs/better-auth.md#cookies)."""

from __future__ import annotations

import random
from urllib.parse import quote, unquote

import pytest

from fastapi_betterauth.cookies import percent_decode

CASES = [
    "",
    "plain-token.value",
    "abc.SIGNATURE%2Bwith%2Fslash%3D",
    "lower%2bcase%3d",
    "%",
    "%%",
    "ends%",
    "ends%4",
    "bad%zzescape",
    "%C3%A9t%C3%A9",  # UTF-8 sequences
    "%E2%82",  # a truncated UTF-8 sequence: replaced, as unquote does
    "%FF",
    "mixed%20%C3%A9%2F",
    "non-ascii é as is%3D",
    "%00nul",
]


@pytest.mark.parametrize("value", CASES)
def test_decoding_is_unquotes(value: str) -> None:
    assert percent_decode(value) == unquote(value)


def test_random_values_decode_as_unquote_does() -> None:
    alphabet = "aZ09.=-_%3D2f2FzC3A9é€G"
    generator = random.Random(20261203)
    for _ in range(20_000):
        value = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 16)))
        assert percent_decode(value) == unquote(value), value


def test_signed_cookie_values_round_trip() -> None:
    signed = "AbCdEfGh0123456789abcdefghijklmn.Z29vZCBzaWduYXR1cmUgYnl0ZXMgaGVyZSEhISE+/w=="
    assert percent_decode(quote(signed, safe="-_.!~*'()")) == signed
