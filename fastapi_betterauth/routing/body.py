"""Request bodies: read once and size-limited, parsed as JSON (or a form where better-auth takes one), checked
for NUL characters, lone surrogates and nesting, and validated against a model."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import BaseModel, ValidationError

from ..errors import AuthError, ErrorCode
from .zod import format_errors, js_type

ModelT = TypeVar("ModelT", bound=BaseModel)

FORM = "application/x-www-form-urlencoded"

NUL_MESSAGE = "Invalid input: must not contain NUL characters"
"""U+0000 in a request string: PostgreSQL can neither store nor compare it, so it is refused on every database."""


# Body fields that are only ever hashed: any character is allowed in them, NUL included.
_PASSWORD_PATHS = frozenset({("body", "password"), ("body", "newPassword"), ("body", "currentPassword")})
MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects a body may have (stored metadata must also be answered back as JSON)."""


def _too_deep() -> AuthError:
    return AuthError(ErrorCode.VALIDATION_ERROR, 400, f"Invalid JSON body: nested deeper than {MAX_JSON_DEPTH} levels")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _well_formed(value: Any) -> Any:
    """JSON text may escape lone UTF-16 surrogates (`"\\ud800"`), which no UTF-8 text, hash input or database
    column can hold; JavaScript's encoders turn each into U+FFFD, and so does this. (A pair stays one character:
    the JSON parser has joined it.) Only called on bodies within `MAX_JSON_DEPTH`."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_well_formed(item) for item in value]
    if isinstance(value, dict):
        return {_well_formed(key): _well_formed(item) for key, item in value.items()}
    return value


def _check_json(data: Any) -> None:
    """Refuse NUL characters in a body (passwords apart), and nesting deeper than `MAX_JSON_DEPTH`. Walked
    without recursion, since a body may nest as deep as its size allows."""
    pending: list[tuple[Any, tuple[str, ...]]] = [(data, ("body",))]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str) and "\x00" in value and path not in _PASSWORD_PATHS:
            raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"[{'.'.join(path)}] {NUL_MESSAGE}")
        if isinstance(value, dict | list) and len(path) > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            pending.extend((item, (*path, str(key))) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((item, (*path, str(index))) for index, item in enumerate(value))


async def _read_limited(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
        raise AuthError(ErrorCode.REQUEST_BODY_TOO_LARGE)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise AuthError(ErrorCode.REQUEST_BODY_TOO_LARGE)
        chunks.append(chunk)
    return b"".join(chunks)


async def _body_bytes(request: Request, max_bytes: int) -> bytes:
    """The raw body, read once per request (a router dependency may look at it before the route reads it). Kept in
    the request's scope: `request.state` may be the app's lifespan state, shared by every request."""
    cached: bytes | None = request.scope.get(_BODY_KEY)
    if cached is None:
        cached = await _read_limited(request, max_bytes)
        request.scope[_BODY_KEY] = cached
    return cached


_BODY_KEY = "fastapi_betterauth.body"


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _is_json(media_type: str) -> bool:
    return media_type in ("application/json", "") or media_type.endswith("+json")


async def read_body_data(request: Request, *, max_bytes: int, allow_form: bool = False) -> Any:
    """The parsed JSON body (or form fields where better-auth accepts forms), size-limited; any JSON value."""
    raw = await _body_bytes(request, max_bytes)
    media_type = _media_type(request)
    data: Any
    if allow_form and media_type == FORM:
        data = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    elif _is_json(media_type):
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise AuthError(ErrorCode.BAD_REQUEST, 400, "Invalid JSON in request body") from None
        except RecursionError:  # nested deeper than the parser's stack, so deeper than `MAX_JSON_DEPTH` too
            raise _too_deep() from None
    else:
        raise AuthError(ErrorCode.UNSUPPORTED_MEDIA_TYPE)
    _check_json(data)
    if _SURROGATE_ESCAPE.search(raw):
        data = _well_formed(data)
    return data


async def body_fields(request: Request, *, max_bytes: int) -> Mapping[str, Any]:
    """The fields of a JSON or form body, for the checks better-auth makes before a route validates its body (the
    redirect targets); empty for any other body, whose problems the route itself reports. 413 when too large."""
    media_type = _media_type(request)
    if not (_is_json(media_type) or media_type == FORM):
        return {}
    try:
        data = await read_body_data(request, max_bytes=max_bytes, allow_form=True)
    except AuthError as error:
        if error.status_code == 413:
            raise
        return {}
    return data if isinstance(data, dict) else {}


BodyShape = tuple[str, ...]
"""What zod calls the body a route expects, for the message when it is not a JSON object: `("object",)` for most
routes, `("record",)` where better-auth takes any fields (`update-user`), both where it takes a schema and more."""


async def parse_body(
    request: Request,
    model: type[ModelT],
    *,
    max_bytes: int,
    allow_form: bool = False,
    shape: BodyShape = ("object",),
) -> ModelT:
    """Read and validate a JSON body (or a form-urlencoded one where better-auth accepts forms).

    Oversized bodies are refused before they are read whole; every failure is a clear 4xx.
    """
    data = await read_body_data(request, max_bytes=max_bytes, allow_form=allow_form)
    require_object(data, shape)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise AuthError(ErrorCode.VALIDATION_ERROR, 400, format_errors(exc.errors(), model, ("body",))) from None


def require_object(data: Any, shape: BodyShape = ("object",)) -> None:
    """400 `VALIDATION_ERROR` in zod's words unless `data` (a parsed body) is a JSON object."""
    if not isinstance(data, dict):
        received = js_type(data)
        message = "; ".join(f"[body] Invalid input: expected {kind}, received {received}" for kind in shape)
        raise AuthError(ErrorCode.VALIDATION_ERROR, 400, message)
