"""The site's shared parts: its Jinja2 templates, what every page shows (who is signed in, which plugins and
providers are on), and the development outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from fastapi_betterauth import BetterAuth

from .auth_calls import AuthAnswer, call_auth, pass_cookies
from .outbox import DevelopmentOutbox

HERE = Path(__file__).resolve().parent

# Notices a redirect may ask a page to show (`?notice=signed-out`): fixed texts, so a link cannot put words on it.
NOTICES = {
    "signed-out": "You are signed out.",
    "signed-up": "Welcome! Your account is ready.",
    "password-reset": "Your password has been changed. Sign in with the new one.",
    "reset-sent": "If an account exists for that address, we have sent it a link to reset the password.",
    "verification-sent": "We have sent you a new verification link.",
    "verified": "Your email address is verified.",
    "session-revoked": "The session has been signed out.",
    "sessions-revoked": "Every other session has been signed out.",
    "key-deleted": "The API key has been deleted.",
    "two-factor-on": "Two-factor authentication is on.",
    "two-factor-off": "Two-factor authentication is off.",
}


@dataclass
class Site:
    """What the pages need: the auth instance, the templates and, in development, the outbox."""

    auth: BetterAuth
    templates: Jinja2Templates = field(default_factory=lambda: Jinja2Templates(directory=str(HERE / "templates")))
    outbox: DevelopmentOutbox | None = None

    @property
    def development(self) -> bool:
        return self.auth.settings.environment == "development"

    @property
    def plugins(self) -> set[str]:
        return {plugin.id for plugin in self.auth.plugins}

    @property
    def providers(self) -> list[str]:
        """The social providers configured: built-in ones and generic OpenID Connect ones (discovered or not)."""
        ids = set(self.auth.oauth.providers) | {oidc.id for oidc in self.auth.settings.social.oidc}
        return sorted(ids)


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


async def current_session(request: Request) -> AuthAnswer:
    """`/get-session` for the browser of `request`: body `{"session", "user"}`, or None when signed out."""
    return await call_auth(request, "GET", "/get-session")


def signed_in(answer: AuthAnswer) -> dict[str, Any] | None:
    return answer.body if answer.ok and isinstance(answer.body, dict) and answer.body.get("user") else None


def render(
    request: Request,
    template: str,
    *,
    session: AuthAnswer | None = None,
    answers: tuple[AuthAnswer, ...] = (),
    status_code: int = 200,
    **context: Any,
) -> Response:
    """The page `template` with what every page shows, and the cookies the auth answers set."""
    site = site_of(request)
    found = signed_in(session) if session is not None else None
    notice = NOTICES.get(request.query_params.get("notice", ""))
    values = {
        "user": found["user"] if found else None,
        "session": found["session"] if found else None,
        "plugins": site.plugins,
        "providers": site.providers,
        "development": site.development,
        "app_name": site.auth.settings.email.app_name,
        "notice": notice,
        **context,
    }
    response = site.templates.TemplateResponse(request, template, values, status_code=status_code)
    return pass_cookies(response, *(answer for answer in (session, *answers) if answer is not None))
