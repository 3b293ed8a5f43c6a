"""The secrets in use: the current one signs and encrypts, every one verifies and decrypts (rotation)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from .tokens import unsign_value

VERIFIED_SIZE: Final = 4096
"""Signed values remembered as authentic per keyring: the session cookies in use within a few minutes."""
VERIFIED_VALUE_LENGTH: Final = 512
"""Longer signed values are checked every time (a session token and its signature take about 80 characters)."""


class Keyring:
    """Secrets newest first. `versions` are `BETTER_AUTH_SECRETS`' version numbers (None for a plain secret)."""

    __slots__ = ("_verified", "secrets", "versions")

    def __init__(self, secrets: Sequence[str], versions: Sequence[int | None] | None = None) -> None:
        if not secrets or any(not secret for secret in secrets):
            raise ValueError("a keyring needs at least one non-empty secret")
        self.secrets: tuple[str, ...] = tuple(secrets)
        self.versions: tuple[int | None, ...] = tuple(versions) if versions is not None else (None,) * len(secrets)
        if len(self.versions) != len(self.secrets):
            raise ValueError("one version per secret")
        self._verified: dict[str, str] = {}

    @classmethod
    def from_versioned(cls, entries: Sequence[tuple[int | None, str]]) -> Keyring:
        return cls([secret for _, secret in entries], [version for version, _ in entries])

    @property
    def current(self) -> str:
        return self.secrets[0]

    def unsign(self, signed: str) -> str | None:
        """The value of a `value.signature` string one of the secrets signed, else None: `unsign_value`, with the
        values already found authentic remembered by their exact signed form (docs/security.md S1).

        A client sends the same signed session cookie with every request; its HMAC under each secret was a fifth of
        a cookie-cache hit's own cost. Only authentic values are kept (a forged or tampered one is checked, and
        refused, every time), the secrets of a keyring never change, and the memo is bounded (oldest out first).
        """
        value = self._verified.get(signed)
        if value is not None:
            return value
        value = unsign_value(signed, self.secrets)
        if value is not None and len(signed) <= VERIFIED_VALUE_LENGTH:
            if len(self._verified) >= VERIFIED_SIZE:
                self._verified.pop(next(iter(self._verified), ""), None)
            self._verified[signed] = value
        return value
