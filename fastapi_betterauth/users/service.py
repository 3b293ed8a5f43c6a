"""Updates to a user's own profile. No HTTP here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from ..clock import Clock
from ..db.engine import Database
from ..db.models import User
from ..errors import AuthError, ErrorCode


class UserService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    async def update_profile(self, user: User, changes: dict[str, Any]) -> User:
        """Apply `name` / `image` changes; `email` is refused (it changes through verification only)."""
        if "email" in changes:
            raise AuthError(ErrorCode.EMAIL_CAN_NOT_BE_UPDATED)
        values = {key: value for key, value in changes.items() if key in ("name", "image")}
        if not values:
            raise AuthError(ErrorCode.NO_FIELDS_TO_UPDATE)
        now = self._clock.now()
        statement = update(User).where(User.id == user.id).values(**values, updated_at=now)  # type: ignore[arg-type]
        async with self._database.session() as db, db.begin():
            result = await db.exec(statement)
        if not result.rowcount:
            raise AuthError(ErrorCode.USER_NOT_FOUND, 404)
        return user.model_copy(update={**values, "updated_at": now})
