"""What the `/organization/*` routes share: the caller's session (answered as better-auth answers its absence on
each route), query parameters read as zod reads them, and the request body limit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from fastapi import Request, Response

from ..admin.errors import EmptyUnauthorized, codeless
from ..errors import unauthorized
from ..sessions.deps import resolve_session
from ..sessions.service import AuthSession
from .schemas import validation

if TYPE_CHECKING:
    from .plugin import Organization

NoSession = Literal["unauthorized", "empty", "user-not-found", "not-authenticated"]


async def org_session(request: Request, response: Response, absent: NoSession = "unauthorized") -> AuthSession:
    """The caller's session, read from the store (the active organization must be current), else 401: with
    `UNAUTHORIZED`, or as better-auth answers on some routes, an empty body or a message without a code."""
    found = await resolve_session(request, response, use_cookie_cache=False)
    if found is not None:
        return found
    match absent:
        case "empty":
            raise EmptyUnauthorized()
        case "user-not-found":
            raise codeless(401, "User not found")
        case "not-authenticated":
            raise codeless(401, "Not authenticated")
        case _:
            raise unauthorized()


def query_text(request: Request, name: str, *, required: bool = False) -> str | None:
    value = request.query_params.get(name)
    if value is None and required:
        raise validation(f"[query.{name}] Invalid input: expected string, received undefined")
    return value


def query_int(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise validation(f"[query.{name}] Invalid input: expected number, received NaN") from None


def max_bytes(plugin: Organization) -> int:
    return plugin.context.settings.advanced.max_body_bytes


def no_session_docs() -> dict[int, str]:
    return {401: "`UNAUTHORIZED`: no session"}
