"""`Plugin`: what a plugin declares, and the one place `BetterAuth` asks for it.

A plugin is a small object. It names itself (`id`), brings an options model (read from `AuthSettings.plugins.<id>`,
so `BETTER_AUTH_PLUGINS__<ID>__...` works), and is then set up once with an `AuthContext`. After that, `BetterAuth`
asks it for what it contributes: routes, error codes, rate-limit rules, sessions made from other credentials,
clean-ups when a user is deleted, its tables, and what to undo when a user secures their account. Every contribution
has a default of "nothing", so a plugin overrides only what it brings. See docs/plugins/writing-a-plugin.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Table

from ..email_password.flows import VerificationSender
from ..fields.model import InputCheck
from ..fields.schema import FieldDeclarations
from ..security.ratelimit import RuleValue
from ..sessions.deps import SessionSource
from ..sessions.issuer import SignInStage
from ..sessions.service import SessionAnswerHeaders, SessionFilter
from ..users.service import UserCleanup

if TYPE_CHECKING:
    from ..settings import AuthSettings
    from .context import AuthContext


class PluginOptions(BaseModel):
    """Base of a plugin's options. `enabled` switches a built-in plugin on from settings alone
    (`BETTER_AUTH_PLUGINS__<ID>__ENABLED=true`); a plugin passed to `BetterAuth(plugins=[...])` is on regardless."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False


OptionsT = TypeVar("OptionsT", bound=PluginOptions)


