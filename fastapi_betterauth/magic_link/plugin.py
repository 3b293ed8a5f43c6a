"""`MagicLink`: better-auth's magic-link plugin on the plugin seam: `POST /sign-in/magic-link` mails a single-use
link, `GET /magic-link/verify` signs its owner in (and up).

```python
auth = BetterAuth(settings, plugins=[MagicLink(MagicLinkOptions(expires_in=600))])
```

or from settings alone: `BETTER_AUTH_PLUGINS__MAGIC_LINK__ENABLED=true`.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

from ..plugins.base import Plugin
from ..plugins.context import AuthContext
from ..security.ratelimit import RuleValue
from ..settings.security import RateLimitRule
from ..users.passwordless import PasswordlessUsers
from ..verification.rows import PlainRows
from . import router as magic_link_router
from .options import MagicLinkOptions
from .service import MagicLinkService


class MagicLink(Plugin[MagicLinkOptions]):
    """Sign-in by a link mailed to the address; a new address gets a new, verified user unless sign-up is off."""

    id = "magic_link"
    options_model = MagicLinkOptions

    def setup(self, context: AuthContext, options: MagicLinkOptions) -> None:
        super().setup(context, options)
        if not context.has_database:
            raise ValueError("the magic-link plugin needs a database (links are kept in the verification table)")
        self.service = MagicLinkService(options, PlainRows(context.database, context.clock), context.clock)
        self.users = PasswordlessUsers(context)

    def router(self) -> APIRouter:
        return magic_link_router.build_router(self)

    def rate_limit_rules(self) -> Mapping[str, RuleValue]:
        # better-auth's rule for both routes: `max` requests per `window` seconds, each route its own count.
        rule = RateLimitRule(window=self.options.rate_limit_window, max=self.options.rate_limit_max)
        return {"/sign-in/magic-link": rule, "/magic-link/verify": rule}
