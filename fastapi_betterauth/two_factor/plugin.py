"""`TwoFactor`: better-auth's two-factor plugin on the plugin seam: the `twoFactor` table and `user.twoFactorEnabled`,
authenticator codes (TOTP), backup codes, codes sent by email, trusted devices, and the sign-in stage that answers a
password sign-in of a user with two-factor authentication on with a challenge.

```python
auth = BetterAuth(settings, plugins=[TwoFactor(TwoFactorOptions(issuer="My App"))])
```

or from settings alone: `BETTER_AUTH_PLUGINS__TWO_FACTOR__ENABLED=true`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from fastapi import APIRouter
from sqlalchemy import Table

from ..fields.schema import FieldDeclarations
from ..plugins.base import Plugin
from ..plugins.context import AuthContext
from ..security.ratelimit import RuleValue
from ..sessions.issuer import SignInStage
from ..settings.security import RateLimitRule
from ..verification.rows import PlainRows
from . import router as two_factor_router
from .challenges import ChallengeStore
from .errors import MESSAGES
from .models import TwoFactor as TwoFactorRow
from .options import TwoFactorOptions
from .service import TWO_FACTOR_ENABLED, TwoFactorService
from .stage import TwoFactorStage


class TwoFactor(Plugin[TwoFactorOptions]):
    """Two-factor authentication. `require_two_factor` (`fastapi_betterauth.two_factor.deps`) guards an app's routes."""

    id = "two_factor"
    options_model = TwoFactorOptions
    error_codes: ClassVar[Mapping[str, str]] = MESSAGES
    user_fields: ClassVar[FieldDeclarations] = {
        TWO_FACTOR_ENABLED: {"type": "boolean", "required": False, "defaultValue": False, "input": False},
    }

    def setup(self, context: AuthContext, options: TwoFactorOptions) -> None:
        super().setup(context, options)
        if not context.has_database:
            raise ValueError("the two-factor plugin needs a database (its secrets are kept in the twoFactor table)")
        self.service = TwoFactorService(options, context.database, context.keyring, context.clock)
        rows = PlainRows(context.database, context.clock)
        self.challenges = ChallengeStore(options, rows, context.keyring, context.clock)

    @property
    def issuer(self) -> str:
        return self.options.issuer or self.context.settings.email.app_name

    async def methods_for(self, user_id: str) -> list[str]:
        """The second factors a challenge offers the user: `totp` with a verified secret, `otp` when emailed codes
        are on (better-auth's `twoFactorMethods`)."""
        row = await self.service.find(user_id)
        methods = ["totp"] if row is not None and row.verified is not False else []
        return [*methods, "otp"] if self.options.otp_enabled else methods

    def router(self) -> APIRouter:
        return two_factor_router.build_router(self)

    def sign_in_stages(self) -> Sequence[SignInStage]:
        return (TwoFactorStage(self),)

    def rate_limit_rules(self) -> Mapping[str, RuleValue]:
        return {"/two-factor/*": RateLimitRule(window=10, max=3)}

    def tables(self) -> Sequence[Table]:
        return (TwoFactorRow.__table__,)  # type: ignore[attr-defined]
