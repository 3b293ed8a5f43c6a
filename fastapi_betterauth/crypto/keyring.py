"""The secrets in use: the current one signs and encrypts, every one verifies and decrypts (rotation)."""

from __future__ import annotations

from collections.abc import Sequence


class Keyring:
    """Secrets newest first. `versions` are `BETTER_AUTH_SECRETS`' version numbers (None for a plain secret)."""

    __slots__ = ("secrets", "versions")

    def __init__(self, secrets: Sequence[str], versions: Sequence[int | None] | None = None) -> None:
        if not secrets or any(not secret for secret in secrets):
            raise ValueError("a keyring needs at least one non-empty secret")
        self.secrets: tuple[str, ...] = tuple(secrets)
        self.versions: tuple[int | None, ...] = tuple(versions) if versions is not None else (None,) * len(secrets)
        if len(self.versions) != len(self.secrets):
            raise ValueError("one version per secret")

    @classmethod
    def from_versioned(cls, entries: Sequence[tuple[int | None, str]]) -> Keyring:
        return cls([secret for _, secret in entries], [version for version, _ in entries])

    @property
    def current(self) -> str:
        return self.secrets[0]
