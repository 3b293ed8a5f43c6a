"""A per-instance memo of verified cookie-cache copies, keyed by the exact cookie value (docs/security.md S10).

Checking a copy's signature (or decrypting it) and building its `Session` and `User` was most of a cookie-cache
hit's own cost, and a client sends the same copy with every request until it is re-issued. So once a value has
been found authentic and well formed, what it decodes to is kept under that exact value, and the next request
carrying the same bytes skips the cryptography and the validation.

What the memo must not change is what is believed:

- only values that decoded (authentic under a keyring secret, unexpired, well formed) are kept; a forged, tampered
  or expired value never gets in, so it is decoded (and refused) every time, as without the memo;
- an entry is served only while the copy itself would be: until the copy's own expiry and its session's expiry,
  whichever comes first, against the same clock; an expired entry is dropped when looked up;
- the checks that depend on the request or the moment still run on every hit (the caller's): the copy names the
  session token presented with it, its version is the current one, and the storage still has the session;
- every hit gets new `Session` and `User` objects, so what one request does to them no other request sees;
- it is bounded (least recently used first out), and values longer than one cookie are not kept at all.

Stateless sessions, whose cookie is such a copy, keep one too (`sessions/stateless.py`).
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from ..db.loading import transient
from ..db.models import Session, User
from ..fields.values import FieldValues, additional_values, carry
from .service import AuthSession

MEMO_SIZE: Final = 1024
"""Entries kept per instance: the distinct copies in use within a few minutes (`cookie_cache.max_age`)."""
MEMO_VALUE_LENGTH: Final = 4096
"""Longer values (chunked copies) are not kept, so the memo holds at most about MEMO_SIZE times 4 KiB of keys."""


@dataclass(frozen=True, slots=True)
class MemoEntry:
    """What one authentic copy decoded to."""

    token: str
    """The session token the copy names."""
    version: str
    updated_at_ms: int
    """When the copy was made (stateless sessions check revocations against it)."""
    believe_until: datetime
    """The copy's own expiry or its session's, whichever is first."""
    session_values: dict[str, Any]
    session_extra: FieldValues | None
    user_values: dict[str, Any]
    user_extra: FieldValues | None

    @classmethod
    def of(cls, found: AuthSession, *, version: str, copy_expires_at: datetime, updated_at_ms: int = 0) -> MemoEntry:
        session, user = found.session, found.user
        return cls(
            token=session.token,
            version=version,
            updated_at_ms=updated_at_ms,
            believe_until=min(copy_expires_at, session.expires_at),
            session_values=_values(session),
            session_extra=additional_values(session),
            user_values=_values(user),
            user_extra=additional_values(user),
        )

    def found(self) -> AuthSession:
        """New objects holding the copy's values."""
        return AuthSession(
            _build(Session, self.session_values, self.session_extra),
            _build(User, self.user_values, self.user_extra),
        )


def _values(instance: Session | User) -> dict[str, Any]:
    return {key: value for key, value in instance.__dict__.items() if key != "_sa_instance_state"}


def _build(model: type[Session] | type[User], values: dict[str, Any], extra: FieldValues | None) -> Any:
    instance = transient(model, values)
    if extra is not None:  # additional values may be lists or JSON objects: each hit gets its own
        carry(instance, FieldValues(extra.fields, {name: _own(value) for name, value in extra.items()}))
    return instance


def _own(value: Any) -> Any:
    return copy.deepcopy(value) if isinstance(value, list | dict) else value


class CopyMemo:
    """Verified copies by exact cookie value, least recently used first out."""

    __slots__ = ("_entries", "size")

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[str, MemoEntry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, value: str, now: datetime) -> MemoEntry | None:
        """The entry of this exact value while it may still be believed at `now`; an expired one is dropped."""
        entry = self._entries.get(value)
        if entry is None:
            return None
        if entry.believe_until <= now:
            del self._entries[value]
            return None
        self._entries.move_to_end(value)
        return entry

    def put(self, value: str, entry: MemoEntry) -> None:
        """Keep `entry` for `value`, which the caller has just found authentic, unexpired and well formed."""
        if self.size <= 0 or len(value) > MEMO_VALUE_LENGTH:
            return
        self._entries[value] = entry
        self._entries.move_to_end(value)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