class Plugin(Generic[OptionsT]):
    """Base of every plugin. Subclasses set `id` and `options_model`, and override what they contribute.

    ```python
    class Audit(Plugin[AuditOptions]):
        id = "audit"
        options_model = AuditOptions

        def router(self) -> APIRouter: ...
    ```
    """

    id: ClassVar[str]
    """Unique; also its key under `AuthSettings.plugins` and in the environment (`BETTER_AUTH_PLUGINS__<ID>__`)."""
    options_model: ClassVar[type[PluginOptions]]
    migrations: ClassVar[Path | None] = None
    """A folder of Alembic revisions: the plugin's own branch (`branch_labels=("<id>",)`, its first revision
    `depends_on` the core's), applied by `auth.migrate()` with the core's chain."""
    error_codes: ClassVar[Mapping[str, str]] = {}
    """The codes it answers with and their default messages (checked at start-up against the core's and other
    plugins', so two never mean different things)."""

    user_fields: ClassVar[FieldDeclarations] = {}
    """Columns it adds to `user` (better-auth's plugin `schema.user.fields`), carried and answered like the app's
    additional fields (docs/extra-fields.md); its Alembic branch adds them to the database."""
    session_fields: ClassVar[FieldDeclarations] = {}
    """Columns it adds to `session`, likewise."""

    def __init__(self, options: OptionsT | None = None) -> None:
        self._given = options
        self._options: OptionsT | None = None
        self._context: AuthContext | None = None

    @property
    def options(self) -> OptionsT:
        if self._options is None:
            raise RuntimeError(f"plugin {self.id!r} is not set up yet: pass it to BetterAuth(plugins=[...])")
        return self._options

    @property
    def context(self) -> AuthContext:
        if self._context is None:
            raise RuntimeError(f"plugin {self.id!r} is not set up yet: pass it to BetterAuth(plugins=[...])")
        return self._context

    def resolve_options(self, settings: AuthSettings) -> OptionsT:
        """The options given in code, else those read from `settings.plugins[id]` (environment included)."""
        if self._given is not None:
            return self._given
        raw: Mapping[str, Any] = settings.plugins.get(self.id, {})
        return self.options_model.model_validate(decode_json_values(self.options_model, raw))  # type: ignore[return-value]

    def setup(self, context: AuthContext, options: OptionsT) -> None:
        """Called once by `BetterAuth`, before any contribution is asked for. Override to build the plugin's
        services (call `super().setup(...)` first); refuse impossible settings here by raising. One plugin object
        serves one `BetterAuth`: a second one gets a clear error rather than taking it over."""
        if self._context is not None and self._context is not context:
            raise RuntimeError(f"plugin {self.id!r} already serves another BetterAuth: create one per instance")
        self._context = context
        self._options = options

    # --- contributions: each defaults to nothing --------------------------------------------------------------

    def router(self) -> APIRouter | None:
        """Routes mounted under the auth base path, behind the same rate limit and origin checks as the core's. An
        `AuthRouter` (`fastapi_betterauth.routing`), so its routes answer errors as every auth route does."""
        return None

    def rate_limit_rules(self) -> Mapping[str, RuleValue]:
        """Rate-limit rules by path (as `rate_limit.custom_rules`); the app's own rules win for the same path."""
        return {}

    def session_sources(self) -> Sequence[SessionSource]:
        """Credentials that stand for a session in one request when no session token is presented."""
        return ()

    def sign_in_stages(self) -> Sequence[SignInStage]:
        """Steps every sign-in goes through before its session is created, in plugin order: let it through, change
        it, refuse it (`AuthError`) or answer instead (`SignInHalted`). See `sessions/issuer.py`."""
        return ()

    def listed_session_filters(self) -> Sequence[SessionFilter]:
        """Which of a user's sessions `/list-sessions` shows: one any filter refuses is left out (the admin plugin's
        impersonation sessions). Other routes still see every session."""
        return ()

    def session_answer_headers(self) -> Sequence[SessionAnswerHeaders]:
        """Headers added to `/get-session`'s answer when it finds a session, each exposed to browser scripts
        (`Access-Control-Expose-Headers`), as better-auth plugins' `after` hooks on that route add them (the jwt
        plugin's `set-auth-jwt`)."""
        return ()

    def user_input_checks(self) -> Sequence[InputCheck]:
        """Checks of the user fields a client sends (the other keys of a sign-up or `update-user` body), run in plugin
        order before they are read as additional fields: each may refuse them (`AuthError`) or return them changed
        (better-auth plugins' `before` hooks on those routes)."""
        return ()

    def user_cleanups(self) -> Sequence[UserCleanup]:
        """What to delete with a user, in the same transaction (rows without a foreign key to it)."""
        return ()

    def verification_sender(self) -> VerificationSender | None:
        """What asks a user to verify their address instead of the core's link, wherever the core would mail one
        (sign-up, `send-verification-email`, a refused unverified sign-in). The last plugin to give one wins."""
        return None

    def sign_up_verification_sender(self) -> VerificationSender | None:
        """What a new unverified user (email sign-up) is sent besides whatever the core sends."""
        return None

    def tables(self) -> Sequence[Table]:
        """The tables it keeps (for schema checks and the migration environment)."""
        return ()

    async def on_account_secured(self, user_id: str) -> None:
        """The user secured their account: all their sessions (or all but the current one) were revoked, or their
        password was reset. Undo here what a stolen session may have left behind, such as credentials it minted
        (the API-key plugin disables the user's keys, docs/security.md K6)."""
        return None


_TEXT: tuple[Any, ...] = (str, str | None)


def decode_json_values(model: type[BaseModel], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Options read from the environment arrive as text: a list or an object field given as JSON
    (`BETTER_AUTH_PLUGINS__API_KEY__HEADERS='["x-api-key"]'`) is decoded here, nested models too."""
    decoded: dict[str, Any] = dict(raw)
    for name, field in model.model_fields.items():
        value = decoded.get(name)
        annotation = field.annotation
        if isinstance(value, str) and annotation not in _TEXT and value.strip()[:1] in ("[", "{"):
            with suppress(ValueError):  # else left as given: validation names the field
                decoded[name] = json.loads(value)
        elif isinstance(value, Mapping) and isinstance(annotation, type) and issubclass(annotation, BaseModel):
            decoded[name] = decode_json_values(annotation, value)
    return decoded
