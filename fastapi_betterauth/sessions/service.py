"""Create, look up (with sliding refresh) and revoke sessions. No HTTP here: callers bring tokens and flags."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ..clock import Clock
from ..crypto.tokens import generate_id
from ..db.models import Session, User
from ..db.unit_of_work import after_commit
from ..errors import no_fields_to_update
from ..fields.model import ModelFields
from ..fields.schema import AuthSchema
from ..hooks import HookRunner, HookVetoError
from ..settings import SessionSettings
from .store import SessionStore

SessionFilter = Callable[[Session], bool]
"""`def keep(session) -> bool`: whether a user's own session list shows this session."""


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Where a request came from, recorded on the session."""

    ip_address: str | None = None
    user_agent: str | None = None
    cookies: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    """The request's cookies, for sign-in stages that read their own (two-factor's `trust_device`)."""


@dataclass(frozen=True, slots=True)
class AuthSession:
    """A signed-in session and its user: what `current_session` gives a route."""

    session: Session
    user: User
    enrichment: dict[str, Any] | None = None
    """What the `session_enricher` made of this session for this request (also the `/get-session` body)."""
    source: str = "session"
    """`session` for a real one; else the `kind` of the plugin's session source that made it for this request
    alone (`api_key`: the API-key plugin's mock sessions). Those are never stored, never fresh, never set cookies,
    and sensitive operations refuse them."""
    set_cookies: tuple[str, ...] = ()
    """`Set-Cookie` values the sign-in stages asked to send with this new session (`SignInAttempt.set_cookies`)."""


@dataclass(frozen=True, slots=True)
class SessionLookup:
    """What looking up a token found, and what the caller must do with the cookies."""

    found: AuthSession | None
    refreshed: bool = False
    """The session was extended: re-send the session cookie with a full Max-Age."""
    stale_cookie: bool = False
    """A token was presented but has no live session: clear the cookies."""
    needs_refresh: bool = False
    """Deferred refresh: the session is due, and a POST to `/get-session` would extend it."""
    from_cache: bool = False
    """Found in the cookie cache: nothing to re-issue."""
    recopy: bool = False
    """Read from the store while a cookie copy is kept: re-issue the copy (the cookie cache)."""


AccountSecured = Callable[[str], Awaitable[None]]
"""`listener(user_id)`, run when a user secures their account (`Plugin.on_account_secured`)."""

SessionAnswerHeaders = Callable[["AuthSession"], Awaitable[Mapping[str, str]]]
"""`headers(found)`: headers a plugin adds to `/get-session`'s answer when it finds a session
(`Plugin.session_answer_headers`, the jwt plugin's `set-auth-jwt`)."""


class SessionService:
    def __init__(
        self,
        settings: SessionSettings,
        store: SessionStore,
        clock: Clock,
        hooks: HookRunner | None = None,
        fields: ModelFields[Session] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.hooks = hooks or HookRunner()
        self.fields: ModelFields[Session] = fields or AuthSchema().session
        """The session's additional fields."""
        self.list_filters: list[SessionFilter] = []
        """Which sessions `/list-sessions` shows (plugins' `listed_session_filters`): all of them must keep one."""
        self._secured_listeners: list[AccountSecured] = []
        self.answer_headers: list[SessionAnswerHeaders] = []
        """Headers plugins add to `/get-session` when it answers a session (`Plugin.session_answer_headers`)."""

    def add_secured_listener(self, listener: AccountSecured) -> None:
        """Run `listener(user_id)` whenever a user secures their account (see `account_secured`)."""
        self._secured_listeners.append(listener)

    async def account_secured(self, user_id: str) -> None:
        """The user secured their account (every other session revoked, or the password reset): let the listeners
        undo what a stolen session may have left behind (docs/security.md K6)."""
        for listener in self._secured_listeners:
            await listener(user_id)

    def cookie_max_age(self, remember_me: bool) -> timedelta | None:
        return self.settings.expires_in if remember_me else None

    async def create(
        self,
        user: User,
        *,
        remember_me: bool = True,
        ip_address: str | None = None,
        user_agent: str | None = None,
        expires_at: datetime | None = None,
        db: AsyncSession | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> AuthSession:
        """A new session with a fresh random token (never one the client chose, nor one a hook chose). Sign-ins go
        through `SessionIssuer` (its stages), which calls this; `expires_at` replaces the configured lifetime;
        `values`: additional field values (a plugin's, as the admin plugin's `impersonatedBy`).

        `HookVetoError` when a `before_create` session hook refuses it.
        """
        now = self.clock.now()
        lifetime = self.settings.expires_in if remember_me else self.settings.remember_me_false_expires_in
        data: dict[str, Any] = {
            "user_id": user.id,
            "expires_at": self._capped(expires_at or now + lifetime, created_at=now),
            "created_at": now,
            "updated_at": now,
            "ip_address": ip_address or "",
            "user_agent": user_agent or "",
            **self.fields.defaults(),
            **(values or {}),
        }
        data = await self.hooks.before("session", "create", data)
        session = self.fields.build({**data, "id": generate_id(), "token": generate_id()})
        await self.store.create(session, user, db)
        await self.hooks.after("session", "create", self.fields.hook_data(session))
        if self.settings.max_sessions_per_user is not None:
            # After the commit: the caller's transaction may hold the database (SQLite's one writer).
            await after_commit(lambda: self._end_sessions_beyond_limit(user.id, keep=session))
        return AuthSession(session, user)

    async def _end_sessions_beyond_limit(self, user_id: str, *, keep: Session) -> None:
        """S9: end the user's oldest live sessions beyond `max_sessions_per_user`, never `keep` (the new one)."""
        limit = self.settings.max_sessions_per_user
        assert limit is not None
        others = [s for s in await self.list_active(user_id) if not self.store.matches(s, keep.token)]
        for oldest in others[: max(0, len(others) - (limit - 1))]:
            await self.revoke_owned(user_id, oldest.token)

    async def update_fields(self, found: AuthSession, body: Mapping[str, Any]) -> AuthSession | None:
        """Set the additional fields a client may set (`/update-session`): `NO_FIELDS_TO_UPDATE` when the body sets
        none, the field errors of `ModelFields.parse_input`; None when the session no longer exists. `session`
        update hooks run around the write (`HookVetoError` when one refuses it)."""
        values = self.fields.parse_input(body, "update")
        if not values:
            raise no_fields_to_update()
        now = self.clock.now()
        changes = await self.hooks.before("session", "update", {"id": found.session.id, **values, "updated_at": now})
        changes.pop("id", None)
        updated_at = changes.pop("updated_at", now)
        session = self.fields.build({**self.fields.hook_data(found.session), **changes, "updated_at": updated_at})
        extra = {name: value for name, value in changes.items() if name in self.fields.specs}
        async with self.hooks.unit_of_work():
            if not await self.store.update_fields(found.session, extra, updated_at):
                return None
            await self.hooks.after("session", "update", {"id": found.session.id, **changes, "updated_at": updated_at})
        return replace(found, session=session)

    async def lookup(
        self, token: str | None, *, remember_me: bool = True, refresh: bool = True, deferred: bool = False
    ) -> SessionLookup:
        """The live session for a verified token, extended when due (docs/better-auth.md#session-lookup, step 6).

        An expired session is deleted (unless `deferred`: a deferred read never writes). rememberMe=false
        sessions are never extended, nor is anything with `disable_session_refresh`. A `deferred` lookup reports a
        due refresh in `needs_refresh` instead of doing it.
        """
        if token is None:
            return SessionLookup(None)
        loaded = await self.store.load(token)
        if loaded is None:
            return SessionLookup(None, stale_cookie=True)
        session, user = loaded
        now = self.clock.now()
        if session.expires_at <= now:
            if not deferred:
                await self._delete_rows([session], lambda: self.store.delete(token))
            return SessionLookup(None, stale_cookie=True)
        may_refresh = refresh and remember_me and not self.settings.disable_session_refresh
        if not (may_refresh and self._refresh_due(session)):
            return SessionLookup(AuthSession(session, user))
        if deferred:
            return SessionLookup(AuthSession(session, user), needs_refresh=True)
        extended = self._capped(now + self.settings.expires_in, created_at=session.created_at)
        changes: dict[str, Any] = {"expires_at": extended, "updated_at": now}
        if self.hooks.has("session", "update"):
            try:
                changes = await self.hooks.before("session", "update", {"id": session.id, **changes})
            except HookVetoError:
                return SessionLookup(AuthSession(session, user))
        if not await self.store.extend(token, changes["expires_at"], changes["updated_at"]):
            return SessionLookup(None, stale_cookie=True)  # revoked while we looked
        session.expires_at, session.updated_at = changes["expires_at"], changes["updated_at"]
        await self.hooks.after("session", "update", {"id": session.id, **changes})
        return SessionLookup(AuthSession(session, user), refreshed=True)

    def _refresh_due(self, session: Session) -> bool:
        due_at = session.expires_at - self.settings.expires_in + self.settings.update_age
        end = self._capped(session.expires_at + self.settings.expires_in, created_at=session.created_at)
        return due_at <= self.clock.now() and end > session.expires_at  # at its absolute end: nothing to extend

    def _capped(self, expires_at: datetime, *, created_at: datetime) -> datetime:
        """`expires_at`, but never past the absolute end of a session created at `created_at` (S5)."""
        limit = self.settings.max_lifetime
        return expires_at if limit is None else min(expires_at, created_at + limit)

    def is_fresh(self, session: Session | AuthSession) -> bool:
        """Whether the session was signed in less than `fresh_age` ago. A session made from an API key never is, nor
        one created in the future: no real sign-in is, so it is forged or from a wrong clock, and it would otherwise
        stay fresh until that moment (S6)."""
        if isinstance(session, AuthSession):
            if session.source != "session":
                return False
            session = session.session
        age = self.clock.now() - session.created_at
        if age < timedelta(0):
            return False
        fresh_age = self.settings.fresh_age
        return not fresh_age or age < fresh_age

    async def revoke(self, token: str) -> None:
        """End the session of `token` (sign-out). `HookVetoError` if a `before_delete` hook refuses."""
        if not self.hooks.has("session", "delete"):
            await self.store.delete(token)
            return
        loaded = await self.store.load(token)
        if loaded is None:
            await self.store.delete(token)  # no record to show the hooks (stateless sessions keep none)
            return
        await self._delete_rows([loaded[0]], lambda: self.store.delete(token))

    async def list_active(self, user_id: str) -> list[Session]:
        """The user's live sessions, oldest first."""
        now = self.clock.now()
        return [session for session in await self.store.list_for_user(user_id) if session.expires_at > now]

    async def list_shown(self, user_id: str) -> list[Session]:
        """The user's live sessions that every list filter keeps (what `/list-sessions` answers)."""
        return [s for s in await self.list_active(user_id) if all(keep(s) for keep in self.list_filters)]

    async def revoke_owned(self, user_id: str, token_or_handle: str) -> bool:
        """Revoke one session of this user; someone else's token is silently not revoked."""
        if not self.hooks.has("session", "delete"):
            return await self.store.delete_owned(user_id, token_or_handle)
        rows = [s for s in await self.store.list_for_user(user_id) if self.store.matches(s, token_or_handle)]
        deleted = False

        async def delete() -> None:
            nonlocal deleted
            deleted = await self.store.delete_owned(user_id, token_or_handle)

        await self._delete_rows(rows, delete)
        return deleted

    async def revoke_all(self, user_id: str, *, except_token: str | None = None, secured: bool = False) -> None:
        """Revoke every session of the user, or every other one. All-or-nothing if a hook vetoes one. `secured`: the
        user is securing their account (not, say, being deleted), so `account_secured` runs afterwards."""
        if not self.hooks.has("session", "delete"):
            await self.store.delete_for_user(user_id, keep_token=except_token)
        else:
            rows = [
                s
                for s in await self.store.list_for_user(user_id)
                if except_token is None or not self.store.matches(s, except_token)
            ]
            await self._delete_rows(rows, lambda: self.store.delete_for_user(user_id, keep_token=except_token))
        if secured:
            await self.account_secured(user_id)

    async def _delete_rows(self, rows: list[Session], delete: Callable[[], Awaitable[Any]]) -> None:
        """Run `before_delete` for every row (any veto stops everything), delete, then `after_delete`."""
        for row in rows:
            await self.hooks.before("session", "delete", row.model_dump())
        await delete()
        for row in rows:
            await self.hooks.after("session", "delete", row.model_dump())
