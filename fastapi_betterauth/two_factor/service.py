"""The two-factor records of a user: the `twoFactor` row (sealed TOTP secret and backup codes), enabling and
disabling, and the account lockout across challenges. No HTTP here."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, update
from sqlmodel import select

from ..audit import audit
from ..clock import Clock
from ..crypto.envelope import EnvelopeError, open_sealed, seal
from ..crypto.keyring import Keyring
from ..crypto.tokens import ALPHANUMERIC, generate_id
from ..db.dialects import update_returning
from ..db.engine import Database
from ..db.models import User
from ..fields.values import additional_values
from .errors import TwoFactorErrorCode, two_factor_error
from .models import TwoFactor
from .options import TwoFactorOptions
from .totp import matching_step, new_secret, otpauth_uri, secret_key

TWO_FACTOR_ENABLED = "twoFactorEnabled"


def two_factor_enabled(user: User) -> bool:
    """Whether the user has two-factor authentication on (`user.twoFactorEnabled`)."""
    values = additional_values(user)
    return bool(values.get(TWO_FACTOR_ENABLED)) if values is not None else False


@dataclass(frozen=True, slots=True)
class Enabling:
    """What `enable` hands the user once: the secret's URI and the backup codes in clear."""

    totp_uri: str
    backup_codes: list[str]


