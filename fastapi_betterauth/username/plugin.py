"""`Username`: better-auth's username plugin on the plugin seam: `username` and `displayUsername` user fields, set at
sign-up and by `update-user`, `POST /sign-in/username` and `POST /is-username-available`.

```python
auth = BetterAuth(settings, plugins=[Username(UsernameOptions(min_username_length=4))])
```

or from settings alone: `BETTER_AUTH_PLUGINS__USERNAME__ENABLED=true`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from fastapi import APIRouter

from ..fields.model import InputCheck
from ..fields.schema import FieldDeclarations
from ..fields.spec import FieldSpec
from ..plugins.base import Plugin
from ..plugins.context import AuthContext
from . import router as username_router
from .errors import MESSAGES
from .options import UsernameOptions
from .service import DISPLAY_USERNAME, USERNAME, UsernameService


class Username(Plugin[UsernameOptions]):
    """Usernames beside email addresses. A user may have none; who has one signs in with it or with the email."""

    id = "username"
    options_model = UsernameOptions
    error_codes: ClassVar[Mapping[str, str]] = MESSAGES
    user_fields: ClassVar[FieldDeclarations] = {
        USERNAME: FieldSpec(type="string", required=False, unique=True, sortable=True),
        DISPLAY_USERNAME: FieldSpec(type="string", required=False),
    }

    def setup(self, context: AuthContext, options: UsernameOptions) -> None:
        super().setup(context, options)
        if not context.has_database:
            raise ValueError("the username plugin needs a database (usernames are kept in the user table)")
        self.service = UsernameService(options, context.database, context.users.fields)

    def router(self) -> APIRouter:
        return username_router.build_router(self)

    def user_input_checks(self) -> Sequence[InputCheck]:
        return (self.service.check_input,)
