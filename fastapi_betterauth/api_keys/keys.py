"""The key material: generation, hashing, and the permission check (docs/better-auth.md#api-key-material,
#api-key-verification)."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence

from ..crypto.tokens import generate_id, sha256_base64url

KEY_ALPHABET = string.ascii_letters
"""better-auth's default keys are letters only (`a-z`, `A-Z`): 64 of them carry about 365 bits."""

Permissions = Mapping[str, Sequence[str]]
"""`{resource: [actions]}`, e.g. `{"files": ["read", "write"]}`."""


def generate_key(length: int, prefix: str | None = None) -> str:
    """`prefix` + `length` random letters from the `secrets` module (no modulo bias)."""
    return f"{prefix or ''}{generate_id(length, KEY_ALPHABET)}"


def hash_key(key: str) -> str:
    """What the `key` column holds: base64url (no padding) of SHA-256(key), as better-auth stores it, so keys
    keep working when a Node better-auth app shares the database. A fast hash is enough for 300+ random bits."""
    return sha256_base64url(key)


def grants(granted: Permissions | None, required: Permissions) -> bool:
    """Whether a key's permissions cover `required`: every required resource is granted, with every required action
    (AND semantics, as better-auth's `role(...).authorize`)."""
    if granted is None:
        return False
    for resource, actions in required.items():
        allowed = granted.get(resource)
        if allowed is None or not all(action in allowed for action in actions):
            return False
    return True
