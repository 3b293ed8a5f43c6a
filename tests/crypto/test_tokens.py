"""HMAC-SHA256 with the key schedule done once per secret gives the very bytes of a fresh `hmac.new`, so signed cookies
and compact cookie-cache copies stay better-auth's (docs/better-auth.md#cookies)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from fastapi_betterauth.crypto.tokens import hmac_sha256, hmac_signature, sign_value, unsign_value

SECRETS = ["s", "a-64-character-secret-" + "x" * 42, "a-longer-secret-than-sha256s-block-" + "y" * 80, "é€"]


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("data", [b"", b"token", b"x" * 1000, "é".encode()])
def test_pre_keyed_hmac_is_plain_hmac(secret: str, data: bytes) -> None:
    assert hmac_sha256(secret, data) == hmac.new(secret.encode(), data, hashlib.sha256).digest()


def test_uses_of_one_secret_do_not_leak_into_each_other() -> None:
    """Each use starts from the keyed state, never from what an earlier use fed it."""
    first = hmac_sha256("secret", b"a")
    hmac_sha256("secret", b"something else")
    assert hmac_sha256("secret", b"a") == first


def test_signatures_are_better_calls() -> None:
    expected = base64.b64encode(hmac.new(b"secret", b"token", hashlib.sha256).digest()).decode()
    assert hmac_signature("secret", "token") == expected
    assert unsign_value(sign_value("secret", "token"), ["other", "secret"]) == "token"
    assert unsign_value(sign_value("other", "token"), ["secret"]) is None
