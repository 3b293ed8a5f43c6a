"""`AuthContext`: the narrow view of one `BetterAuth` that a plugin is given (never the composition root itself)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from ..background import BackgroundTasks
from ..clock import Clock
from ..cookies import AuthCookies
from ..crypto.keyring import Keyring
from ..db.engine import Database
from ..email_password.service import EmailPasswordService
from ..hooks import HookRunner
from ..mail import Mailer
from ..security.client_ip import ClientIPResolver
from ..security.origins import OriginPolicy
from ..security.ratelimit import RateLimiter, SignInThrottle
from ..sessions.cookie_writer import SessionCookieWriter
from ..sessions.issuer import SessionIssuer
from ..sessions.service import ClientInfo, SessionService
from ..settings import AuthSettings
from ..users.service import UserService
from ..verification.service import VerificationService


@dataclass(frozen=True, slots=True)
class AuthContext:
    """The services a plugin may use. Read-only: a plugin adds to the system through its contributions
    (`Plugin.router()`, `session_sources()`, ...), not by changing these."""

    settings: AuthSettings
    database: Database
    has_database: bool
    """False when the app runs without a database (`BetterAuth(database=None)`)."""
    clock: Clock
    keyring: Keyring
    cookies: AuthCookies
    sessions: SessionService
    issuer: SessionIssuer
    """Sign a user in (through every plugin's sign-in stages): what a plugin's own sign-in method calls."""
    session_cookies: SessionCookieWriter
    """Send a new session to the browser (its cookie, cache copy and bearer header)."""
    users: UserService
    email_password: EmailPasswordService
    """Passwords: sign a user in with one (`sign_in_with_password`), or check one (`verify_password`)."""
    tokens: VerificationService
    """Verification rows: single-use tokens of the plugin's own flows."""
    mailer: Mailer
    hooks: HookRunner
    rate_limiter: RateLimiter
    sign_in_throttle: SignInThrottle
    """Per-account throttling of password sign-ins (`attempt(email, ip)` around one), shared by every way in."""
    origins: OriginPolicy
    """The origin check of unsafe requests and of the URLs a request asks to be sent to."""
    client_ips: ClientIPResolver
    background: BackgroundTasks

    def client_info(self, request: Request) -> ClientInfo:
        """Where a request came from (the client address behind trusted proxies, and its user agent)."""
        return self.client_ips.client_info(request)
