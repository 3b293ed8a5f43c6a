"""Which new passwords are accepted: length, a blocklist of common and context-specific passwords, and an optional
check of your own, such as a breached-password service (docs/security.md P1-P5; NIST SP 800-63B-4 §3.1.1.2).

Rules, in order (the first that fails answers):

1. Length, in code points as typed (P1, P2): `min_password_length` ≤ length ≤ `max_password_length`, else
   `PASSWORD_TOO_SHORT` / `PASSWORD_TOO_LONG`. No composition rules: any character is allowed (P3).
2. With `block_common_passwords` on (P4), 400 `PASSWORD_TOO_COMMON` when the password, NFKC-normalised and case-folded:
   - is in the shipped list (`common_passwords.txt`), also when spaces are ignored or when it only adds digits and
     symbols before or after a listed password (`Password1234567!` is `password`);
   - or, keeping only its letters, equals a context word or contains one of at least 4 letters. Context words are the
     email's local part, the user's name and the app name, whole (letters only) and split at non-letters:
     `ann.smith@example.com` gives `annsmith`, `ann` and `smith`, so `annsmith2024!` and `Smith-1990` are refused,
     and `ann-1234567890` too (it equals `ann`); `annals of history` is not (it equals no word, and `ann` is too
     short to be looked for inside).
3. The `extra_check` (P5), only for a password that passed the rules above: a reason it returns refuses the password
   with 400 `PASSWORD_REFUSED` and that reason as the message. The check fails open: if it raises (a breached-password
   service down or timing out), the password is accepted and a warning is logged, so an outage of a third party does
   not stop sign-ups. An `AuthError` it raises is not a failure but its own answer, and propagates. The check should
   bound its own time (e.g. an httpx timeout).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..errors import AuthError, ErrorCode
from ..settings import EmailAndPasswordSettings

logger = logging.getLogger("fastapi_betterauth")

MIN_CONTAINED_WORD = 4
"""Context words with at least this many letters are refused anywhere inside a password, shorter ones only whole."""

_COMMON_PASSWORDS_FILE = "common_passwords.txt"


@dataclass(frozen=True, slots=True)
class PasswordContext:
    """What is known about the account whose password is checked: the source of context-specific words."""

    email: str | None = None
    name: str | None = None


PasswordCheck = Callable[[str, PasswordContext], Awaitable[str | None]]
"""A user-supplied check (e.g. a breached-password service): return a reason to refuse, or None."""


def fold(value: str) -> str:
    """NFKC and case folding (NFKC again after folding, which can leave non-normalised text): how passwords and words
    are compared, so `PASSWORD1` in full-width forms (U+FF30...) is `password1`."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, read once on first use (from the installed package, so it works from a wheel)."""
    text = resources.files(__name__.rpartition(".")[0]).joinpath(_COMMON_PASSWORDS_FILE).read_text(encoding="utf-8")
    return frozenset(fold(line.strip()) for line in text.splitlines() if line.strip())


def _strip_decoration(value: str) -> str:
    """`value` without the digits and symbols before its first letter and after its last one."""
    start = 0
    end = len(value)
    while start < end and not value[start].isalpha():
        start += 1
    while end > start and not value[end - 1].isalpha():
        end -= 1
    return value[start:end]


def _letters(value: str) -> str:
    return "".join(char for char in value if char.isalpha())


def _letter_runs(value: str) -> Iterator[str]:
    run: list[str] = []
    for char in value:
        if char.isalpha():
            run.append(char)
        elif run:
            yield "".join(run)
            run = []
    if run:
        yield "".join(run)


def _local_part(email: str) -> str:
    return email.rpartition("@")[0] if "@" in email else email


class PasswordPolicy:
    """The rules for new passwords (sign-up, reset, change, set), described in this module's docstring."""

    def __init__(
        self,
        settings: EmailAndPasswordSettings,
        extra_check: PasswordCheck | None = None,
        app_name: str | None = None,
    ) -> None:
        self.settings = settings
        self.extra_check = extra_check
        self.app_name = app_name

    async def check(self, password: str, context: PasswordContext = PasswordContext()) -> None:
        """Raise AuthError(PASSWORD_TOO_SHORT/PASSWORD_TOO_LONG) for length (code points, P1/P2), then, when
        block_common_passwords is on, AuthError(ErrorCode.PASSWORD_TOO_COMMON) if the NFKC-casefolded password is
        in the shipped list or is (or only decorates with digits/symbols) the email local part, the name, or the app
        name (P4); then the extra_check (P5): AuthError(ErrorCode.PASSWORD_REFUSED, message=<its reason>). A
        failing extra_check fails open with a logged warning."""
        self.check_length(password)
        if self.settings.block_common_passwords and self.is_common(password, context):
            raise AuthError(ErrorCode.PASSWORD_TOO_COMMON)
        if self.extra_check is None:
            return
        try:
            reason = await self.extra_check(password, context)
        except AuthError:
            raise
        except Exception:
            logger.warning("the password check failed; the password is accepted (fail open)", exc_info=True)
            return
        if reason is not None:
            raise AuthError(ErrorCode.PASSWORD_REFUSED, message=reason or None)

    def check_length(self, password: str) -> None:
        """P1/P2: the length in code points, as typed (not bytes, not UTF-16 units)."""
        if len(password) < self.settings.min_password_length:
            raise AuthError(ErrorCode.PASSWORD_TOO_SHORT)
        if len(password) > self.settings.max_password_length:
            raise AuthError(ErrorCode.PASSWORD_TOO_LONG)

    def is_common(self, password: str, context: PasswordContext = PasswordContext()) -> bool:
        """P4: whether the blocklist refuses `password` (whatever `block_common_passwords` says)."""
        folded = fold(password)
        listed = common_passwords()
        compact = "".join(folded.split())
        for candidate in {folded, compact}:
            if candidate in listed or _strip_decoration(candidate) in listed:
                return True
        letters = _letters(folded)
        return any(
            letters == word or (len(word) >= MIN_CONTAINED_WORD and word in letters)
            for word in self._context_words(context)
        )

    def _context_words(self, context: PasswordContext) -> set[str]:
        sources = [self.app_name, context.name, _local_part(context.email) if context.email else None]
        words: set[str] = set()
        for source in sources:
            if source:
                folded = fold(source)
                words.add(_letters(folded))
                words.update(_letter_runs(folded))
        words.discard("")
        return words
