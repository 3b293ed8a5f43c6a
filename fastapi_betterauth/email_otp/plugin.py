"""`EmailOTP`: better-auth's email-otp plugin on the plugin seam: one-time codes mailed to sign in (and up), to
verify an address and to reset a password.

```python
auth = BetterAuth(settings, plugins=[EmailOTP(EmailOTPOptions(otp_length=8))])
```

or from settings alone: `BETTER_AUTH_PLUGINS__EMAIL_OTP__ENABLED=true`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from fastapi import APIRouter

from ..plugins.base import Plugin
from ..plugins.context import AuthContext
from ..security.ratelimit import RuleValue
from ..settings.security import RateLimitRule
from ..users.passwordless import PasswordlessUsers
from ..verification.rows import PlainRows
from . import router as email_otp_router
from .errors import MESSAGES
from .options import EmailOTPOptions
from .service import EmailOTPService

RATE_LIMITED = (
    "/email-otp/send-verification-otp",
    "/email-otp/check-verification-otp",
    "/email-otp/verify-email",
    "/sign-in/email-otp",
    "/email-otp/request-password-reset",
    "/email-otp/reset-password",
    "/forget-password/email-otp",
)
"""better-auth's plugin gives each of these routes its own rule."""


class EmailOTP(Plugin[EmailOTPOptions]):
    """Codes by email: sign-in (creating the user unless sign-up is off), address verification, password reset."""

    id = "email_otp"
    options_model = EmailOTPOptions
    error_codes: ClassVar[Mapping[str, str]] = MESSAGES

    def setup(self, context: AuthContext, options: EmailOTPOptions) -> None:
        super().setup(context, options)
        if not context.has_database:
            raise ValueError("the email-otp plugin needs a database (codes are kept in the verification table)")
        self.service = EmailOTPService(options, PlainRows(context.database, context.clock), context.clock)
        self.users = PasswordlessUsers(context)

    def router(self) -> APIRouter:
        return email_otp_router.build_router(self)

    def rate_limit_rules(self) -> Mapping[str, RuleValue]:
        rule = RateLimitRule(window=self.options.rate_limit_window, max=self.options.rate_limit_max)
        return dict.fromkeys(RATE_LIMITED, rule)
