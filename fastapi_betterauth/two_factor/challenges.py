"""Sign-in challenges, their attempt counters, emailed codes and trusted devices, kept as better-auth keeps them in
the verification table (see `rows.py`). No HTTP here."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import Clock
from ..crypto.keyring import Keyring
from ..crypto.tokens import generate_id
from ..verification.rows import PlainRows, Row
from .options import TwoFactorOptions
from .totp import SECRET_ALPHABET

TRUST_PREFIX = "trust-device-"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One verification of a challenge in progress: its counter is taken out, and put back counted or not."""

    rows: PlainRows
    identifier: str
    attempts: int
    expires_at: datetime

    async def record_failure(self) -> None:
        await self.rows.create(self.identifier, str(self.attempts + 1), self.expires_at)

    async def restore(self) -> None:
        await self.rows.create(self.identifier, str(self.attempts), self.expires_at)


class ChallengeStore:
    def __init__(self, options: TwoFactorOptions, rows: PlainRows, keyring: Keyring, clock: Clock) -> None:
        self._options = options
        self.rows = rows
        self._keyring = keyring
        self._clock = clock

    # -- challenges ---------------------------------------------------------------------------------------------

    async def open(self, user_id: str) -> str:
        """A new challenge for `user_id` (`2fa-<20 random>`, the `two_factor` cookie's value) with its counter."""
        identifier = f"2fa-{generate_id(20, SECRET_ALPHABET)}"
        expires_at = self._clock.now() + timedelta(seconds=self._options.two_factor_cookie_max_age)
        await self.rows.create(identifier, user_id, expires_at)
        await self.rows.create(f"2fa-attempts-{identifier}", "0", expires_at)
        return identifier

    async def find(self, identifier: str) -> Row | None:
        return await self.rows.find(identifier)

    async def complete(self, identifier: str, user_id: str) -> bool:
        """Use the challenge up; False when it was used meanwhile (or is another user's)."""
        consumed = await self.rows.consume(identifier)
        return consumed is not None and consumed.value == user_id

    async def begin_attempt(self, identifier: str, expires_at: datetime) -> Attempt | None:
        """Take the challenge's counter out: None when there is none (the challenge is used or gone)."""
        counter = f"2fa-attempts-{identifier}"
        consumed = await self.rows.consume(counter)
        if consumed is None:
            return None
        attempts = int(consumed.value) if consumed.value.isdigit() else self._options.challenge_attempts
        return Attempt(self.rows, counter, attempts, expires_at)

    async def discard(self, identifier: str) -> None:
        await self.rows.consume(identifier)

    # -- single use of TOTP codes -------------------------------------------------------------------------------

    async def use_step(self, user_id: str, step: int, lifetime: timedelta) -> bool:
        """Record that `user_id` signed in with the code of time step `step`: False when it was used already."""
        return await self.rows.claim(f"2fa-totp-used-{user_id}-{step}", lifetime)

    # -- trusted devices ----------------------------------------------------------------------------------------

    def _trust_token(self, secret: str, user_id: str, identifier: str) -> str:
        digest = hmac.new(secret.encode(), f"{user_id}!{identifier}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    async def trust(self, user_id: str) -> str:
        """Trust a device: a new record and the `trust_device` cookie's value (`<HMAC>!trust-device-<32>`)."""
        identifier = f"{TRUST_PREFIX}{generate_id(32, SECRET_ALPHABET)}"
        expires_at = self._clock.now() + timedelta(seconds=self._options.trust_device_max_age)
        await self.rows.create(identifier, user_id, expires_at)
        return f"{self._trust_token(self._keyring.current, user_id, identifier)}!{identifier}"

    async def is_trusted(self, user_id: str, value: str) -> bool:
        """Whether a `trust_device` cookie value is `user_id`'s, and its record still stands."""
        token, _, identifier = value.partition("!")
        if not token or not identifier.startswith(TRUST_PREFIX):
            return False
        expected = [self._trust_token(secret, user_id, identifier) for secret in self._keyring.secrets]
        if not any(hmac.compare_digest(token.encode(), candidate.encode()) for candidate in expected):
            return False
        found = await self.rows.find(identifier)
        return found is not None and found.value == user_id

    async def forget(self, value: str) -> None:
        """Delete the record a `trust_device` cookie value names."""
        identifier = value.partition("!")[2]
        if identifier.startswith(TRUST_PREFIX):
            await self.rows.delete(identifier)
