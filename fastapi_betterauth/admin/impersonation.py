"""Impersonation: an admin signs in as another user for a while, and back (better-auth's `impersonate-user` and
`stop-impersonating`). No HTTP here: the routes move the tokens between cookies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ..audit import audit
from ..plugins.context import AuthContext
from ..sessions.service import AuthSession, ClientInfo
from .errors import AdminErrorCode, codeless, forbidden
from .fields import IMPERSONATED_BY, user_field
from .service import AdminService


@dataclass(frozen=True)
class Parked:
    """The admin's own session, parked in the `admin_session` cookie while they impersonate someone:
    `<token>:<"true" when it was a rememberMe=false session, else empty>` (signed), as better-auth keeps it."""

    token: str
    dont_remember: bool

    def value(self) -> str:
        return f"{self.token}:{'true' if self.dont_remember else ''}"

    @classmethod
    def parse(cls, value: str) -> Parked:
        token, _, dont_remember = value.partition(":")
        return cls(token, bool(dont_remember))


class Impersonation:
    def __init__(self, admin: AdminService, context: AuthContext) -> None:
        self._admin = admin
        self._context = context

    async def start(self, found: AuthSession, user_id: str, client: ClientInfo) -> AuthSession:
        """A session of the user `user_id` made for the admin of `found`, lasting `impersonation_session_duration`
        and marked `impersonatedBy`. Admins (by role or `admin_user_ids`) only with `user:impersonate-admins` or
        `allow_impersonating_admins`; a banned user cannot be impersonated (403 `BANNED_USER`), as they cannot sign
        in. No sign-in stage runs (no second factor is asked of the admin)."""
        actor = found.user
        target = await self._admin.get_user(user_id)
        options = self._admin.options
        if self._admin.is_admin(target) and not (
            options.allow_impersonating_admins or self._admin.permitted(actor, {"user": ["impersonate-admins"]})
        ):
            raise forbidden(AdminErrorCode.YOU_CANNOT_IMPERSONATE_ADMINS)
        target = await self._admin.lift_expired_ban(target) or target
        duration = timedelta(seconds=options.impersonation_session_duration)
        session = await self._context.sessions.create(
            target,
            remember_me=False,
            ip_address=client.ip_address,
            user_agent=client.user_agent,
            expires_at=self._context.clock.now() + duration,
            values={IMPERSONATED_BY: actor.id},
        )
        audit("admin.impersonation_started", user=target.id, by=actor.id, session=session.session.id)
        return session

    async def stop(self, found: AuthSession, parked: str | None) -> AuthSession:
        """End the impersonation session of `found` and give back the admin's parked session (`parked`: the
        `admin_session` cookie's verified value). Answers as better-auth does, without a code: 400 when `found` is
        no impersonation, 500 when the admin or their session is gone (the impersonation then goes on)."""
        admin_id = user_field(found.session, IMPERSONATED_BY)
        if not admin_id:
            raise codeless(400, "You are not impersonating anyone")
        if await self._context.users.get(str(admin_id)) is None:
            raise codeless(500, "Failed to find user")
        if parked is None:
            raise codeless(500, "Failed to find admin session")
        lookup = await self._context.sessions.lookup(Parked.parse(parked).token, refresh=False)
        admin_session = lookup.found
        if admin_session is None or admin_session.user.id != admin_id:
            raise codeless(500, "Failed to find admin session")
        await self._context.sessions.revoke(found.session.token)
        audit(
            "admin.impersonation_stopped",
            user=found.user.id,
            by=str(admin_id),
            session=found.session.id,
            admin_session=admin_session.session.id,
        )
        return admin_session
