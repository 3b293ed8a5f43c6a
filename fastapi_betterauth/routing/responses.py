"""What leaves the routes besides errors: the no-store / no-referrer header sets, JSON answers, and the URLs
of redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from fastapi.encoders import jsonable_encoder
from starlette.responses import JSONResponse, Response

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""Headers for every response that carries session data: no shared or browser cache keeps it."""
LINK_HEADERS = {**NO_STORE, "Referrer-Policy": "no-referrer"}
"""For pages reached with tokens or codes in their URL: kept out of caches and of Referer headers."""


def location(url: str) -> str:
    """`url` as a `Location` header can carry it: characters outside ASCII percent-encoded (as UTF-8), the rest as
    given, exactly as Starlette's `RedirectResponse` writes its header. (A header cannot hold `İ`; answering a
    sign-in whose `callbackURL` has one must not fail after its session is made.)"""
    return quote(url, safe=_URL_SAFE)


_URL_SAFE = ":/%#?=@[]!$&'()*+,;"


def with_query(url: str, **params: str) -> str:
    """`url` with more query parameters (after `?` or `&`, before any `#fragment`)."""
    base, hash_sign, fragment = url.partition("#")
    separator = "" if base.endswith(("?", "&")) else "&" if "?" in base else "?"
    return f"{base}{separator}{urlencode(params)}{hash_sign}{fragment}"


def absolute_url(base: str, url: str, **params: str) -> str:
    """`url` resolved against `base` as a browser resolves a link (`/reset` on `https://a.example/api/auth` is
    `https://a.example/reset`), with `params` set in its query, replacing any of the same name."""
    parts = urlsplit(urljoin(base, url))
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name not in params]
    query.extend(params.items())
    return urlunsplit(parts._replace(path=parts.path or "/", query=urlencode(query)))


def json_answer(body: Any, response: Response, *, encode: bool = False) -> JSONResponse:
    """`body` as JSON, with the status and headers (cookies) already set on the route's injected `response`.

    FastAPI runs `jsonable_encoder` over whatever a route returns, item by item; a body made of JSON values only
    skips that walk. `encode=True` for bodies that may hold other values (an app's own, e.g. a session enricher's).
    The bytes are the same as FastAPI's own answer would be.
    """
    answer = JSONResponse(jsonable_encoder(body) if encode else body, status_code=response.status_code or 200)
    answer.raw_headers.extend(
        (name, value) for name, value in response.raw_headers if name not in (b"content-length", b"content-type")
    )
    return answer
