"""Sign-up and sign-in with email and password (docs/better-auth.md#sign-up, #sign-in). No HTTP here."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError, IntegrityError

from ..addresses import is_valid_email
from ..audit import audit, email_digest
from ..clock import Clock
from ..crypto.password_policy import PasswordContext, PasswordPolicy
from ..crypto.passwords import PasswordHasher
from ..crypto.tokens import generate_id
from ..db.diagnose import is_missing_schema, log_missing_schema
from ..db.engine import Database
from ..db.models import CREDENTIAL_PROVIDER, Account, User
from ..db.queries import find_credential_account, find_user_by_email, find_user_with_credential, set_account_password
from ..errors import AuthError, ErrorCode, is_outage, unavailable
from ..fields.model import ModelFields
from ..fields.schema import AuthSchema
from ..hooks import HookRunner, HookVetoError
from ..sessions.issuer import SessionIssuer, SignInAttempt
from ..sessions.service import AuthSession, ClientInfo
from ..settings import EmailAndPasswordSettings

if TYPE_CHECKING:
    from .flows import EmailFlows

logger = logging.getLogger("fastapi_betterauth")


def credential_account(user_id: str, password_hash: str, now: datetime) -> dict[str, Any]:
    """The fields of a new email/password account (what its `account` create hooks see)."""
    return {
        "account_id": user_id,
        "provider_id": CREDENTIAL_PROVIDER,
        "user_id": user_id,
        "password": password_hash,
        "created_at": now,
        "updated_at": now,
    }


async def store_password(
    database: Database, hooks: HookRunner, now: datetime, user_id: str, password_hash: str
) -> None:
    """Replace the user's credential account's hash, creating the account for a user who had none (OAuth-only, or
    made by an admin without a password), with the `account` create hooks."""
    async with hooks.unit_of_work(), database.session() as db, db.begin():
        account = await find_credential_account(db, user_id)
        if account is not None:
            await set_account_password(db, account.id, password_hash, now)
            return
        data = await hooks.before("account", "create", credential_account(user_id, password_hash, now))
        created = Account(**{**data, "id": generate_id(), "user_id": user_id})
        db.add(created)
        await hooks.after("account", "create", created.model_dump())


def _new_user(name: str, email: str, image: str | None, now: datetime, extra: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a user signing up (what its `user` create hooks see), unverified."""
    return {
        "name": name,
        "email": email,
        "email_verified": False,
        "image": image,
        "created_at": now,
        "updated_at": now,
        **extra,
    }


async def check_password(database: Database, passwords: PasswordHasher, user: User, password: str) -> None:
    """400 `INVALID_PASSWORD` unless `password` is the user's (`CREDENTIAL_ACCOUNT_NOT_FOUND` without one)."""
    async with database.session() as db:
        account = await find_credential_account(db, user.id)
    if account is None or not account.password:
        await passwords.verify_dummy(password)
        raise AuthError(ErrorCode.CREDENTIAL_ACCOUNT_NOT_FOUND)
    if not (await passwords.verify(password, account.password)).valid:
        raise AuthError(ErrorCode.INVALID_PASSWORD)


class _EmailTaken(Exception):
    """The user insert hit the unique email key."""


@dataclass(frozen=True, slots=True)
class SignUpResult:
    user: User
    session: AuthSession | None
    """None when the user is not signed in right away (auto sign-in off, verification required)."""


UNKNOWN_CLIENT = ClientInfo()
"""Where a server-side call (no request) comes from."""


