"""The keyring's memo of authentic signed values (docs/security.md S1): it saves the HMAC of a value sent again,
and believes nothing `unsign_value` would not."""

from __future__ import annotations

from typing import Any

import pytest

from fastapi_betterauth.crypto import keyring as keyring_module
from fastapi_betterauth.crypto.keyring import VERIFIED_SIZE, VERIFIED_VALUE_LENGTH, Keyring
from fastapi_betterauth.crypto.tokens import sign_value, unsign_value

OLD, NEW = "old-secret-0123456789-abcdefghijklmnop", "new-secret-0123456789-abcdefghijklmnop"


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every signed value the keyring checked cryptographically."""
    seen: list[str] = []

    def counting(signed: str, secrets: Any) -> str | None:
        seen.append(signed)
        return unsign_value(signed, secrets)

    monkeypatch.setattr(keyring_module, "unsign_value", counting)
    return seen


def test_an_authentic_value_is_checked_once(checks: list[str]) -> None:
    keyring = Keyring([NEW, OLD])
    signed, rotated = sign_value(NEW, "token-a"), sign_value(OLD, "token-b")
    assert [keyring.unsign(signed) for _ in range(3)] == ["token-a"] * 3
    assert [keyring.unsign(rotated) for _ in range(3)] == ["token-b"] * 3  # an older secret's value too
    assert checks == [signed, rotated]


def test_forged_tampered_and_foreign_values_are_checked_and_refused_every_time(checks: list[str]) -> None:
    keyring = Keyring([NEW])
    genuine = sign_value(NEW, "token-a")
    refused = [
        sign_value("an-unknown-secret-0123456789-abcdefgh", "token-a"),
        genuine[:-2] + ("A=" if genuine[-2] != "A" else "B="),  # one signature character changed
        "token-b" + genuine[len("token-a") :],  # the signature of another value
        "token-a",  # unsigned
    ]
    for _ in range(2):
        assert [keyring.unsign(value) for value in refused] == [None] * len(refused)
    assert checks == refused * 2


def test_each_keyring_has_its_own_memo(checks: list[str]) -> None:
    signed = sign_value(OLD, "token-a")
    assert Keyring([NEW, OLD]).unsign(signed) == "token-a"
    assert Keyring([NEW]).unsign(signed) is None  # the old secret retired: no longer believed


def test_the_memo_is_bounded_oldest_out_first(checks: list[str]) -> None:
    keyring = Keyring([NEW])
    values = [sign_value(NEW, f"token-{n}") for n in range(VERIFIED_SIZE + 1)]
    for value in values:
        keyring.unsign(value)
    checks.clear()
    keyring.unsign(values[-1])
    keyring.unsign(values[1])
    assert checks == []  # still kept
    keyring.unsign(values[0])
    assert checks == [values[0]]  # pushed out by the last one, checked again


def test_long_values_are_not_kept(checks: list[str]) -> None:
    keyring = Keyring([NEW])
    signed = sign_value(NEW, "t" * VERIFIED_VALUE_LENGTH)
    assert keyring.unsign(signed) == "t" * VERIFIED_VALUE_LENGTH
    assert keyring.unsign(signed) == "t" * VERIFIED_VALUE_LENGTH
    assert checks == [signed, signed]
