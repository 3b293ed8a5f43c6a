"""Cookie names, attributes and values, in one place (better-auth's, docs/better-auth.md#cookies).

Values are written as better-call writes them: `encodeURIComponent(value)`, attributes in its order, `Secure` and
the `__Secure-` prefix together (or `__Host-` with `advanced.host_prefix_cookies`). Signed values are
`value.base64(HMAC-SHA256(secret, value))`.

Large values (the `session_data` cookie cache) are chunked as better-auth's session store does: a cookie may take
`MAX_COOKIE_SIZE` bytes with its name and attributes, longer values go to `<name>.0`, `<name>.1`, …, at most
`MAX_COOKIE_CHUNKS` of them.

Requests are read with `request_cookies`, which keeps the FIRST cookie of each name (docs/security.md C7): a
sibling subdomain can plant a second `session_token` with a wider `Domain`, and browsers send the more specific
cookie first (RFC 6265 §5.4), where Starlette's `request.cookies` keeps the last.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import timedelta
from http import cookies as http_cookies
from urllib.parse import quote, unquote

from starlette.requests import HTTPConnection
from starlette.responses import Response

from .crypto.keyring import Keyring
from .crypto.tokens import sign_value
from .settings import AuthSettings

SESSION_TOKEN = "session_token"
SESSION_DATA = "session_data"
DONT_REMEMBER = "dont_remember"
ACCOUNT_DATA = "account_data"
_JS_URI_COMPONENT_SAFE = "-_.!~*'()"
#: better-auth's per-cookie byte ceiling (Safari's ~4093 floor, less room for attributes added later), counting the
#: name, the encoded value and the attributes.
MAX_COOKIE_SIZE = 4050
#: better-auth's chunk limit: a value needing more is not stored in cookies at all.
MAX_COOKIE_CHUNKS = 100
_CHUNK_SUFFIX = re.compile(r"0|[1-9][0-9]*")
_SCOPE_KEY = "fastapi_betterauth.cookies"
# `%XX` of every ASCII character, both cases of hex digits, to the character.
_ASCII_ESCAPES = {f"{code:02{case}}": chr(code) for code in range(0x80) for case in "xX"}


def percent_decode(value: str) -> str:
    """`urllib.parse.unquote(value)`, the same answer for every string, with less work for cookie values: one
    without `%` is returned as is, and one whose escapes are all of ASCII characters (a signed cookie's `%3D`, `%2F`,
    `%2B`) is decoded by table; anything else (UTF-8 sequences, stray `%`) goes to `unquote`."""
    if "%" not in value:
        return value
    head, *rest = value.split("%")
    parts = [head]
    for part in rest:
        char = _ASCII_ESCAPES.get(part[:2])
        if char is None:
            return unquote(value)
        parts += (char, part[2:])
    return "".join(parts)


class AuthCookies:
    """Reads and writes the auth cookies for one configuration."""

    def __init__(self, settings: AuthSettings, keyring: Keyring) -> None:
        self.secure = settings.secure_cookies
        self._prefix = settings.advanced.cookie_prefix
        self._host_prefix = settings.advanced.host_prefix_cookies
        self._keyring = keyring
        self.session_token = self.name(SESSION_TOKEN)
        self.session_data = self.name(SESSION_DATA)
        self.dont_remember = self.name(DONT_REMEMBER)
        self.account_data = self.name(ACCOUNT_DATA)

    def name(self, short_name: str) -> str:
        full = f"{self._prefix}.{short_name}"
        if self._host_prefix:  # `serialize` writes no Domain and Path=/, as `__Host-` requires (C7)
            return f"__Host-{full}"
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

    def serialize_signed(self, name: str, value: str, max_age: timedelta | int | None) -> str:
        """One `Set-Cookie` value carrying `value` signed with the current secret (`read_signed` reads it back)."""
        return self.serialize(name, sign_value(self._keyring.current, value), max_age)

    def read(self, cookies: Mapping[str, str], name: str) -> str | None:
        """The value of a cookie as `serialize` was given it (percent-decoded), or None."""
        raw = cookies.get(name)
        return percent_decode(raw) if raw else None

    def read_signed(self, cookies: Mapping[str, str], name: str) -> str | None:
        """The value of a signed cookie, or None when it is absent or its signature is wrong."""
        raw = cookies.get(name)
        if not raw:
            return None
        return self._keyring.unsign(percent_decode(raw))

    def set_session(self, response: Response, token: str, *, max_age: timedelta | None) -> None:
        """Set the signed session cookie; `max_age=None` for rememberMe=false sessions (plus `dont_remember`)."""
        response.headers.append("set-cookie", self.serialize_signed(self.session_token, token, max_age))
        if max_age is None:
            response.headers.append("set-cookie", self.serialize_signed(self.dont_remember, "true", None))

    def remember_me(self, cookies: Mapping[str, str]) -> bool:
        """Whether the session these cookies carry was signed in with `rememberMe` (no valid `dont_remember`)."""
        return self.read_signed(cookies, self.dont_remember) is None

    def expire(self, response: Response, name: str) -> None:
        """Tell the browser to drop the cookie `name`."""
        response.headers.append("set-cookie", self.serialize(name, "", 0))

    def clear_session(self, response: Response, present: Mapping[str, str] | None = None) -> None:
        """Expire every cookie that carries session state; with `present` (the request's cookies), also every
        `session_data` chunk and any `account_data` cookie found there."""
        present = present or {}
        response.headers.append("set-cookie", self.serialize(self.session_token, "", 0))
        self.clear_chunked(response, self.session_data, present)
        response.headers.append("set-cookie", self.serialize(self.dont_remember, "", 0))
        for name in _chunk_names(present, self.account_data):
            response.headers.append("set-cookie", self.serialize(name, "", 0))

    def set_chunked(
        self, response: Response, name: str, value: str, max_age: timedelta | None, present: Mapping[str, str]
    ) -> bool:
        """Set `name` to `value`, split into `<name>.0`, `<name>.1`, … when one cookie cannot hold it.

        Every cookie of that name (plain or chunk) in `present`, the request's cookies, is expired unless this write
        replaces it, so no stale chunk survives. A value that needs more than `MAX_COOKIE_CHUNKS` chunks is not
        written (the old cookies are still expired): the answer is False, and the caller falls back.
        """
        # Measured as better-auth measures it: the Set-Cookie of an empty value under the longest chunk name.
        budget = MAX_COOKIE_SIZE - len(self.serialize(f"{name}.99", "", max_age))
        chunks = _split_encoded(value, budget)
        written: dict[str, str]
        if chunks is None:
            written = {}
        elif len(chunks) == 1:
            written = {name: value}
        else:
            written = {f"{name}.{index}": chunk for index, chunk in enumerate(chunks)}
        for old in _chunk_names(present, name):
            if old not in written:
                response.headers.append("set-cookie", self.serialize(old, "", 0))
        for cookie_name, cookie_value in written.items():
            response.headers.append("set-cookie", self.serialize(cookie_name, cookie_value, max_age))
        return chunks is not None

    def read_chunked(self, cookies: Mapping[str, str], name: str) -> str | None:
        """The value of a possibly chunked cookie: the plain cookie if set, else its chunks joined in numeric order."""
        plain = cookies.get(name)
        if plain:
            return percent_decode(plain)
        chunks = [(index, value) for key, value in cookies.items() if (index := _chunk_index(name, key)) is not None]
        joined = "".join(percent_decode(value) for _, value in sorted(chunks))
        return joined or None

    def clear_chunked(self, response: Response, name: str, present: Mapping[str, str]) -> None:
        """Expire `name` and every chunk of it found in `present`, the request's cookies."""
        for old in (name, *(found for found in _chunk_names(present, name) if found != name)):
            response.headers.append("set-cookie", self.serialize(old, "", 0))


def _chunk_index(name: str, cookie_name: str) -> int | None:
    """`n` for a cookie named `<name>.<n>` (canonical decimal), else None."""
    prefix = f"{name}."
    if not cookie_name.startswith(prefix):
        return None
    suffix = cookie_name[len(prefix) :]
    return int(suffix) if _CHUNK_SUFFIX.fullmatch(suffix) else None


def _chunk_names(cookies: Mapping[str, str], name: str) -> Iterator[str]:
    """The names among `cookies` that belong to `name`: itself and its chunks."""
    return (key for key in cookies if key == name or _chunk_index(name, key) is not None)


def _split_encoded(value: str, budget: int) -> list[str] | None:
    """`value` in pieces whose URL-encoded form fits `budget` bytes; None when that takes over MAX_COOKIE_CHUNKS."""
    if budget <= 0:
        return None
    encoded = quote(value, safe=_JS_URI_COMPONENT_SAFE)
    if len(encoded) <= budget:
        return [value]
    if len(encoded) == len(value):  # nothing to escape (base64url, JWE): better-auth's plain substrings
        if -(-len(value) // budget) > MAX_COOKIE_CHUNKS:
            return None
        return [value[start : start + budget] for start in range(0, len(value), budget)]
    chunks: list[str] = []
    start = size = 0
    for index, char in enumerate(value):
        width = len(quote(char, safe=_JS_URI_COMPONENT_SAFE))
        if size + width > budget:
            chunks.append(value[start:index])
            if len(chunks) >= MAX_COOKIE_CHUNKS:
                return None
            start, size = index, 0
        size += width
    chunks.append(value[start:])
    return chunks


def parse_cookies(*headers: str) -> dict[str, str]:
    """The cookies of `Cookie` header values, keeping the first cookie of each name (docs/security.md C7).

    Otherwise parsed as Starlette's `cookie_parser` does (lenient, Python's unquoting), so only duplicates differ.
    """
    found: dict[str, str] = {}
    for header in headers:
        for chunk in header.split(";"):
            key, sep, value = chunk.partition("=")
            if not sep:
                key, value = "", chunk
            key, value = key.strip(), value.strip()
            if (key or value) and key not in found:
                found[key] = http_cookies._unquote(value)
    return found


def request_cookies(request: HTTPConnection) -> dict[str, str]:
    """The request's cookies, first of each name kept (use instead of `request.cookies`; docs/security.md C7)."""
    cached: dict[str, str] | None = request.scope.get(_SCOPE_KEY)
    if cached is None:
        cached = parse_cookies(*request.headers.getlist("cookie"))
        request.scope[_SCOPE_KEY] = cached
    return cached


def parse_cookie_header(headers: Mapping[str, str]) -> dict[str, str]:
    """The cookies of a `Cookie` header, for server-side calls that get headers instead of a request."""
    header = next((value for key, value in headers.items() if key.lower() == "cookie"), "")
    return parse_cookies(header)
