"""What the passwordless sign-ins (magic link, email OTP) share: finding or creating the user of an address that was
just proven, taking over an unproven account safely, and opening the session through the sign-in stages.
No HTTP here.

An address proven by a mailed link or code makes its user verified. A user whose address was *not* verified before
may have been created by someone else (a sign-up with a stranger's address, with the attacker's password): before
the mailbox's owner gets in, every account (password, social links) and every session of that user is removed,
as better-auth does (docs/security.md L5).
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from ..audit import audit
from ..crypto.tokens import generate_id
from ..db.models import Account, User
from ..db.queries import find_user_by_email
from ..errors import AuthError, ErrorCode
from ..hooks import HookVetoError
from ..plugins.context import AuthContext
from ..sessions.issuer import SignInAttempt
from ..sessions.service import AuthSession, ClientInfo


class PasswordlessUsers:
    """Users of proven addresses, for a plugin's sign-in routes."""

    def __init__(self, context: AuthContext) -> None:
        self._context = context

    async def find(self, email: str) -> User | None:
        """The user of `email` (any case)."""
        async with self._context.database.session() as db:
            return await find_user_by_email(db, email)

    async def create(self, email: str, *, name: str | None, image: str | None = None, method: str) -> User:
        """A new user of the proven `email` (verified, no account row), through the user create hooks. A concurrent
        creation of the same address yields the user it made. 400 `FAILED_TO_CREATE_USER` when a hook refuses."""
        context = self._context
        fields = context.users.fields
        now = context.clock.now()
        values = {
            **fields.parse_input({}, "create"),
            "name": name or "",
            "email": email.lower(),
            "email_verified": True,
            "image": image,
            "created_at": now,
            "updated_at": now,
        }
        try:
            data = await context.hooks.before("user", "create", values)
        except HookVetoError:
            raise AuthError(ErrorCode.FAILED_TO_CREATE_USER, 400) from None
        user = fields.build({**data, "id": generate_id(), "email": str(data["email"]).lower()})
        try:
            async with context.hooks.unit_of_work(), context.database.session() as db, db.begin():
                await fields.insert(db, user)
                await context.hooks.after("user", "create", fields.hook_data(user))
        except IntegrityError:
            existing = await self.find(email)
            if existing is None:
                raise AuthError(ErrorCode.FAILED_TO_CREATE_USER, 400) from None
            return existing
        audit("sign_up", user=user.id, method=method)
        return user

    async def prove_email(self, user: User) -> User:
        """The user once their address is proven: an unverified one loses every account and session it had (they
        predate the proof), then becomes verified. A verified one is returned unchanged."""
        if user.email_verified:
            return user
        context = self._context
        async with context.database.session() as db, db.begin():
            await db.exec(delete(Account).where(Account.user_id == user.id))  # type: ignore[arg-type]
        await context.sessions.revoke_all(user.id, secured=True)
        audit("account.unproven_access_revoked", user=user.id)
        return await context.users.update(user, {"email_verified": True})

    async def sign_in(self, user: User, method: str, client: ClientInfo) -> AuthSession:
        """A session for `user` through every sign-in stage (bans, two-factor...)."""
        try:
            return await self._context.issuer.issue(SignInAttempt(user, method, True, client))
        except HookVetoError:
            raise AuthError(ErrorCode.FAILED_TO_CREATE_SESSION) from None
