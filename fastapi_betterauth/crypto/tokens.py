"""Random identifiers and better-auth's HMAC signatures, compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from collections.abc import Sequence
from functools import lru_cache

ALPHANUMERIC = string.ascii_letters + string.digits
_SIGNATURE_LENGTH = 44  # standard base64 of a 32-byte HMAC-SHA256, with its one "=" of padding


def generate_id(length: int = 32, alphabet: str = ALPHANUMERIC) -> str:
    """A random string from `alphabet` (better-auth's id and token format: 32 alphanumerics, ~190 bits).

    `secrets.choice` draws without modulo bias.
    """
    return "".join(secrets.choice(alphabet) for _ in range(length))


def stable_id(*parts: str, length: int = 32) -> str:
    """An id in `generate_id`'s format derived from `parts` (SHA-256, base 62): the same parts, the same id."""
    number = int.from_bytes(hashlib.sha256("\x00".join(parts).encode()).digest())
    digits = []
    for _ in range(length):
        number, digit = divmod(number, len(ALPHANUMERIC))
        digits.append(ALPHANUMERIC[digit])
    return "".join(digits)


@lru_cache(maxsize=64)
def _keyed_sha256(secret: str) -> hmac.HMAC:
    """HMAC-SHA256 with `secret`'s key schedule done: the padded key's inner and outer blocks are hashed once per
    secret, and each use copies that state (the keyring's few secrets are the only keys seen on hot paths)."""
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


def hmac_sha256(secret: str, data: bytes) -> bytes:
    """HMAC-SHA256(secret, data), the same bytes as `hmac.new(secret.encode(), data, hashlib.sha256).digest()`."""
    keyed = _keyed_sha256(secret).copy()
    keyed.update(data)
    return keyed.digest()


def hmac_signature(secret: str, value: str) -> str:
    """Standard base64 (padded) of HMAC-SHA256(secret, value): better-call's cookie signature."""
    return base64.b64encode(hmac_sha256(secret, value.encode())).decode("ascii")


def sign_value(secret: str, value: str) -> str:
    """`value.signature`, the format of better-auth's signed cookies and bearer tokens."""
    return f"{value}.{hmac_signature(secret, value)}"


def unsign_value(signed: str, secrets_: Sequence[str]) -> str | None:
    """The value of a `value.signature` string if one of `secrets_` signed it, else None.

    Every candidate signature is computed and compared in constant time; a malformed signature fails early,
    which reveals nothing about any secret.
    """
    value, dot, signature = signed.rpartition(".")
    if not dot or not value or len(signature) != _SIGNATURE_LENGTH or not signature.endswith("="):
        return None
    valid = False
    for secret in secrets_:
        valid |= hmac.compare_digest(hmac_signature(secret, value).encode(), signature.encode())
    return value if valid else None


def sha256_base64url(value: str) -> str:
    """SHA-256 as unpadded base64url: better-auth's hashed identifiers and API keys."""
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
