"""Keys and the sessions that mint them (docs/security.md K6): a key outlives the session that created it, so only a
fresh sign-in may create a key or widen one, and a user securing their account disables their keys."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col

from ..audit import audit
from ..db.engine import Database
from ..errors import AuthError, ErrorCode
from ..sessions.service import AuthSession, SessionService
from .models import ApiKey
from .schemas import UpdateApiKeyBody


def require_fresh(sessions: SessionService, found: AuthSession) -> None:
    """403 `SESSION_NOT_FRESH` unless `found` was signed in less than `session.fresh_age` ago."""
    if not sessions.is_fresh(found):
        raise AuthError(ErrorCode.SESSION_NOT_FRESH)


def widens(key: ApiKey, body: UpdateApiKeyBody, now: datetime) -> bool:
    """Whether the update gives `key` more than it has: re-enabling it, a later expiry or none, or any server-only
    property (permissions, quota, refills, rate limits). A name, metadata, disabling or an earlier expiry do not."""
    if body.server_only_fields():
        return True
    if body.enabled is True and key.enabled is False:
        return True
    if "expires_in" not in body.model_fields_set or key.expires_at is None:
        return False
    return body.expires_in is None or now + timedelta(seconds=body.expires_in) > key.expires_at


async def disable_keys_of_user(database: Database, user_id: str, now: datetime) -> int:
    """Disable every enabled key of the user; how many there were."""
    statement = (
        update(ApiKey)
        .where(col(ApiKey.reference_id) == user_id, col(ApiKey.enabled).is_not(False))
        .values(enabled=False, updated_at=now)
    )
    async with database.session() as db, db.begin():
        result = await db.exec(statement)
    disabled = int(result.rowcount or 0)
    if disabled:
        audit("api_key.disabled", user=user_id, count=str(disabled), reason="account_secured")
    return disabled
