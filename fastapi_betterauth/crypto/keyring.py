"""The secrets in use: the current one signs, every one verifies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keyring:
    secrets: tuple[str, ...]

    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets or any(not secret for secret in secrets):
            raise ValueError("a keyring needs at least one non-empty secret")
        object.__setattr__(self, "secrets", tuple(secrets))

    @property
    def current(self) -> str:
        return self.secrets[0]
