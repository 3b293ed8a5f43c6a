"""Which language an email is written in: the user's own locale field when the app has one, else the request's
`Accept-Language` (docs/concepts/email-templates.md)."""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import TYPE_CHECKING

from starlette.requests import Request

from ..fields.values import additional_values

if TYPE_CHECKING:
    from ..db.models import User

_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_MAX_LANGUAGES = 10

_accept_language: ContextVar[str | None] = ContextVar("fastapi_betterauth_accept_language", default=None)
"""The `Accept-Language` header of the request being answered, parsed only when an email is written. Emails sent
after the response (background tasks copy the context when they start) still see their request's."""


def accepted_languages(header: str | None) -> tuple[str, ...]:
    """The language tags of an `Accept-Language` header, lower-case, by decreasing quality (`*`, malformed tags and
    `q=0` left out; at most 10)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")[:50]):
        tag, _, parameters = part.strip().partition(";")
        tag = tag.strip()
        if not _TAG.match(tag):
            continue
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", parameters)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                continue
        if quality > 0:
            ranked.append((-quality, position, tag.lower()))
    return tuple(tag for _, _, tag in sorted(ranked))[:_MAX_LANGUAGES]


async def remember_request_locale(request: Request) -> None:
    """Router dependency: keep the request's `Accept-Language` for the emails it sends."""
    _accept_language.set(request.headers.get("accept-language"))


def request_locales() -> tuple[str, ...]:
    """The languages of the request being answered (none outside a request)."""
    return accepted_languages(_accept_language.get())


def user_locale(user: User | None, field: str | None) -> str | None:
    """The user's locale from the additional user field `field` (e.g. `locale`), when the app has one and it is
    set."""
    if user is None or field is None:
        return None
    values = additional_values(user)
    value = values.get(field) if values is not None else None
    return str(value).lower() if isinstance(value, str) and _TAG.match(value) else None


def fallbacks(locale: str | None) -> tuple[str, ...]:
    """Where to look for `locale`'s wording, most specific first: `de-at` → (`de-at`, `de`)."""
    if not locale:
        return ()
    parts = locale.lower().split("-")
    return tuple("-".join(parts[:length]) for length in range(len(parts), 0, -1))
