"""Username rules and lookups (better-auth's username plugin). No HTTP here."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import select

from ..db.engine import Database
from ..db.models import Account, User
from ..db.queries import find_user_with_credential_where
from ..errors import AuthError, ErrorCode
from ..fields.model import Action, ModelFields
from .errors import UsernameErrorCode, username_error
from .options import UsernameOptions

_ALLOWED = re.compile(r"[A-Za-z0-9_.]+")

USERNAME = "username"
DISPLAY_USERNAME = "displayUsername"


class UsernameService:
    """What makes a username valid, how it is kept, and who has it."""

    def __init__(self, options: UsernameOptions, database: Database, fields: ModelFields[User]) -> None:
        self._options = options
        self._database = database
        self._fields = fields

    def normalize(self, username: str) -> str:
        """The username as kept and compared (lower case unless `lower_case` is off)."""
        return username.lower() if self._options.lower_case else username

    def problem(self, username: str) -> UsernameErrorCode | None:
        """What is wrong with `username` (length first, then characters), or None."""
        checked = self.normalize(username) if self._options.validate_after_normalization else username
        if len(checked) < self._options.min_username_length:
            return UsernameErrorCode.USERNAME_TOO_SHORT
        if len(checked) > self._options.max_username_length:
            return UsernameErrorCode.USERNAME_TOO_LONG
        validator = self._options.username_validator
        allowed = validator(checked) if validator is not None else _ALLOWED.fullmatch(checked) is not None
        return None if allowed else UsernameErrorCode.INVALID_USERNAME

    def require_valid(self, username: str, status: int) -> str:
        """The normalised `username`, or its `problem` answered with `status`."""
        problem = self.problem(username)
        if problem is not None:
            raise username_error(problem, status)
        return self.normalize(username)

    async def owner_of(self, username: str) -> str | None:
        """The id of the user who has this (normalised) username."""
        statement = select(User.id).where(self._fields.column(USERNAME) == username)
        async with self._database.session() as db:
            return (await db.exec(statement)).first()

    async def current_username(self, user_id: str) -> str | None:
        statement = select(self._fields.column(USERNAME)).where(User.id == user_id)
        async with self._database.session() as db:
            value: Any = (await db.exec(statement)).first()
        return value if isinstance(value, str) else None

    async def find_for_sign_in(self, username: str) -> tuple[User, Account | None] | None:
        """The user with this (normalised) username and their password account."""
        async with self._database.session() as db:
            return await find_user_with_credential_where(db, self._fields.column(USERNAME) == username, self._fields)

    async def check_input(self, values: dict[str, Any], action: Action, owner: Any) -> dict[str, Any]:
        """A sign-up's or `update-user`'s user fields, as better-auth's plugin takes them: a valid `displayUsername`
        alone on sign-up gives the username too; a username is checked (400), must be free (400
        `USERNAME_IS_ALREADY_TAKEN`, one's own in another case excepted) and is kept normalised, with the spelling
        typed as its `displayUsername` on sign-up unless one is given. One that is no string cannot be kept (422)."""
        display = values.get(DISPLAY_USERNAME)
        if action == "create" and isinstance(display, str) and USERNAME not in values and not self.problem(display):
            values = {**values, USERNAME: display}
        username = values.get(USERNAME)
        if username is not None and not isinstance(username, str):
            failed = ErrorCode.FAILED_TO_CREATE_USER if action == "create" else ErrorCode.FAILED_TO_UPDATE_USER
            raise AuthError(failed)
        if isinstance(username, str):
            normalized = self.require_valid(username, 400)
            owner_id: str | None = getattr(owner, "id", None)
            if owner_id is not None and self._options.immutable_username:
                current = await self.current_username(owner_id)
                if current is not None and current != normalized:
                    raise username_error(UsernameErrorCode.USERNAME_IS_IMMUTABLE, 400)
            taken_by = await self.owner_of(normalized)
            if taken_by is not None and taken_by != owner_id:
                raise username_error(UsernameErrorCode.USERNAME_IS_ALREADY_TAKEN, 400)
        validator = self._options.display_username_validator
        if isinstance(display, str) and validator is not None and not validator(display):
            raise username_error(UsernameErrorCode.INVALID_DISPLAY_USERNAME, 400)
        if username:
            values = {**values, USERNAME: self.normalize(username)}
            if action == "create" and not display:
                values[DISPLAY_USERNAME] = username
        return values