class TwoFactorService:
    def __init__(self, options: TwoFactorOptions, database: Database, keyring: Keyring, clock: Clock) -> None:
        self.options = options
        self._database = database
        self._keyring = keyring
        self._clock = clock

    # -- the row ------------------------------------------------------------------------------------------------

    async def find(self, user_id: str) -> TwoFactor | None:
        async with self._database.session() as db:
            return (await db.exec(select(TwoFactor).where(TwoFactor.user_id == user_id))).first()

    async def start(self, user: User, issuer: str) -> Enabling:
        """A new secret and backup codes for `user` (replacing a row not verified yet); 400 `TOTP_ALREADY_ENABLED`
        when a verified one exists. The row is verified at once with `skip_verification_on_enable`."""
        existing = await self.find(user.id)
        if existing is not None and existing.verified is not False:
            raise two_factor_error(TwoFactorErrorCode.TOTP_ALREADY_ENABLED, 400)
        secret = new_secret()
        codes = self.new_backup_codes()
        sealed, sealed_codes = seal(self._keyring, secret), self.seal_codes(codes)
        verified = self.options.skip_verification_on_enable
        async with self._database.session() as db, db.begin():
            if existing is not None:
                statement = update(TwoFactor).where(TwoFactor.id == existing.id)  # type: ignore[arg-type]
                await db.exec(statement.values(secret=sealed, backup_codes=sealed_codes, verified=verified))
            else:
                db.add(TwoFactor(user_id=user.id, secret=sealed, backup_codes=sealed_codes, verified=verified))
        return Enabling(self.uri(secret, issuer, user.email), codes)

    def uri(self, secret: str, issuer: str, account: str) -> str:
        return otpauth_uri(
            secret, issuer=issuer, account=account, digits=self.options.totp_digits, period=self.options.totp_period
        )

    def secret_of(self, row: TwoFactor) -> str:
        """The row's TOTP secret in clear (`EnvelopeError` when no configured secret opens it)."""
        return open_sealed(self._keyring, row.secret)

    async def mark_verified(self, row: TwoFactor) -> None:
        async with self._database.session() as db, db.begin():
            await db.exec(update(TwoFactor).where(TwoFactor.id == row.id).values(verified=True))  # type: ignore[arg-type]

    async def remove(self, user_id: str) -> None:
        async with self._database.session() as db, db.begin():
            await db.exec(delete(TwoFactor).where(TwoFactor.user_id == user_id))  # type: ignore[arg-type]

    # -- TOTP ---------------------------------------------------------------------------------------------------

    def totp_step(self, row: TwoFactor, code: str) -> int | None:
        """The time step whose code `code` is (within a period either way), or None."""
        key = secret_key(self.secret_of(row))
        options = self.options
        now = self._clock.now().timestamp()
        return matching_step(key, code, now=now, period=options.totp_period, digits=options.totp_digits)

    def step_lifetime(self) -> timedelta:
        """How long a step's code can still be accepted after it was used (the window's width)."""
        return timedelta(seconds=3 * self.options.totp_period)

    # -- backup codes -------------------------------------------------------------------------------------------

    def new_backup_codes(self) -> list[str]:
        length = self.options.backup_code_length
        half = length // 2
        codes = (generate_id(length, ALPHANUMERIC) for _ in range(self.options.backup_code_amount))
        return [f"{code[:half]}-{code[half:]}" for code in codes]

    def seal_codes(self, codes: list[str]) -> str:
        """better-auth's `storeBackupCodes: "encrypted"`: the JSON list, sealed."""
        return seal(self._keyring, json.dumps(codes, separators=(",", ":")))

    def codes_of(self, row: TwoFactor) -> list[str] | None:
        try:
            codes = json.loads(open_sealed(self._keyring, row.backup_codes))
        except (EnvelopeError, ValueError):
            return None
        return [code for code in codes if isinstance(code, str)] if isinstance(codes, list) else None

    async def replace_codes(self, row: TwoFactor) -> list[str]:
        codes = self.new_backup_codes()
        async with self._database.session() as db, db.begin():
            statement = update(TwoFactor).where(TwoFactor.id == row.id).values(backup_codes=self.seal_codes(codes))  # type: ignore[arg-type]
            await db.exec(statement)
        return codes

    async def use_backup_code(self, row: TwoFactor, code: str) -> bool:
        """Spend `code` if it is one of the row's: the remaining codes are written only if nobody changed them
        meanwhile, so one code cannot be spent twice by concurrent requests."""
        codes = self.codes_of(row)
        if codes is None:
            return False
        matched = [known for known in codes if hmac.compare_digest(known.encode(), code.encode())]
        if not matched:
            return False
        remaining = [known for known in codes if known != code]
        statement = (
            update(TwoFactor)
            .where(TwoFactor.id == row.id, TwoFactor.backup_codes == row.backup_codes)  # type: ignore[arg-type]
            .values(backup_codes=self.seal_codes(remaining))
        )
        async with self._database.session() as db, db.begin():
            result = await db.exec(statement)
        return bool(result.rowcount)

    # -- account lockout ----------------------------------------------------------------------------------------

    async def assert_not_locked(self, row: TwoFactor) -> None:
        """429 `ACCOUNT_TEMPORARILY_LOCKED` while the account's lock lasts; an expired lock is lifted here."""
        if not self.options.account_lockout_enabled or row.locked_until is None:
            return
        now = self._clock.now()
        if row.locked_until > now:
            raise two_factor_error(TwoFactorErrorCode.ACCOUNT_TEMPORARILY_LOCKED, 429)
        statement = (
            update(TwoFactor)
            .where(TwoFactor.id == row.id, TwoFactor.locked_until <= now)  # type: ignore[arg-type,operator]
            .values(failed_verification_count=0, locked_until=None)
        )
        async with self._database.session() as db, db.begin():
            await db.exec(statement)

    async def record_failure(self, row: TwoFactor) -> None:
        """Count a failed verification (atomically) and lock the account once `max_failed_attempts` is reached."""
        options = self.options
        if not options.account_lockout_enabled:
            return
        count_column = TwoFactor.__table__.c.failedVerificationCount  # type: ignore[attr-defined]
        increment = (
            update(TwoFactor)
            .where(TwoFactor.id == row.id)  # type: ignore[arg-type]
            .values(failed_verification_count=func.coalesce(count_column, 0) + 1)
        )
        async with self._database.session() as db, db.begin():
            counted = await update_returning(db, increment, [count_column], TwoFactor.id == row.id)  # type: ignore[arg-type]
            count = (counted[0] if counted else 0) or 0
            if count >= options.max_failed_attempts:
                audit("two_factor.locked", user=row.user_id)
                until = self._clock.now() + timedelta(seconds=options.lockout_duration_seconds)
                await db.exec(update(TwoFactor).where(TwoFactor.id == row.id).values(locked_until=until))  # type: ignore[arg-type]

    async def reset_failures(self, row: TwoFactor) -> None:
        """A successful verification: only consecutive failures count."""
        if not self.options.account_lockout_enabled:
            return
        statement = (
            update(TwoFactor).where(TwoFactor.id == row.id).values(failed_verification_count=0, locked_until=None)  # type: ignore[arg-type]
        )
        async with self._database.session() as db, db.begin():
            await db.exec(statement)
