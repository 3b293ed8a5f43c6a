"""The session's active organization and team (`session.activeOrganizationId`, `session.activeTeamId`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from fastapi import Request, Response

from ..admin.fields import user_field
from ..fields.spec import FieldSpec
from ..fields.values import carry, merged
from ..plugins.context import AuthContext
from ..sessions.service import AuthSession

ACTIVE_ORGANIZATION = "activeOrganizationId"
ACTIVE_TEAM = "activeTeamId"

SESSION_FIELDS: Mapping[str, FieldSpec] = {
    ACTIVE_ORGANIZATION: FieldSpec(type="string", required=False, input=False),
    ACTIVE_TEAM: FieldSpec(type="string", required=False, input=False),
}
"""better-auth's organization schema on `session` (only the server sets them)."""


def active_organization_id(found: AuthSession) -> str | None:
    value = user_field(found.session, ACTIVE_ORGANIZATION)
    return value if isinstance(value, str) and value else None


def active_team_id(found: AuthSession) -> str | None:
    value = user_field(found.session, ACTIVE_TEAM)
    return value if isinstance(value, str) and value else None


class ActiveState:
    """Writes the active organization and team of a session, and re-sends its cookie where better-auth does."""

    def __init__(self, context: AuthContext) -> None:
        self._context = context

    async def set(self, found: AuthSession, values: Mapping[str, str | None]) -> AuthSession:
        """The session with these values written (by field name); unchanged when the session is gone."""
        sessions = self._context.sessions
        now = self._context.clock.now()
        if not await sessions.store.update_fields(found.session, dict(values), now):
            return found
        session = found.session.model_copy(update={"updated_at": now})
        carry(session, merged(found.session, sessions.fields, values))
        return replace(found, session=session)

    async def send_cookie(self, request: Request, response: Response, found: AuthSession) -> None:
        """Re-send the session cookie (same token, fresh `Max-Age`) and its cached copy."""
        present: dict[str, Any] = dict(request.cookies)
        remember = self._context.cookies.remember_me(present)
        await self._context.session_cookies.write(response, found, remember_me=remember, present=present)
