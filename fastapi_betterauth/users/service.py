"""Updates to a user's own profile. No HTTP here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from ..audit import audit
from ..clock import Clock
from ..db.engine import Database
from ..db.models import User
from ..errors import AuthError, ErrorCode, no_fields_to_update
from ..fields.model import ModelFields
from ..fields.schema import AuthSchema
from ..fields.values import additional_values
from ..hooks import HookRunner, HookVetoError
from ..sessions.store import SessionStore

UserCleanup = Callable[[AsyncSession, str], Awaitable[None]]
"""`async def cleanup(db, user_id)`: runs in the transaction that deletes the user, before the row goes."""


class UserService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        sessions: SessionStore,
        hooks: HookRunner | None = None,
        fields: ModelFields[User] | None = None,
        end_sessions: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.fields: ModelFields[User] = fields or AuthSchema().user
        """The user's additional fields."""
        self._database = database
        self._clock = clock
        self._sessions = sessions
        self._end_sessions = end_sessions or sessions.delete_for_user
        """Ends every session of a user (`SessionService.revoke_all`: with the sessions' delete hooks)."""
        self._hooks = hooks or HookRunner()
        self._cleanups: list[UserCleanup] = []

    def add_cleanup(self, cleanup: UserCleanup) -> None:
        """Run `cleanup(db, user_id)` in the transaction that deletes a user, before the row goes (a plugin's rows
        that have no foreign key to the user)."""
        self._cleanups.append(cleanup)

    async def get(self, user_id: str) -> User | None:
        """The user with this id, as stored now."""
        async with self._database.session() as db:
            return await self.fields.get(db, user_id)

    async def with_values(self, user: User) -> User:
        """`user` carrying its additional values (read from its row when it carries none yet)."""
        if not self.fields or additional_values(user) is not None:
            return user
        async with self._database.session() as db:
            return await self.fields.load_values(db, user)

    async def update_profile(
        self, user: User, changes: Mapping[str, Any], additional: Mapping[str, Any] | None = None
    ) -> User:
        """Apply `name` / `image` changes and the additional fields a client may set (`additional`: the body's
        other keys); `email` is refused (it changes through verification only)."""
        if changes.get("email"):  # an empty one is no change (better-auth)
            raise AuthError(ErrorCode.EMAIL_CAN_NOT_BE_UPDATED)
        values = {key: value for key, value in changes.items() if key in ("name", "image")}
        values.update(await self.fields.read_input(additional or {}, "update", user))
        if not values:
            raise no_fields_to_update()
        return await self.update(user, values)

    async def update(self, user: User, values: dict[str, Any]) -> User:
        """Write changes to a user, the one way every feature does it: `user` update hooks around the write, and
        stored copies of the user (secondary storage) refreshed. A taken address answers 422
        `USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`; a vetoing hook 422 `FAILED_TO_UPDATE_USER`."""
        try:
            changes = await self._hooks.before(
                "user", "update", {"id": user.id, **values, "updated_at": self._clock.now()}
            )
        except HookVetoError:
            raise AuthError(ErrorCode.FAILED_TO_UPDATE_USER) from None
        changes.pop("id")
        user = await self.with_values(user)
        updated = self.fields.build({**self.fields.hook_data(user), **changes})  # checks what hooks set, first
        try:
            async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
                if not await self.fields.update(db, user.id, changes):
                    raise AuthError(ErrorCode.USER_NOT_FOUND)
                await self._hooks.after("user", "update", {"id": user.id, **changes})
        except IntegrityError:
            if "email" not in changes:  # another unique column (an additional field's) refused the value
                raise AuthError(ErrorCode.FAILED_TO_UPDATE_USER) from None
            raise AuthError(ErrorCode.USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL) from None
        await self._sessions.update_user(updated)
        return updated

    async def delete(self, user: User) -> None:
        """Delete the user: every session first (also those only in secondary storage), then the row, whose
        accounts and table sessions go with it (`ON DELETE CASCADE`), and the plugins' rows of the user (their
        clean-ups) in the same transaction.
        Hooks: `user` `before_delete` may veto; each session's delete hooks run as its session ends (and may veto,
        before anything is deleted)."""
        await self._hooks.before("user", "delete", self.fields.hook_data(user))
        await self._end_sessions(user.id)
        async with self._hooks.unit_of_work(), self._database.session() as db, db.begin():
            for cleanup in self._cleanups:
                await cleanup(db, user.id)
            await db.exec(delete(User).where(User.id == user.id))  # type: ignore[arg-type]
            await self._hooks.after("user", "delete", self.fields.hook_data(user))
        audit("user.deleted", user=user.id)