class EmailPasswordService:
    def __init__(
        self,
        settings: EmailAndPasswordSettings,
        database: Database,
        passwords: PasswordHasher,
        issuer: SessionIssuer,
        clock: Clock,
        hooks: HookRunner | None = None,
        policy: PasswordPolicy | None = None,
        fields: ModelFields[User] | None = None,
    ) -> None:
        self.settings = settings
        self._fields: ModelFields[User] = fields or AuthSchema().user
        self.policy = policy or PasswordPolicy(settings)
        self._database = database
        self._passwords = passwords
        self._issuer = issuer
        self._clock = clock
        self._hooks = hooks or HookRunner()
        self.emails: EmailFlows | None = None
        """The email flows, once wired: verification links at sign-up and sign-in, existing-account notices."""

    @property
    def _generic_duplicates(self) -> bool:
        # When sign-up never signs in, a duplicate email can be answered like a new one: no enumeration.
        return self.settings.require_email_verification or not self.settings.auto_sign_in

    async def sign_up(
        self,
        *,
        name: str,
        email: str,
        password: str,
        image: str | None = None,
        remember_me: bool = True,
        client: ClientInfo = UNKNOWN_CLIENT,
        callback_url: str | None = None,
        additional: Mapping[str, Any] | None = None,
    ) -> SignUpResult:
        """Create the user and its credential account in one transaction, and sign in unless configured not to.
        `additional`: the body's other keys, read as the user's additional fields (`ModelFields.parse_input`).

        The password is hashed before the insert, so a duplicate email costs the same time as a new one; the
        unique key decides races (of concurrent sign-ups with one email, exactly one succeeds).
        """
        if not self.settings.enabled or self.settings.disable_sign_up:
            raise AuthError(ErrorCode.EMAIL_PASSWORD_SIGN_UP_DISABLED)
        email = email.lower()
        if not is_valid_email(email):
            raise AuthError(ErrorCode.INVALID_EMAIL)
        extra = await self._fields.read_input(additional or {}, "create")
        await self.policy.check(password, PasswordContext(email=email, name=name))
        password_hash = await self._passwords.hash(password)
        now = self._clock.now()
        user_id = generate_id()
        try:
            user_data = await self._hooks.before("user", "create", _new_user(name, email, image, now, extra))
            user = self._fields.build({**user_data, "id": user_id, "email": str(user_data["email"]).lower()})
            account_data = await self._hooks.before(
                "account", "create", credential_account(user_id, password_hash, now)
            )
        except HookVetoError:
            raise AuthError(ErrorCode.FAILED_TO_CREATE_USER) from None
        account = Account(**{**account_data, "id": generate_id(), "user_id": user_id})
        sign_in = self.settings.auto_sign_in and not self.settings.require_email_verification
        attempt = SignInAttempt(user, "sign-up", remember_me, client)
        if sign_in:  # before anything is written: a stage that refuses it stops the sign-up
            attempt = await self._issuer.check(attempt)
        session: AuthSession | None = None
        try:
            async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
                try:  # the unique email is checked here, before anything else is written
                    await self._fields.insert(db, user)
                except IntegrityError as exc:
                    raise _EmailTaken from exc
                db.add(account)
                await self._hooks.after("user", "create", self._fields.hook_data(user))
                await self._hooks.after("account", "create", account.model_dump())
                if sign_in:
                    session = await self._issuer.create(attempt, db=db)
        except _EmailTaken:
            if self._fields.unique and not await self._email_taken(email):
                raise AuthError(ErrorCode.FAILED_TO_CREATE_USER) from None  # another unique field's value
            if self._generic_duplicates:
                if self.emails is not None:
                    self.emails.notify_existing_account(email)
                return SignUpResult(self._synthetic_user(name, email, image, extra), None)
            raise AuthError(ErrorCode.USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL) from None
        except HookVetoError:
            raise AuthError(ErrorCode.FAILED_TO_CREATE_SESSION) from None
        except DBAPIError as exc:
            # Rolled back as a whole: no user is left without its credential account.
            if is_outage(exc):
                raise unavailable() from exc  # the database went away mid-sign-up: 503, try again
            if is_missing_schema(exc):
                log_missing_schema(self._database)
                raise AuthError(ErrorCode.FAILED_TO_CREATE_USER) from None
            logger.exception("sign-up failed after the user insert")
            raise AuthError(ErrorCode.FAILED_TO_CREATE_USER) from None
        audit("sign_up", user=user.id, ip=client.ip_address, method="password")
        if self.emails is not None:
            self.emails.after_sign_up(user, callback_url)
        return SignUpResult(user, session)

    async def _email_taken(self, email: str) -> bool:
        async with self._database.session() as db:
            return await find_user_by_email(db, email) is not None

    def _synthetic_user(self, name: str, email: str, image: str | None, extra: Mapping[str, Any]) -> User:
        return self._fields.build({"id": generate_id(), **_new_user(name, email, image, self._clock.now(), extra)})

    async def hash_password(self, password: str) -> str:
        """`password` hashed as every credential is (what a plugin stores for a user it creates)."""
        return await self._passwords.hash(password)

    async def replace_password(self, user: User, new_password: str) -> None:
        """Give `user` this password (server-side: no current password asked), after the password policy; creates
        the credential account when they have none. Their sessions are left alone."""
        await self.policy.check(new_password, PasswordContext(email=user.email, name=user.name))
        password_hash = await self._passwords.hash(new_password)
        await store_password(self._database, self._hooks, self._clock.now(), user.id, password_hash)

    async def sign_in(
        self,
        *,
        email: str,
        password: str,
        remember_me: bool = True,
        client: ClientInfo = UNKNOWN_CLIENT,
        callback_url: str | None = None,
    ) -> AuthSession:
        """Check the password and open a session. Unknown email and wrong password fail alike, in alike time."""
        if not self.settings.enabled:
            raise AuthError(ErrorCode.EMAIL_PASSWORD_DISABLED)
        if not is_valid_email(email):
            raise AuthError(ErrorCode.INVALID_EMAIL)
        if len(password) > self.settings.max_password_length:
            raise AuthError(ErrorCode.PASSWORD_TOO_LONG)
        async with self._database.session() as db:
            found = await find_user_with_credential(db, email, self._fields)
        return await self.sign_in_with_password(
            found,
            password,
            remember_me=remember_me,
            client=client,
            callback_url=callback_url,
            method="email",
            refusal=AuthError(ErrorCode.INVALID_EMAIL_OR_PASSWORD),
            unknown={"reason": "unknown_email", "email": email_digest(email)},
        )

    async def verify_password(self, user: User, password: str) -> None:
        """400 `INVALID_PASSWORD` unless `password` is the user's (`CREDENTIAL_ACCOUNT_NOT_FOUND` without one)."""
        await check_password(self._database, self._passwords, user, password)

    async def sign_in_with_password(
        self,
        found: tuple[User, Account | None] | None,
        password: str,
        *,
        remember_me: bool,
        client: ClientInfo,
        callback_url: str | None,
        method: str,
        refusal: AuthError,
        unknown: Mapping[str, str],
    ) -> AuthSession:
        """Open a session for `found` (a user and its credential account, however the sign-in method found them)
        when `password` is theirs; `refusal` otherwise, alike for an unknown user and a wrong password, in alike time
        (L1). Unverified addresses are refused as `require_email_verification` asks; the sign-in stages run.
        `method` names the sign-in to the stages (`SignInAttempt.method`); `unknown`: what the audit log says of a user
        not found (never the identifier in clear, L7)."""
        user, account = found if found else (None, None)
        if user is None or account is None or not account.password:
            await self._passwords.verify_dummy(password)
            audit("sign_in.failed", **unknown, ip=client.ip_address)
            raise refusal
        outcome = await self._passwords.verify(password, account.password)
        if not outcome.valid:
            audit("sign_in.failed", reason="wrong_password", user=user.id, ip=client.ip_address)
            raise refusal
        if self.settings.require_email_verification and not user.email_verified:
            if self.emails is not None:
                self.emails.after_unverified_sign_in(user, callback_url)
            raise AuthError(ErrorCode.EMAIL_NOT_VERIFIED)
        attempt = await self._issuer.check(SignInAttempt(user, method, remember_me, client))
        try:
            async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
                session = await self._issuer.create(attempt, db=db)
                if outcome.new_hash is not None:
                    await set_account_password(db, account.id, outcome.new_hash, self._clock.now())
        except HookVetoError:
            raise AuthError(ErrorCode.FAILED_TO_CREATE_SESSION) from None
        audit("sign_in.succeeded", user=user.id, session=session.session.id, ip=client.ip_address, method="password")
        return session
