"""Magic-link tokens as better-auth keeps them, stored hashed (docs/security.md L5). No HTTP here.

A token is 32 letters (a-z, A-Z), as better-auth makes them. Its verification row has
`identifier = "magic-link:" + base64url(SHA-256(token))` (better-auth's `storeToken: "hashed"` format) and
`value = {"type": "magic-link", "email": <as typed>, "name"?: ...}`; it is deleted by its one use. A link a Node app
stored in plain text (`magic-link:<token>`, better-auth's default) is accepted too unless `accept_plain_tokens` is
off; only tokens of better-auth's shape are looked up that way.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from datetime import timedelta

from ..clock import Clock
from ..crypto.tokens import generate_id, sha256_base64url
from ..verification.rows import PlainRows
from .options import MagicLinkOptions

_LETTERS = string.ascii_letters
_PREFIX = "magic-link:"
_PLAIN_TOKEN = re.compile(r"[A-Za-z]{32}")
"""Only a token of better-auth's own shape is looked up in plain text: a stored hash (43 characters) presented as a
token never matches its own row (docs/security.md L5)."""


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """What a redeemed link was issued for."""

    email: str
    name: str | None


class MagicLinkService:
    """Issue and redeem magic-link tokens."""

    def __init__(self, options: MagicLinkOptions, rows: PlainRows, clock: Clock) -> None:
        self._options = options
        self._rows = rows
        self._clock = clock

    async def issue(self, email: str, name: str | None) -> str:
        """A new token for `email` (kept as typed) and the name a new user would get. Only its hash is stored."""
        token = generate_id(32, _LETTERS)
        value: dict[str, str] = {"type": "magic-link", "email": email}
        if name is not None:
            value["name"] = name
        expires_at = self._clock.now() + timedelta(seconds=self._options.expires_in)
        await self._rows.create(_PREFIX + sha256_base64url(token), json.dumps(value, separators=(",", ":")), expires_at)
        return token

    async def redeem(self, token: str) -> LinkRequest | None:
        """Use the token up (a concurrent second use finds nothing): what it was issued for, or None when it is
        unknown, used or expired."""
        row = await self._rows.consume(_PREFIX + sha256_base64url(token))
        if row is None and self._options.accept_plain_tokens and _PLAIN_TOKEN.fullmatch(token):
            row = await self._rows.consume(_PREFIX + token)
        if row is None:
            return None
        try:
            value = json.loads(row.value)
        except ValueError:
            return None
        if not isinstance(value, dict) or value.get("type") != "magic-link" or not isinstance(value.get("email"), str):
            return None
        name = value.get("name")
        return LinkRequest(value["email"], name if isinstance(name, str) else None)
