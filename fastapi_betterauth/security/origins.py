"""Trusted origins and the origin check for cookie-carrying unsafe requests (docs/better-auth.md#trusted-origins,
#origin-check)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request

from ..errors import AuthError, ErrorCode
from ..settings import AuthSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# better-auth's rule for relative callback URLs: one leading slash, no `//`, `/\` or their encodings, no fragment.
_RELATIVE_PATH = re.compile(r"^/(?!/|\\|%2f|%5c)[\w\-.+/@]*(?:\?[\w\-.+/=&%@]*)?$", re.IGNORECASE)
# URL parsers drop tabs and newlines before comparing origins, but the raw value is echoed in `Location`.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


@lru_cache(maxsize=256)
def _wildcard(pattern: str) -> re.Pattern[str]:
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return re.compile(f"^{regex}$", re.IGNORECASE)


# A plain `host[:port]`. With userinfo, `\`, `%` or other oddities, urlsplit and a browser's URL parser can see
# different hosts (`https://evil.io\@a.example.com` is evil.io to a browser): such URLs are never trusted.
_AUTHORITY = re.compile(r"(?:[a-z0-9\-._]+|\[[0-9a-f:.]+\])(?::\d{1,5})?", re.IGNORECASE)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not _AUTHORITY.fullmatch(parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _normalized_path(path: str) -> str:
    resolved = posixpath.normpath(unquote(path or "/"))
    return "/" if resolved == "." else resolved


def _matches(url: str, pattern: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        if "*" in pattern or "?" in pattern:
            origin = _origin(url)
            if origin is None:
                return False
            target = origin if "://" in pattern else (parts.hostname or "")
            return bool(_wildcard(pattern).match(target))
        origin = _origin(url)
        return origin is not None and origin == _origin(pattern)
    # Custom schemes (myapp://...): same scheme, exact authority if the pattern has one, nested path if it has one.
    allowed = urlsplit(pattern)
    if not parts.scheme or parts.scheme.lower() != allowed.scheme.lower():
        return False
    if allowed.netloc and parts.netloc.lower() != allowed.netloc.lower():
        return False
    if allowed.path and allowed.path != "/":
        want, got = _normalized_path(allowed.path), _normalized_path(parts.path)
        return got == want or got.startswith(want.rstrip("/") + "/")
    return True


_REDIRECT_TARGETS = (
    ("callbackURL", "callbackURL", ErrorCode.INVALID_CALLBACK_URL),
    ("redirectTo", "redirectURL", ErrorCode.INVALID_REDIRECT_URL),
    ("errorCallbackURL", "errorCallbackURL", ErrorCode.INVALID_ERROR_CALLBACK_URL),
    ("newUserCallbackURL", "newUserCallbackURL", ErrorCode.INVALID_NEW_USER_CALLBACK_URL),
)
"""Body fields naming where to send the user: (field, better-auth's label for it, the code of an untrusted one)."""


def _truthy(value: Any) -> bool:
    """JavaScript's truthiness for a JSON value: null, false, 0 and "" are false; objects and arrays are true."""
    if value is None or value is False or value == "":
        return False
    return not (isinstance(value, int | float) and not isinstance(value, bool) and value == 0)


class OriginPolicy:
    """Which origins may send cookie-carrying requests, and which URLs may be redirected to."""

    def __init__(self, settings: AuthSettings) -> None:
        self.trusted_origins: tuple[str, ...] = (settings.origin, *settings.trusted_origins)
        self._check_csrf = not settings.advanced.disable_csrf_check
        self._check_urls = not settings.advanced.disable_origin_check

    def is_trusted_origin(self, origin: str) -> bool:
        return any(_matches(origin, pattern) for pattern in self.trusted_origins)

    def is_trusted_url(self, url: str, *, allow_relative: bool = True) -> bool:
        """True for a trusted absolute URL, or a safe relative path when `allow_relative`."""
        if _CONTROL_CHARACTERS.search(url):
            return False
        if url.startswith("/"):
            return allow_relative and bool(_RELATIVE_PATH.match(url))
        return self.is_trusted_origin(url)

    def check_callback_url(self, url: str | None, code: ErrorCode = ErrorCode.INVALID_CALLBACK_URL) -> None:
        if url is not None and self._check_urls and not self.is_trusted_url(url):
            raise AuthError(code, 403)

    def check_redirect_targets(self, body: Mapping[str, Any], query: Mapping[str, str]) -> None:
        """better-auth's check of the URLs an unsafe request asks to be sent to, made before the route validates
        its body: `callbackURL` (body, else query), `redirectTo`, `errorCallbackURL` and `newUserCallbackURL`. One that
        is not a string is a 400 ("Invalid callbackURL: expected a string", without a code, as better-auth answers);
        one not trusted, a 403 with its code."""
        if not self._check_urls:
            return
        for field, label, code in _REDIRECT_TARGETS:
            value = body.get(field)
            if not _truthy(value) and field == "callbackURL":
                value = query.get(field)
            if not _truthy(value):
                continue
            if not isinstance(value, str):
                raise AuthError(ErrorCode.BAD_REQUEST, 400, f"Invalid {label}: expected a string", answer_code=False)
            if not self.is_trusted_url(value):
                raise AuthError(code, 403)

    def check_request(
        self, method: str, headers: Mapping[str, str], *, login_form: bool = False, url: str | None = None
    ) -> None:
        """better-auth's origin check (docs/better-auth.md#origin-check).

        Unsafe requests carrying cookies must come from a trusted `Origin` (or `Referer`). The sign-in and sign-up
        endpoints, which accept HTML form posts, are also checked without cookies: a browser that sent Fetch
        Metadata (`Sec-Fetch-Site`, `-Mode` or `-Dest`) must be on a page of a trusted origin, a cross-site
        top-level navigation is refused outright, and without Fetch Metadata a sent `Origin`/`Referer` is checked.
        `url` is the address the request was sent to: `Origin: null` with `Sec-Fetch-Site: same-origin` (a
        browser that withholds the origin but vouches it is the same) is checked as the origin of `url`.
        """
        if not self._check_csrf or method.upper() in SAFE_METHODS:
            return
        if not isinstance(headers, Headers):
            headers = Headers(headers=dict(headers))  # case-insensitive, like a request's
        if "cookie" in headers:
            self._require_trusted_origin(headers, url)
        elif login_form:
            site, mode, dest = (headers.get(f"sec-fetch-{name}", "").strip() for name in ("site", "mode", "dest"))
            if site or mode or dest:
                if site == "cross-site" and mode == "navigate":
                    raise AuthError(ErrorCode.CROSS_SITE_NAVIGATION_LOGIN_BLOCKED)
                self._require_trusted_origin(headers, url)
            elif headers.get("origin") or headers.get("referer"):
                self._require_trusted_origin(headers, url)

    def check(self, request: Request, *, login_form: bool = False) -> None:
        """`check_request` for the request being served. Safe requests, most of them, never build its address."""
        if request.method in SAFE_METHODS:
            return
        self.check_request(request.method, request.headers, login_form=login_form, url=str(request.url))

    def _require_trusted_origin(self, headers: Mapping[str, str], url: str | None) -> None:
        origin = headers.get("origin") or headers.get("referer")
        if headers.get("origin") == "null" and headers.get("sec-fetch-site") == "same-origin" and url is not None:
            origin = _origin(url) or origin
        if not origin or origin == "null":
            raise AuthError(ErrorCode.MISSING_OR_NULL_ORIGIN)
        if not self.is_trusted_origin(origin):
            raise AuthError(ErrorCode.INVALID_ORIGIN)
