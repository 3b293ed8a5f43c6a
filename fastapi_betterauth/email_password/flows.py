"""Email verification, password reset and password changes. No HTTP here.

Every emailed token is single-use. Reset and deletion tokens are random and stored hashed (`VerificationService`);
verification links are better-auth's signed JWTs, whose use is remembered hashed (`EmailTokens`). Requests an
anonymous caller can make
(send a verification link, ask for a reset) do all their work in the background: the answer is the same, and takes
the same time, whether or not the address belongs to someone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal
from urllib.parse import quote

from ..audit import audit
from ..clock import Clock
from ..crypto.password_policy import PasswordContext
from ..db.models import User
from ..db.queries import (
    find_credential_account,
    find_user_by_email,
    find_user_by_id,
)
from ..errors import AuthError, ErrorCode
from ..mail import EmailType, build_message
from ..sessions.service import AuthSession
from ..settings import AuthSettings
from ..verification.email_tokens import CHANGE_EMAIL_CONFIRMATION, CHANGE_EMAIL_VERIFICATION, EmailToken
from .collaborators import FlowRecords, FlowTokens, MailDelivery, PasswordTools
from .service import check_password, store_password

RESET_PASSWORD = "reset-password"
DELETE_ACCOUNT = "delete-account"

PasswordResetCallback = Callable[[User], Awaitable[None]]
VerificationSender = Callable[[User], Awaitable[None]]
"""`async def send(user)`: a plugin's way of asking a user to verify their address (the email-otp plugin's code)."""


@dataclass(frozen=True, slots=True)
class VerifiedEmail:
    """What following a verification link did."""

    user: User
    """The user of the link, as it is now."""
    outcome: Literal["verified", "already-verified", "change-confirmed", "email-changed"]
    """`verified`: the address became verified now; `change-confirmed`: the old address confirmed an email change,
    and the new one was sent its link; `email-changed`: the address changed."""


class EmailFlows:
    def __init__(
        self,
        settings: AuthSettings,
        records: FlowRecords,
        passwords: PasswordTools,
        tokens: FlowTokens,
        mail: MailDelivery,
        clock: Clock,
        *,
        on_password_reset: PasswordResetCallback | None = None,
    ) -> None:
        self.settings = settings
        self._database = records.database
        self._passwords = passwords.hasher
        self._policy = passwords.policy
        self._sessions = records.sessions
        self._users = records.users
        self._tokens = tokens.verification
        self._email_tokens = tokens.email
        self._mailer = mail.mailer
        self.templates = mail.templates
        """The wording of every email (`BetterAuth(email_templates=...)`), plugins' emails included."""
        self._background = mail.background
        self._clock = clock
        self._hooks = records.hooks
        self._on_password_reset = on_password_reset
        self.verification_sender: VerificationSender | None = None
        """Sends the verification email instead of the link (`Plugin.verification_sender`)."""
        self.sign_up_senders: list[VerificationSender] = []
        """Run for every new unverified user besides the link (`Plugin.sign_up_verification_sender`)."""

    # -- links and mail -------------------------------------------------------------------------------------

    def link(self, path: str, token: str | None, callback_url: str | None, *, callback: str = "/") -> str:
        """An absolute link to an auth route; `token` as a query parameter unless it is already in `path`."""
        target = quote(callback_url if callback_url is not None else callback, safe="")
        query = f"token={token}&" if token is not None else ""
        return f"{self.settings.url}{self.settings.base_path}{path}?{query}callbackURL={target}"

    async def _send(
        self, type: EmailType, user: User, url: str, token: str, *, to: str | None = None, new_email: str | None = None
    ) -> None:
        """Queue the message (the Mailer sends it after the response; a failure is logged, the token kept)."""
        if self.templates.locale_field is not None:  # the user's locale is one of its additional fields
            user = await self._users.with_values(user)
        message = build_message(
            type,
            to=to or user.email,
            url=url,
            token=token,
            user_id=user.id,
            user_name=user.name,
            app_name=self.settings.email.app_name,
            templates=self.templates,
            new_email=new_email,
            user=user,
        )
        self._mailer.dispatch(message)

    # -- email verification ------------------------------------------------------------------------------------

    async def send_verification(self, user: User, callback_url: str | None) -> None:
        """Mint a link for the user's current address and mail it (or what a plugin sends instead)."""
        if self.verification_sender is not None:
            await self.verification_sender(user)
            return
        ttl = self.settings.email_verification.expires_in
        token = self._email_tokens.mint(email=user.email, user_id=user.id, ttl=ttl)
        await self._send("verify-email", user, self.link("/verify-email", token, callback_url), token)

    def send_verification_later(self, user: User, callback_url: str | None) -> None:
        self._background.spawn(lambda: self.send_verification(user, callback_url), "verification email")

    def after_sign_up(self, user: User, callback_url: str | None) -> None:
        """Send the verification link a new user gets (`send_on_sign_up`, by default with required verification)."""
        send = self.settings.email_verification.send_on_sign_up
        if send is None:
            send = self.settings.email_and_password.require_email_verification
        if send and not user.email_verified:
            self.send_verification_later(user, callback_url)
        if not user.email_verified:
            for sender in self.sign_up_senders:
                self._background.spawn(partial(sender, user), "verification on sign-up")

    def after_unverified_sign_in(self, user: User, callback_url: str | None) -> None:
        """A sign-in refused for an unverified address sends a fresh link (`send_on_sign_in`)."""
        if self.settings.email_verification.send_on_sign_in:
            self.send_verification_later(user, callback_url)

    def notify_existing_account(self, email: str) -> None:
        """Sign-up with a taken address (where duplicates are not revealed): tell the owner instead."""

        async def job() -> None:
            async with self._database.session() as db:
                user = await find_user_by_email(db, email)
            if user is not None:
                url = f"{self.settings.url}/"
                await self._send("existing-account", user, url, "")

        self._background.spawn(job, "existing-account notice")

    def request_verification(self, email: str, callback_url: str | None) -> None:
        """Anonymous request: mail a link if the address is an unverified user's; reveal nothing either way."""

        async def job() -> None:
            async with self._database.session() as db:
                user = await find_user_by_email(db, email)
            if user is not None and not user.email_verified:
                await self.send_verification(user, callback_url)

        self._background.spawn(job, "verification email request")

    async def verify_email(self, token: str, callback_url: str | None, signed_in: User | None) -> VerifiedEmail:
        """Follow a verification link (better-auth's order of checks): the address it names becomes verified, or an
        email change goes on. `signed_in` is the user of the browser following it, if any. 401 `TOKEN_EXPIRED`,
        `INVALID_TOKEN` (also for a used link), `USER_NOT_FOUND` or `INVALID_USER`; a used-up link changes nothing."""
        read = self._email_tokens.read(token)
        if read.update_to is not None:
            return await self._follow_email_change(token, read, callback_url, signed_in)
        async with self._database.session() as db:
            user = await find_user_by_email(db, read.email)
        if user is None:
            raise AuthError(ErrorCode.USER_NOT_FOUND, 401)
        if read.user_id is not None and read.user_id != user.id:
            raise AuthError(ErrorCode.INVALID_TOKEN)
        await self._email_tokens.spend(token, read)
        if user.email_verified:
            return VerifiedEmail(user, "already-verified")
        audit("email.verified", user=user.id)
        return VerifiedEmail(await self._users.update(user, {"email_verified": True}), "verified")

    async def _follow_email_change(
        self, token: str, read: EmailToken, callback_url: str | None, signed_in: User | None
    ) -> VerifiedEmail:
        if read.user_id is None:
            raise AuthError(ErrorCode.INVALID_TOKEN)
        async with self._database.session() as db:
            user = await find_user_by_id(db, read.user_id)
        if user is None:
            raise AuthError(ErrorCode.USER_NOT_FOUND, 401)
        if user.email.lower() != read.email:
            raise AuthError(ErrorCode.INVALID_TOKEN)  # the address changed since the link was sent
        if signed_in is not None and signed_in.id != user.id:
            raise AuthError(ErrorCode.INVALID_USER)
        assert read.update_to is not None
        await self._email_tokens.spend(token, read)
        if read.request_type == CHANGE_EMAIL_CONFIRMATION:
            await self._send_change_verification(user, read.update_to, callback_url)
            return VerifiedEmail(user, "change-confirmed")
        # The new address proved itself by following this link. (better-auth's own older links without a request
        # type change the address unverified and send it a link of its own.)
        proven = read.request_type == CHANGE_EMAIL_VERIFICATION
        changed = await self._users.update(user, {"email": read.update_to, "email_verified": proven})
        audit("email.changed", user=user.id)
        if not proven:
            await self.send_verification(changed, callback_url)
        return VerifiedEmail(changed, "email-changed")

    # -- change of email address -------------------------------------------------------------------------------

    async def change_email(self, user: User, new_email: str, callback_url: str | None) -> User | None:
        """Start (or, for an unverified address with `update_email_without_verification`, make) a change of address.

        Returns the updated user when the change happened at once. A taken address answers like a free one and
        sends nothing. A verified address confirms by a link to the old address first, then to the new one.
        """
        options = self.settings.user.change_email
        if not options.enabled:
            raise AuthError(ErrorCode.CHANGE_EMAIL_DISABLED)
        new_email = new_email.lower()
        if new_email == user.email:
            raise AuthError(ErrorCode.EMAIL_IS_THE_SAME)
        async with self._database.session() as db:
            taken = await find_user_by_email(db, new_email) is not None
        if taken:
            return None
        if not user.email_verified and options.update_email_without_verification:
            try:
                updated = await self._users.update(user, {"email": new_email, "email_verified": False})
            except AuthError as error:
                if error.code != ErrorCode.USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL:
                    raise
                return None  # taken in the meantime: the same answer as any taken address
            self.send_verification_later(updated, callback_url)
            return updated
        if user.email_verified:
            self._background.spawn(
                lambda: self._send_change_confirmation(user, new_email, callback_url), "email change confirmation"
            )
        else:
            self._background.spawn(
                lambda: self._send_change_verification(user, new_email, callback_url), "email change verification"
            )
        return None

    async def _send_change_confirmation(self, user: User, new_email: str, callback_url: str | None) -> None:
        token = self._change_token(user, new_email, CHANGE_EMAIL_CONFIRMATION)
        url = self.link("/verify-email", token, callback_url)
        await self._send("change-email-confirmation", user, url, token, new_email=new_email)

    async def _send_change_verification(self, user: User, new_email: str, callback_url: str | None) -> None:
        token = self._change_token(user, new_email, CHANGE_EMAIL_VERIFICATION)
        url = self.link("/verify-email", token, callback_url)
        await self._send("change-email-verification", user, url, token, to=new_email, new_email=new_email)

    def _change_token(self, user: User, new_email: str, request_type: str) -> str:
        ttl = self.settings.email_verification.expires_in
        return self._email_tokens.mint(
            email=user.email, user_id=user.id, ttl=ttl, update_to=new_email, request_type=request_type
        )

    # -- account deletion --------------------------------------------------------------------------------------

    def send_delete_confirmation(self, user: User, callback_url: str | None) -> None:
        async def job() -> None:
            ttl = self.settings.user.delete_user.delete_token_expires_in
            token = await self._tokens.issue(DELETE_ACCOUNT, {"userId": user.id}, ttl)
            await self._send("delete-account", user, self.link("/delete-user/callback", token, callback_url), token)

        self._background.spawn(job, "account deletion confirmation")

    async def redeem_delete_token(self, token: str, user_id: str) -> None:
        """Use a deletion link; it must be the signed-in user's (404 `INVALID_TOKEN` otherwise, as better-auth)."""
        redeemed = await self._tokens.consume(DELETE_ACCOUNT, token)
        if redeemed.value is None or redeemed.value.get("userId") != user_id:
            raise AuthError(ErrorCode.INVALID_TOKEN, 404)

    # -- password reset ----------------------------------------------------------------------------------------

    def request_password_reset(self, email: str, redirect_to: str | None) -> None:
        """Mail a reset link if the address is a user's; the caller answers the same either way."""

        async def job() -> None:
            async with self._database.session() as db:
                user = await find_user_by_email(db, email)
            if user is None:
                return
            ttl = self.settings.email_and_password.reset_password_token_expires_in
            token = await self._tokens.issue(RESET_PASSWORD, {"userId": user.id}, ttl)
            url = self.link(f"/reset-password/{token}", None, redirect_to, callback="")
            await self._send("reset-password", user, url, token)

        self._background.spawn(job, "password reset request")

    async def reset_token_is_valid(self, token: str) -> bool:
        return (await self._tokens.peek(RESET_PASSWORD, token)).value is not None

    async def reset_password(self, token: str, new_password: str) -> User:
        """Set a new password with a reset link (single use). A password the policy refuses keeps the link usable.
        Its length is checked before the token, as better-auth does."""
        self._policy.check_length(new_password)
        peeked = await self._tokens.peek(RESET_PASSWORD, token)
        if peeked.value is None:
            raise AuthError(ErrorCode.INVALID_TOKEN, 400)
        async with self._database.session() as db:
            user = await find_user_by_id(db, str(peeked.value.get("userId")))
        if user is None:
            raise AuthError(ErrorCode.USER_NOT_FOUND, 400)
        await self._policy.check(new_password, PasswordContext(email=user.email, name=user.name))
        password_hash = await self._passwords.hash(new_password)
        if (await self._tokens.consume(RESET_PASSWORD, token)).value is None:
            raise AuthError(ErrorCode.INVALID_TOKEN, 400)  # used meanwhile by a concurrent request
        await self._store_password(user, password_hash)
        if self.settings.email_and_password.revoke_sessions_on_password_reset:
            await self._sessions.revoke_all(user.id, secured=True)
        else:
            await self._sessions.account_secured(user.id)
        audit("password.reset", user=user.id)
        if self._on_password_reset is not None:
            await self._on_password_reset(user)
        return user

    async def _store_password(self, user: User, password_hash: str) -> None:
        await store_password(self._database, self._hooks, self._clock.now(), user.id, password_hash)

    # -- signed-in password changes ----------------------------------------------------------------------------

    async def verify_password(self, user: User, password: str) -> None:
        """400 `INVALID_PASSWORD` unless `password` is the user's (`CREDENTIAL_ACCOUNT_NOT_FOUND` without one)."""
        await check_password(self._database, self._passwords, user, password)

    async def change_password(
        self, found: AuthSession, current_password: str, new_password: str, *, revoke_other_sessions: bool
    ) -> AuthSession | None:
        """Change the password; with `revoke_other_sessions`, end every session and open a new one (returned)."""
        user = found.user
        await self._policy.check(new_password, PasswordContext(email=user.email, name=user.name))
        new_hash = await self._passwords.hash(new_password)
        await self.verify_password(user, current_password)
        await self._store_password(user, new_hash)
        audit("password.changed", user=user.id, session=found.session.id)
        if not revoke_other_sessions:
            return None
        # The new session first, then every other one ends: a revocation never catches the session made after it.
        renewed = await self._sessions.create(
            user, ip_address=found.session.ip_address, user_agent=found.session.user_agent
        )
        await self._sessions.revoke_all(user.id, except_token=renewed.session.token, secured=True)
        return renewed

    async def set_password(self, user_id: str, new_password: str) -> None:
        """Give an account without a password (OAuth-only) one. 400 `PASSWORD_ALREADY_SET` if it has one."""
        async with self._database.session() as db:
            user = await find_user_by_id(db, user_id)
            account = await find_credential_account(db, user_id) if user is not None else None
        if user is None:
            raise AuthError(ErrorCode.USER_NOT_FOUND)
        if account is not None and account.password:
            raise AuthError(ErrorCode.PASSWORD_ALREADY_SET)
        await self._policy.check(new_password, PasswordContext(email=user.email, name=user.name))
        await self._store_password(user, await self._passwords.hash(new_password))
