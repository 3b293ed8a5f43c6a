"""Cookie names, attributes and values, in one place (better-auth's, SPEC §2.2).

Values are written as better-call writes them: `encodeURIComponent(value)`, attributes in its order, `Secure` and
the `__Secure-` prefix together. Signed values are `value.base64(HMAC-SHA256(secret, value))`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import quote, unquote

from starlette.requests import cookie_parser
from starlette.responses import Response

from .crypto.keyring import Keyring
from .crypto.tokens import sign_value, unsign_value
from .settings import AuthSettings

SESSION_TOKEN = "session_token"
SESSION_DATA = "session_data"
DONT_REMEMBER = "dont_remember"
_JS_URI_COMPONENT_SAFE = "-_.!~*'()"


class AuthCookies:
    """Reads and writes the auth cookies for one configuration."""

    def __init__(self, settings: AuthSettings, keyring: Keyring) -> None:
        self.secure = settings.secure_cookies
        self._prefix = settings.advanced.cookie_prefix
        self._keyring = keyring
        self.session_token = self.name(SESSION_TOKEN)
        self.session_data = self.name(SESSION_DATA)
        self.dont_remember = self.name(DONT_REMEMBER)

    def name(self, short_name: str) -> str:
        full = f"{self._prefix}.{short_name}"
        return f"__Secure-{full}" if self.secure else full

    def serialize(self, name: str, value: str, max_age: timedelta | int | None) -> str:
        """One `Set-Cookie` value. `max_age=None` makes a browser-session cookie."""
        parts = [f"{name}={quote(value, safe=_JS_URI_COMPONENT_SAFE)}"]
        if max_age is not None:
            seconds = int(max_age.total_seconds()) if isinstance(max_age, timedelta) else max_age
            parts.append(f"Max-Age={seconds}")
        parts += ["Path=/", "HttpOnly"]
        if self.secure:
            parts.append("Secure")
        parts.append("SameSite=Lax")
        return "; ".join(parts)

    def read_signed(self, cookies: Mapping[str, str], name: str) -> str | None:
        """The value of a signed cookie, or None when it is absent or its signature is wrong."""
        raw = cookies.get(name)
        if not raw:
            return None
        return unsign_value(unquote(raw), self._keyring.secrets)

    def set_session(self, response: Response, token: str, *, max_age: timedelta | None) -> None:
        """Set the signed session cookie; `max_age=None` for rememberMe=false sessions (plus `dont_remember`)."""
        signed = sign_value(self._keyring.current, token)
        response.headers.append("set-cookie", self.serialize(self.session_token, signed, max_age))
        if max_age is None:
            remember = sign_value(self._keyring.current, "true")
            response.headers.append("set-cookie", self.serialize(self.dont_remember, remember, None))

    def clear_session(self, response: Response) -> None:
        """Expire every cookie that carries session state."""
        for name in (self.session_token, self.session_data, self.dont_remember):
            response.headers.append("set-cookie", self.serialize(name, "", 0))


def parse_cookie_header(headers: Mapping[str, str]) -> dict[str, str]:
    """The cookies of a `Cookie` header, for server-side calls that get headers instead of a request."""
    header = next((value for key, value in headers.items() if key.lower() == "cookie"), "")
    return cookie_parser(header)
