"""What the OAuth flow hands back to its routes: the authorization URL and state it started with, the sign-in it
finished, or the error code a failed callback redirects with."""

from __future__ import annotations

from dataclasses import dataclass

from ..db.models import Account
from ..sessions.service import AuthSession
from .state import IssuedState


class CallbackError(Exception):
    """The callback failed: redirect to `error_url` (the flow's `errorCallbackURL`; None: the auth base URL's
    `/error` page) with `?error=<code>`, a lower snake case code (README *Social sign-in* lists them).
    `state_consumed`: the flow's state was used up, so its cookie is cleared; a callback that is not the flow's
    leaves both alone."""

    def __init__(
        self, code: str, error_url: str | None, description: str | None = None, *, state_consumed: bool = True
    ) -> None:
        super().__init__(code)
        self.code = code
        self.error_url = error_url
        self.description = description
        self.state_consumed = state_consumed


@dataclass(frozen=True, slots=True)
class SignedIn:
    found: AuthSession | None
    """None after linking: the user's current session stays."""
    redirect_to: str
    is_new_user: bool
    account: Account | None = None
    """Without a database: the provider account, to keep in the `account_data` cookie."""
    error_url: str | None = None
    """The flow's `errorCallbackURL`, should writing the session's cookies still fail (None: `/error`)."""


@dataclass(frozen=True, slots=True)
class Started:
    url: str
    state: IssuedState
