"""Who a verification route acts for: the signed-in user (enabling, managing), or the user of the sign-in challenge
the signed `two_factor` cookie names; and how a verified challenge becomes a session. The HTTP edge of the routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response

from ..audit import audit
from ..cookies import request_cookies
from ..db.models import User
from ..errors import AuthError, ErrorCode
from ..hooks import HookVetoError
from ..schemas import user_json
from ..sessions.deps import resolve_session
from ..sessions.issuer import SignInAttempt
from ..sessions.service import AuthSession
from .challenges import Attempt
from .errors import MESSAGES, TwoFactorErrorCode, two_factor_error
from .stage import TRUST_DEVICE_COOKIE, TWO_FACTOR_COOKIE

if TYPE_CHECKING:
    from .plugin import TwoFactor


@dataclass
class Verifying:
    """A verification in progress: `found` when signed in, else the challenge (`identifier`) being answered."""

    plugin: TwoFactor
    request: Request
    user: User
    found: AuthSession | None = None
    identifier: str | None = None
    expires_at: datetime | None = None

    @property
    def signing_in(self) -> bool:
        return self.found is None

    @property
    def key(self) -> str:
        """What an emailed code is kept under: the challenge, or the signed-in session (better-auth's keys)."""
        if self.found is not None:
            return f"{self.user.id}!{self.found.session.id}"
        assert self.identifier is not None
        return self.identifier

    def cookie_error(self, code: TwoFactorErrorCode, status: int, *, expire: bool) -> AuthError:
        """`code`'s error, clearing the `two_factor` cookie with it when `expire`."""
        if not expire:
            return two_factor_error(code, status)
        cookies = self.plugin.context.cookies
        cleared = cookies.serialize(cookies.name(TWO_FACTOR_COOKIE), "", 0)
        return AuthError(code, status, MESSAGES[code], headers={"set-cookie": cleared})

    async def begin_attempt(self) -> Attempt | None:
        """During a sign-in, take the challenge's attempt counter: 401 `INVALID_TWO_FACTOR_COOKIE` when it is gone,
        400 `TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE` (the challenge ended, its cookie cleared) when it is spent.
        Signed in, there is no counter (None)."""
        if self.identifier is None or self.expires_at is None:
            return None
        challenges = self.plugin.challenges
        attempt = await challenges.begin_attempt(self.identifier, self.expires_at)
        if attempt is None:
            raise two_factor_error(TwoFactorErrorCode.INVALID_TWO_FACTOR_COOKIE, 401)
        if attempt.attempts >= self.plugin.options.challenge_attempts:
            await challenges.discard(self.identifier)
            raise self.cookie_error(TwoFactorErrorCode.TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE, 400, expire=True)
        return attempt

    async def valid(self, response: Response, *, trust_device: bool = False) -> dict[str, Any]:
        """The verification succeeded: signed in, the current session's `{token, user}`; during a sign-in, the
        challenge is used up and a session created (with a trusted-device cookie when asked)."""
        if self.found is not None:
            return {"token": self.found.session.token, "user": user_json(self.found.user)}
        context = self.plugin.context
        cookies = context.cookies
        assert self.identifier is not None
        if not await self.plugin.challenges.complete(self.identifier, self.user.id):
            raise self.cookie_error(TwoFactorErrorCode.INVALID_TWO_FACTOR_COOKIE, 401, expire=True)
        remember_me = cookies.remember_me(request_cookies(self.request))
        attempt = SignInAttempt(self.user, "two-factor", remember_me, context.client_info(self.request))
        try:
            session = await context.issuer.create(attempt)
        except HookVetoError:
            raise AuthError(ErrorCode.FAILED_TO_CREATE_SESSION) from None
        await context.session_cookies.write(
            response, session, remember_me=remember_me, present=request_cookies(self.request)
        )
        audit(
            "sign_in.succeeded",
            user=self.user.id,
            session=session.session.id,
            ip=attempt.client.ip_address,
            method="two-factor",
        )
        cookies.expire(response, cookies.name(TWO_FACTOR_COOKIE))
        if trust_device:
            value = await self.plugin.challenges.trust(self.user.id)
            max_age = self.plugin.options.trust_device_max_age
            trust_cookie = cookies.serialize_signed(cookies.name(TRUST_DEVICE_COOKIE), value, max_age)
            response.headers.append("set-cookie", trust_cookie)
            cookies.expire(response, cookies.dont_remember)
        return {"token": session.session.token, "user": user_json(self.user)}


async def verifying(plugin: TwoFactor, request: Request, response: Response) -> Verifying:
    """The signed-in user's verification, else the challenge's: 401 `INVALID_TWO_FACTOR_COOKIE` without a valid
    one."""
    found = await resolve_session(request, response, use_cookie_cache=False, allow_sources=False)
    if found is not None:
        return Verifying(plugin, request, found.user, found=found)
    context = plugin.context
    identifier = context.cookies.read_signed(request_cookies(request), context.cookies.name(TWO_FACTOR_COOKIE))
    challenge = await plugin.challenges.find(identifier) if identifier else None
    user = await context.users.get(challenge.value) if challenge is not None else None
    if identifier is None or challenge is None or user is None:
        raise two_factor_error(TwoFactorErrorCode.INVALID_TWO_FACTOR_COOKIE, 401)
    return Verifying(plugin, request, user, identifier=identifier, expires_at=challenge.expires_at)
