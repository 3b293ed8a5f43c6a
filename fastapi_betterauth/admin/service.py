"""What an admin does to users: permissions, bans, creating, changing and removing users. No HTTP here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..addresses import is_valid_email
from ..audit import audit
from ..crypto.tokens import generate_id
from ..db.models import Account, User
from ..db.queries import find_user_by_email
from ..email_password.service import credential_account
from ..errors import AuthError, ErrorCode
from ..hooks import HookVetoError
from ..plugins.context import AuthContext
from ..sessions.issuer import SignInAttempt
from .access import Permissions, has_permission, role_names
from .errors import AdminErrorCode, admin_error, forbidden
from .fields import BAN_EXPIRES, BAN_FIELDS, BAN_REASON, BANNED, ROLE, read_admin_data, user_field
from .options import AdminOptions

RoleInput = str | Sequence[Any]

OPERATOR = "cli"
"""Who did it, in the audit log, when no admin did: the operator at the command line (`actor=None`)."""


def actor_id(actor: User | None) -> str:
    return OPERATOR if actor is None else actor.id


class AdminService:
    """Permissions of users, and the admin's operations on other users."""

    def __init__(self, options: AdminOptions, context: AuthContext) -> None:
        self.options = options
        self._context = context
        self._users = context.users
        self._fields = context.users.fields
        self._clock = context.clock

    # --- permissions --------------------------------------------------------------------------------------------

    def permitted(self, user: User, permissions: Permissions | None) -> bool:
        """Whether `user` (their role, or their id in `admin_user_ids`) has `permissions`."""
        return has_permission(
            permissions,
            user_id=user.id,
            role=user_field(user, ROLE),
            roles=self.options.active_roles,
            default_role=self.options.default_role,
            admin_user_ids=self.options.admin_user_ids,
        )

    def require(self, user: User, permissions: Permissions, code: AdminErrorCode) -> None:
        """403 `code` unless `user` has `permissions`."""
        if not self.permitted(user, permissions):
            raise forbidden(code)

    def is_admin(self, user: User) -> bool:
        """A user with one of `admin_roles`, or in `admin_user_ids`."""
        admin_roles = {role.strip() for role in self.options.admin_roles}
        names = role_names(user_field(user, ROLE), self.options.default_role)
        return any(name in admin_roles for name in names) or user.id in self.options.admin_user_ids

    def role_value(self, role: RoleInput) -> str:
        """A role as stored: one name, or several comma-joined. 400 `INVALID_ROLE_TYPE` for what is not text, and
        with configured `roles`, 400 `YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE` for a role not among them."""
        names = [role] if isinstance(role, str) else list(role)
        for name in names:
            if not isinstance(name, str):
                raise admin_error(AdminErrorCode.INVALID_ROLE_TYPE, 400)
            if self.options.roles is not None and name not in self.options.roles:
                raise admin_error(AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE, 400)
        return ",".join(names)

    # --- the ban at sign-in -------------------------------------------------------------------------------------

    async def refuse_banned(self, attempt: SignInAttempt) -> SignInAttempt | None:
        """The sign-in stage (S7): a banned user gets 403 `BANNED_USER` (`banned_user_message`), whichever way they
        sign in; a ban that has expired is lifted here and the sign-in goes on with the user as now stored."""
        lifted = await self.lift_expired_ban(attempt.user)
        return None if lifted is None else replace(attempt, user=lifted)

    async def lift_expired_ban(self, user: User) -> User | None:
        """None when `user` is not banned; the user unbanned when their ban has expired; else 403 `BANNED_USER`."""
        if not user_field(user, BANNED):
            return None
        expires = user_field(user, BAN_EXPIRES)
        if expires is not None and expires < self._clock.now():
            unbanned = await self._users.update(user, {BANNED: False, BAN_REASON: None, BAN_EXPIRES: None})
            audit("admin.ban_expired", user=user.id)
            return unbanned
        raise AuthError(AdminErrorCode.BANNED_USER, 403, self.options.banned_user_message)

    # --- users --------------------------------------------------------------------------------------------------

    async def get_user(self, user_id: str) -> User:
        """The user, or 404 `USER_NOT_FOUND`."""
        user = await self._users.get(user_id)
        if user is None:
            raise AuthError(ErrorCode.USER_NOT_FOUND)
        return user

    async def user_by_email(self, email: str) -> User:
        """The user with `email` (in any case), or 404 `USER_NOT_FOUND` naming the address (for operators)."""
        owner = await self._email_owner(email.lower())
        if owner is None:
            raise AuthError(ErrorCode.USER_NOT_FOUND, None, f"no user with the email {email.lower()!r}")
        return await self.get_user(owner)

    async def ban(self, actor: User | None, user_id: str, reason: str | None, expires_in: float | None) -> User:
        """Ban a user (never oneself): until `expires_in` seconds from now, or until lifted; every session of theirs
        ends, copies in the cookie cache and secondary storage included (S7). `actor` None: the command line."""
        user = await self.get_user(user_id)
        if actor is not None and user.id == actor.id:
            raise admin_error(AdminErrorCode.YOU_CANNOT_BAN_YOURSELF, 400)
        seconds = expires_in or self.options.default_ban_expires_in
        try:
            expires = self._clock.now() + timedelta(seconds=seconds) if seconds else None
        except (OverflowError, ValueError):  # beyond the calendar (or not a number at all: NaN)
            raise AuthError(ErrorCode.VALIDATION_ERROR, 400, "[body.banExpiresIn] Invalid input") from None
        reason = reason or self.options.default_ban_reason or "No reason"
        banned = await self._users.update(user, {BANNED: True, BAN_REASON: reason, BAN_EXPIRES: expires})
        await self._context.sessions.revoke_all(user.id)
        audit("admin.user_banned", user=user.id, by=actor_id(actor))
        return banned

    async def unban(self, actor: User | None, user_id: str) -> User:
        user = await self.get_user(user_id)
        unbanned = await self._users.update(user, {BANNED: False, BAN_REASON: None, BAN_EXPIRES: None})
        audit("admin.user_unbanned", user=user.id, by=actor_id(actor))
        return unbanned

    async def set_role(self, actor: User | None, user_id: str, role: RoleInput) -> User:
        value = self.role_value(role)
        user = await self.get_user(user_id)
        updated = await self._users.update(user, {ROLE: value})
        audit("admin.role_set", user=user.id, by=actor_id(actor), role=value)
        return updated

    async def create_user(
        self,
        actor: User | None,
        *,
        email: str,
        name: str,
        password: str | None,
        role: RoleInput | None,
        data: Mapping[str, Any],
    ) -> User:
        """A new user (and their credential account when a password is given), made by `actor` (None: the command
        line, which may do anything): setting a role needs `user:set-role`, ban fields `user:ban`. The password meets
        the password policy."""
        data = dict(data)
        requested = role if role is not None else data.pop(ROLE, None)
        data.pop(ROLE, None)
        if requested is not None:
            if actor is not None:
                self.require(actor, {"user": ["set-role"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE)
            value = self.role_value(requested)
        else:
            value = self.options.default_role
        if actor is not None and any(key in data for key in BAN_FIELDS):
            self.require(actor, {"user": ["ban"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_BAN_USERS)
        email = email.lower()
        if not is_valid_email(email):
            raise AuthError(ErrorCode.INVALID_EMAIL, 400)
        if password:
            await self._context.email_password.policy.check(password)
        if await self._email_owner(email) is not None:
            raise AuthError(ErrorCode.USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL, 400)
        data.pop("email", None)
        data.pop("name", None)
        values = await read_admin_data(self._fields, data, "create", None)
        password_hash = await self._context.email_password.hash_password(password) if password else None
        user = await self._insert({**values, "name": name, "email": email, ROLE: value}, password_hash)
        audit("admin.user_created", user=user.id, by=actor_id(actor))
        return user

    async def _insert(self, values: dict[str, Any], password_hash: str | None) -> User:
        hooks = self._context.hooks
        now = self._clock.now()
        user_id = generate_id()
        try:
            data = await hooks.before(
                "user",
                "create",
                {"email_verified": False, "image": None, **values, "created_at": now, "updated_at": now},
            )
            user = self._fields.build({**data, "id": user_id, "email": str(data["email"]).lower()})
            account_data = (
                await hooks.before("account", "create", credential_account(user_id, password_hash, now))
                if password_hash is not None
                else None
            )
        except HookVetoError:
            raise AuthError(ErrorCode.FAILED_TO_CREATE_USER) from None
        try:
            async with hooks.unit_of_work(), self._context.database.session() as db, db.begin():
                await self._fields.insert(db, user)
                await hooks.after("user", "create", self._fields.hook_data(user))
                if account_data is not None:
                    account = Account(**{**account_data, "id": generate_id(), "user_id": user_id})
                    db.add(account)
                    await hooks.after("account", "create", account.model_dump())
        except IntegrityError:
            if self._fields.unique and await self._email_owner(user.email) is None:
                raise AuthError(ErrorCode.FAILED_TO_CREATE_USER) from None  # another unique field's value
            raise AuthError(ErrorCode.USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL, 400) from None
        return user

    async def _email_owner(self, email: str) -> str | None:
        async with self._context.database.session() as db:
            found = await find_user_by_email(db, email)
        return None if found is None else found.id

    async def update_user(self, actor: User, user_id: str, data: Mapping[str, Any]) -> User:
        """Change a user as better-auth's `admin/update-user` does: never the password or id; a role needs
        `user:set-role`, ban fields `user:ban` (a ban ends the user's sessions, never one's own), the email
        `user:set-email` (kept lower-case, and free), a phone number `user:set-phone`."""
        if not data:
            raise admin_error(AdminErrorCode.NO_DATA_TO_UPDATE, 400)
        if "password" in data:
            raise admin_error(AdminErrorCode.PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER, 400)
        if "id" in data:
            raise admin_error(AdminErrorCode.USER_ID_CANNOT_BE_UPDATED, 400)
        changes = dict(data)
        if ROLE in changes:
            self.require(actor, {"user": ["set-role"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE)
            role = changes[ROLE]
            changes[ROLE] = self.role_value(role if isinstance(role, list) else [role])
        if any(key in changes for key in BAN_FIELDS):
            self.require(actor, {"user": ["ban"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_BAN_USERS)
            if changes.get(BANNED) is True and user_id == actor.id:
                raise admin_error(AdminErrorCode.YOU_CANNOT_BAN_YOURSELF, 400)
        if "email" in changes or "emailVerified" in changes:
            self.require(actor, {"user": ["set-email"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_SET_USERS_EMAIL)
            if "email" in changes:
                email = str(changes["email"]).lower()
                if not is_valid_email(email):
                    raise AuthError(ErrorCode.INVALID_EMAIL, 400)
                owner = await self._email_owner(email)
                if owner is not None and owner != user_id:
                    raise AuthError(ErrorCode.USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL, 400)
                changes["email"] = email
        if "phoneNumber" in changes or "phoneNumberVerified" in changes:
            self.require(actor, {"user": ["set-phone"]}, AdminErrorCode.YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PHONE_NUMBER)
        user = await self.get_user(user_id)
        values = await read_admin_data(self._fields, changes, "update", user)
        updated = await self._users.update(user, values) if values else user
        if values.get(BANNED) is True:
            await self._context.sessions.revoke_all(user.id)
        audit("admin.user_updated", user=user.id, by=actor.id)
        return updated

    async def set_password(self, actor: User, user_id: str, new_password: str) -> None:
        """Give a user a new password (creating their credential account if they have none); their sessions stay."""
        self._context.email_password.policy.check_length(new_password)
        user = await self.get_user(user_id)
        await self._context.email_password.replace_password(user, new_password)
        audit("admin.password_set", user=user.id, by=actor.id)

    async def remove_user(self, actor: User, user_id: str) -> None:
        """Delete a user (never oneself): their sessions end first, then the user and their accounts go."""
        if user_id == actor.id:
            raise admin_error(AdminErrorCode.YOU_CANNOT_REMOVE_YOURSELF, 400)
        user = await self.get_user(user_id)
        await self._users.delete(user)
        audit("admin.user_removed", user=user.id, by=actor.id)
