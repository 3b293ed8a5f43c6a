"""`SessionIssuer`: the one way a sign-in becomes a session, through the sign-in stages plugins add.

Every sign-in path (email and password, sign-up, a social callback or id token, the sign-in after email
verification, a mock session from an API key) describes itself as a `SignInAttempt` and hands it to the issuer.
The stages run in order; each may let it through (return nothing), change it (return a new attempt, e.g. other
session values), refuse it (raise an `AuthError`, e.g. a banned user), or answer instead of signing in (raise
`SignInHalted`, e.g. two-factor's `{"twoFactorRedirect": true}` with its cookie). Only then is the session created.
No HTTP here: a halt carries its answer for the route edge to send.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.responses import JSONResponse, Response

from ..db.models import User
from ..errors import AuthError, ErrorCode
from .service import AuthSession, ClientInfo, SessionService


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """A user about to be signed in, and how."""

    user: User
    """For `sign-up`, the user about to be stored (not in the database yet)."""
    method: str
    """`email`, `sign-up`, `email-verification`, `api-key`, a social provider's id (`github`), or `<id>:id_token`."""
    remember_me: bool = True
    client: ClientInfo = field(default_factory=ClientInfo)
    session_values: Mapping[str, Any] = field(default_factory=dict)
    """Values a stage sets on the new session (its columns: `expires_at`, `ip_address`, `user_agent`)."""
    set_cookies: tuple[str, ...] = ()
    """`Set-Cookie` values a stage sends with the new session (two-factor's renewed `trust_device` cookie)."""

    def with_session_values(self, **values: Any) -> SignInAttempt:
        """This attempt with more session values (what a stage returns to change the session)."""
        return replace(self, session_values={**self.session_values, **values})

    def with_cookies(self, *set_cookies: str) -> SignInAttempt:
        """This attempt with more `Set-Cookie` values, written with the session's own cookies."""
        return replace(self, set_cookies=(*self.set_cookies, *set_cookies))


UserValues = Callable[[User], Awaitable[User]]
"""The user carrying its additional values (`UserService.with_values`)."""

SignInStage = Callable[[SignInAttempt], Awaitable[SignInAttempt | None]]
"""`async def stage(attempt) -> SignInAttempt | None`: a changed attempt, or None to let it through unchanged.
Raise `AuthError` to refuse it, `SignInHalted` to answer instead."""


class SignInHalted(AuthError):
    """A stage answered instead of signing in: `body` as JSON with `status` (200 by default), after
    `write_cookies(response)` (a stage's own cookies, e.g. two-factor's). No session was created."""

    def __init__(
        self,
        body: Any,
        status: int = 200,
        *,
        write_cookies: Callable[[Response], None] | None = None,
        reason: str = "SIGN_IN_HALTED",
    ) -> None:
        super().__init__(ErrorCode.UNAUTHORIZED, status, reason)
        self.answer = body
        self.write_cookies = write_cookies

    def to_response(self) -> Response:
        response = JSONResponse(self.answer, self.status_code, headers=self.headers)
        if self.write_cookies is not None:
            self.write_cookies(response)
        return response


_SESSION_VALUES = frozenset({"expires_at", "ip_address", "user_agent"})


class SessionIssuer:
    """Runs the sign-in stages, then creates the session. One per `BetterAuth`; plugins add stages at set-up."""

    def __init__(self, sessions: SessionService, user_values: UserValues | None = None) -> None:
        self._sessions = sessions
        self._user_values = user_values
        self._stages: list[SignInStage] = []

    def add_stage(self, stage: SignInStage) -> None:
        self._stages.append(stage)

    async def check(self, attempt: SignInAttempt) -> SignInAttempt:
        """Run the stages: the attempt as they left it, or their `AuthError` / `SignInHalted`. Call it before a
        transaction that will create the session (stages may read and write the database themselves).
        The user the stages see, and the session gets, carries its additional values."""
        if self._user_values is not None:
            attempt = replace(attempt, user=await self._user_values(attempt.user))
        for stage in self._stages:
            changed = await stage(attempt)
            if changed is not None:
                attempt = changed
        unknown = set(attempt.session_values) - _SESSION_VALUES
        if unknown:
            raise ValueError(f"a sign-in stage set unknown session values: {', '.join(sorted(unknown))}")
        return attempt

    async def create(self, attempt: SignInAttempt, *, db: AsyncSession | None = None) -> AuthSession:
        """The session of an attempt that `check` let through (inside the caller's transaction with `db`).
        `HookVetoError` when a session `before_create` hook refuses it."""
        values = attempt.session_values
        found = await self._sessions.create(
            attempt.user,
            remember_me=attempt.remember_me,
            ip_address=values.get("ip_address", attempt.client.ip_address),
            user_agent=values.get("user_agent", attempt.client.user_agent),
            expires_at=values.get("expires_at"),
            db=db,
        )
        return replace(found, set_cookies=attempt.set_cookies) if attempt.set_cookies else found

    async def issue(self, attempt: SignInAttempt) -> AuthSession:
        """`check`, then `create`."""
        return await self.create(await self.check(attempt))
