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

from ..db.models import User
from ..email_password.flows import VerificationSender
from ..mail import Templates, build_message
from ..plugins.base import Plugin
from ..plugins.context import AuthContext
from ..security.ratelimit import RuleValue
from ..settings.security import RateLimitRule
from ..users.passwordless import PasswordlessUsers
from ..verification.rows import PlainRows
from . import router as email_otp_router
from .errors import MESSAGES
from .options import EmailOTPOptions
from .service import EmailOTPService, OTPType

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

    async def send_code(self, email: str, otp_type: OTPType, user: User | None) -> None:
        """Issue a code of `otp_type` for `email` (replacing any earlier one) and mail it (an `email-otp` email, in
        the app's `email_templates` when it has one)."""
        context = self.context
        code = await self.service.issue(email, otp_type)
        flows = context.email_password.emails
        message = build_message(
            "email-otp",
            to=user.email if user is not None else email,
            url="",
            token=code,
            user_id=user.id if user is not None else None,
            user_name=user.name if user is not None else None,
            app_name=context.settings.email.app_name,
            templates=flows.templates if flows is not None else Templates(),
            code=code,
            otp_type=otp_type,
            user=user,
        )
        context.mailer.dispatch(message)

    async def send_verification_code(self, user: User) -> None:
        """An `email-verification` code to the user's address (instead of, or besides, the core's link)."""
        await self.send_code(user.email, "email-verification", user)

    def verification_sender(self) -> VerificationSender | None:
        return self.send_verification_code if self.options.override_default_email_verification else None

    def sign_up_verification_sender(self) -> VerificationSender | None:
        options = self.options
        wanted = options.send_verification_on_sign_up and not options.override_default_email_verification
        return self.send_verification_code if wanted else None

    def rate_limit_rules(self) -> Mapping[str, RuleValue]:
        rule = RateLimitRule(window=self.options.rate_limit_window, max=self.options.rate_limit_max)
        return dict.fromkeys(RATE_LIMITED, rule)
