"""`Passkey`: better-auth's passkey plugin (`@better-auth/passkey`) on the plugin seam: the `passkey` table, WebAuthn
registration and sign-in, listing, renaming and deleting passkeys.

```python
auth = BetterAuth(settings, plugins=[Passkey(PasskeyOptions(rp_id="example.com", rp_name="Example"))])
```

or from settings alone: `BETTER_AUTH_PLUGINS__PASSKEY__ENABLED=true`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from fastapi import APIRouter
from sqlalchemy import Table

from ..plugins.base import Plugin
from ..plugins.context import AuthContext
from ..security.ratelimit import RuleValue
from ..settings.security import RateLimitRule
from ..verification.rows import PlainRows
from . import router as passkey_router
from .ceremonies import Ceremonies
from .errors import MESSAGES
from .models import Passkey as PasskeyRow
from .options import PasskeyOptions
from .service import PasskeyService


class Passkey(Plugin[PasskeyOptions]):
    """Passkeys: WebAuthn credentials a signed-in user adds, then signs in with (also without a username)."""

    id = "passkey"
    options_model = PasskeyOptions
    error_codes: ClassVar[Mapping[str, str]] = MESSAGES

    def setup(self, context: AuthContext, options: PasskeyOptions) -> None:
        super().setup(context, options)
        if not context.has_database:
            raise ValueError("the passkey plugin needs a database (passkeys are kept in the passkey table)")
        settings = context.settings
        rows = PlainRows(context.database, context.clock)
        self.ceremonies = Ceremonies(options, settings, rows, context.origins, context.clock)
        allow_last = settings.social.allow_unlinking_all
        self.service = PasskeyService(context.database, context.clock, allow_deleting_last=allow_last)

    def router(self) -> APIRouter:
        return passkey_router.build_router(self)

    def rate_limit_rules(self) -> Mapping[str, RuleValue]:
        rule = RateLimitRule(window=self.options.rate_limit_window, max=self.options.rate_limit_max)
        return {
            "/passkey/generate-register-options": rule,
            "/passkey/verify-registration": rule,
            "/passkey/generate-authenticate-options": rule,
            "/passkey/verify-authentication": rule,
        }

    def tables(self) -> Sequence[Table]:
        return (PasskeyRow.__table__,)  # type: ignore[attr-defined]
