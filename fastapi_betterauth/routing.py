"""HTTP plumbing shared by the feature routers: the error-answering route class, request-body parsing, and the
OpenAPI description of what the routes answer."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, Iterator, Mapping
from functools import cached_property
from typing import Any, TypeVar, get_args
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from fastapi import Request
from fastapi.datastructures import DefaultPlaceholder
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, APIRouter
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from .errors import AuthError, ErrorCode, NotRoutedError, internal_error_response
from .hooks import HookVetoError
from .schemas import ErrorResponse, MessageResponse

ModelT = TypeVar("ModelT", bound=BaseModel)

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""Headers for every response that carries session data: no shared or browser cache keeps it."""
LINK_HEADERS = {**NO_STORE, "Referrer-Policy": "no-referrer"}
"""For pages reached with tokens or codes in their URL: kept out of caches and of Referer headers."""


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


_JS_TYPE_NAMES: Mapping[type, str] = {
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}
_TEXT_SOURCES = frozenset({"query", "path", "header", "cookie"})
_EXPECTED_BY_ERROR = {
    "string_type": "string",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "int_type": "number",
    "float_type": "number",
    "dict_type": "object",
    "model_type": "object",
    "list_type": "array",
}
_QUOTED = re.compile(r"'([^']*)'")
# Pydantic's bound errors: (zod's word, the context key of the bound, the comparison, what is measured).
_BOUNDS = {
    "string_too_short": ("Too small", "min_length", ">=", "string to have {} characters"),
    "string_too_long": ("Too big", "max_length", "<=", "string to have {} characters"),
    "too_short": ("Too small", "min_length", ">=", "array to have {} items"),
    "too_long": ("Too big", "max_length", "<=", "array to have {} items"),
    "greater_than_equal": ("Too small", "ge", ">=", "number to be {}"),
    "greater_than": ("Too small", "gt", ">", "number to be {}"),
    "less_than_equal": ("Too big", "le", "<=", "number to be {}"),
    "less_than": ("Too big", "lt", "<", "number to be {}"),
}


class AuthRoute(APIRoute):
    """Every error leaves an auth route as `{"code", "message"}`: ours, validation (400, never FastAPI's 422
    shape) and unexpected ones (500 without details, logged). A request with a method the route does not serve
    gets better-auth's bare 404, not a 405.

    Its OpenAPI operation lists, besides the route's own `responses`, the errors every auth route can answer
    (`shared_errors`), and not FastAPI's 422, which never leaves it.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {method.upper() for method in kwargs.get("methods") or ("GET",)}
        extra: dict[str, Any] = dict(kwargs.get("openapi_extra") or {})
        responses = dict(kwargs.get("responses") or {})
        shared = shared_errors(unsafe=not methods <= _SAFE_METHODS, body="requestBody" in extra)
        for status, (text, model) in shared.items():
            _add_error(responses, status, text, model)
        response_class = kwargs.get("response_class")
        if isinstance(response_class, DefaultPlaceholder):
            response_class = response_class.value
        if response_class is not None and response_class.media_type != JSONResponse.media_type:
            # FastAPI would document the error models in the route's media type (a page's `text/html`).
            responses = {status: _json_content(answer) for status, answer in responses.items()}
        if 422 not in responses and "422" not in responses:
            # FastAPI documents its own 422 for routes with parameters; a `None` there is left out of the document.
            extra["responses"] = {**extra.get("responses", {}), "422": None}
        super().__init__(path, endpoint, **{**kwargs, "responses": responses, "openapi_extra": extra})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            await NotRoutedError().to_response()(scope, receive, send)
            return
        await super().handle(scope, receive, send)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer_errors(request: Request) -> Response:
            try:
                _refuse_nul_in_url(request)
                return await handler(request)
            except AuthError as exc:
                return exc.to_response()
            except HookVetoError:
                return AuthError(ErrorCode.REFUSED_BY_HOOK, 403).to_response()
            except RequestValidationError as exc:
                return AuthError(ErrorCode.VALIDATION_ERROR, 400, _format_errors(exc.errors())).to_response()
            except HTTPException:
                raise
            except Exception as exc:
                return internal_error_response(exc)

        return answer_errors


NUL_MESSAGE = "Invalid input: must not contain NUL characters"
"""U+0000 in a request string: PostgreSQL can neither store nor compare it, so it is refused on every database."""


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


class AuthRouter(APIRouter):
    """An `APIRouter` of `AuthRoute`s that steps aside at once for paths none of its routes can match.

    FastAPI (since included routers stay nested) walks every route of an included router, for every request to a
    route declared after it: an app's own routes behind `include_router(auth.router, ...)` would pay for all the
    auth routes on each request. One regular expression over the ends of the route paths (so whatever prefix the
    router is included under) answers "none of these" first; a path it lets through gets the full walk. Routes
    must be added before the first request.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", AuthRoute)
        super().__init__(**kwargs)

    @cached_property
    def _path_ends(self) -> re.Pattern[str] | None:
        return _path_ends_pattern(self.routes)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path_ends = self._path_ends
        if path_ends is not None and path_ends.search(scope.get("path", "")) is None:
            return Match.NONE, {}
        return super().matches(scope)


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _path_ends_pattern(routes: list[BaseRoute]) -> re.Pattern[str] | None:
    """A pattern that finds any of `routes`' paths at the end of a path; None when a route has no plain path
    pattern (a mount, a host), and then nothing may be filtered."""
    alternatives: list[str] = []
    for pattern in _leaf_path_patterns(routes):
        if pattern is None:
            return None
        # Starlette writes `^<path>$`; the groups' names would clash across alternatives.
        alternatives.append(_NAMED_GROUP.sub("(?:", pattern.removeprefix("^").removesuffix("$")))
    return re.compile(f"(?:{'|'.join(alternatives)})\\Z") if alternatives else None


def _leaf_path_patterns(routes: list[BaseRoute]) -> Iterator[str | None]:
    for route in routes:
        nested = getattr(route, "original_router", None)  # FastAPI's nested included router
        if isinstance(nested, APIRouter):
            yield from _leaf_path_patterns(nested.routes)
            continue
        path_regex = getattr(route, "path_regex", None)
        yield path_regex.pattern if isinstance(path_regex, re.Pattern) else None


def _refuse_nul_in_url(request: Request) -> None:
    params = [("path", name, value) for name, value in request.path_params.items()]
    params += [("query", name, value) for name, value in request.query_params.multi_items()]
    for where, name, value in params:
        if isinstance(value, str) and "\x00" in value:
            raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"[{where}.{name}] {NUL_MESSAGE}")


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


def _zod_message(error: Any, parts: list[str], model: type[BaseModel] | None) -> str:
    """What zod (v4, English) says of the problem pydantic found."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    from_text = bool(parts) and parts[0] in _TEXT_SOURCES  # what comes from a URL or a header is always a string
    if kind == "missing":
        expected = "string" if from_text else _expected_type(model, parts[-1]) if len(parts) > 1 else "value"
        return f"Invalid input: expected {expected}, received undefined"
    if kind == "int_from_float" or (kind == "int_type" and isinstance(error.get("input"), float)):
        return "Invalid input: expected int, received number"
    if kind in _EXPECTED_BY_ERROR:
        return f"Invalid input: expected {_EXPECTED_BY_ERROR[kind]}, received {_js_type(error.get('input'))}"
    if kind in ("int_parsing", "float_parsing"):  # zod coerces query numbers: text that is none is NaN
        return "Invalid input: expected number, received NaN" if from_text else "Invalid input"
    if kind in _BOUNDS and context:
        word, key, comparison, measured = _BOUNDS[kind]
        return f"{word}: expected {measured.format(f'{comparison}{_js_number(context[key])}')}"
    if kind in ("literal_error", "enum"):
        # pydantic lists the allowed values as `'asc' or 'desc'`; zod as `"asc"|"desc"`.
        options = [json.dumps(value) for value in _QUOTED.findall(str(context.get("expected", "")))]
        if len(options) == 1:
            return f"Invalid input: expected {options[0]}"
        return f"Invalid option: expected one of {'|'.join(options)}" if options else "Invalid input"
    return str(error.get("msg", "Invalid input")).removeprefix("Value error, ")


def _js_number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _js_type(value: Any) -> str:
    return _JS_TYPE_NAMES.get(type(value), "object")


def _field_info(model: type[BaseModel] | None, field: str) -> Any:
    """The model's field of that name or alias."""
    if model is None:
        return None
    info = model.model_fields.get(field)
    return info or next((f for f in model.model_fields.values() if f.alias == field), None)


def _expected_type(model: type[BaseModel] | None, field: str) -> str:
    info = _field_info(model, field)
    annotation = info.annotation if info else None
    candidates = [a for a in (get_args(annotation) or (annotation,)) if a is not type(None)]
    return _JS_TYPE_NAMES.get(candidates[0], "value") if candidates else "value"


def _format_errors(errors: Any, model: type[BaseModel] | None = None, prefix: tuple[str, ...] = ()) -> str:
    """Pydantic errors as better-auth's zod messages: `[body.email] Invalid email address; ...`."""
    messages = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        parts = [*prefix, *loc]
        messages.append(f"[{'.'.join(parts)}] {_zod_message(error, parts, model)}")
    return "; ".join(messages)


async def _read_limited(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
        raise AuthError(ErrorCode.REQUEST_BODY_TOO_LARGE, 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise AuthError(ErrorCode.REQUEST_BODY_TOO_LARGE, 413)
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
        raise AuthError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 415)
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
        raise AuthError(ErrorCode.VALIDATION_ERROR, 400, _format_errors(exc.errors(), model, ("body",))) from None


def require_object(data: Any, shape: BodyShape = ("object",)) -> None:
    """400 `VALIDATION_ERROR` in zod's words unless `data` (a parsed body) is a JSON object."""
    if not isinstance(data, dict):
        received = _js_type(data)
        message = "; ".join(f"[body] Invalid input: expected {kind}, received {received}" for kind in shape)
        raise AuthError(ErrorCode.VALIDATION_ERROR, 400, message)


def body_openapi(model: type[BaseModel], *, allow_form: bool = False, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` documenting a body that `parse_body` reads by hand."""
    schema = _inline_definitions(model.model_json_schema(by_alias=True))
    return _request_body(schema, allow_form=allow_form, required=required)


def schema_body_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """`openapi_extra` documenting a JSON body of this schema (for bodies no single model describes)."""
    return _request_body(schema, allow_form=False)


def object_body_openapi(*, allow_form: bool = False) -> dict[str, Any]:
    """`openapi_extra` documenting a body that may be any JSON object (read with `read_body_data`)."""
    return _request_body({"type": "object"}, allow_form=allow_form, required=False)


def _request_body(schema: dict[str, Any], *, allow_form: bool, required: bool = True) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    if allow_form:
        content["application/x-www-form-urlencoded"] = {"schema": schema}
    return {"requestBody": {"required": required, "content": content}}


def _inline_definitions(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its nested models written in place: a `#/$defs/...` reference would point
    nowhere inside the OpenAPI document. (Body models are not recursive.)"""
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                rest = {key: value for key, value in node.items() if key != "$ref"}
                return inline({**definitions[ref.removeprefix("#/$defs/")], **rest})
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined


# What the routes answer, for their OpenAPI operations. Routes document their success and their own errors with
# `answers(...)`; `AuthRoute` adds the errors every auth route shares.

Responses = dict[int | str, dict[str, Any]]
"""The `responses=` of a route."""
ErrorDocs = Mapping[int, str]
"""Statuses a route may answer with an error, each with the codes it may carry (the response's description)."""

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ERROR_MODEL: Any = ErrorResponse
_ANY_ERROR_MODEL: Any = ErrorResponse | MessageResponse

READS_SESSION: ErrorDocs = {
    401: "`INVALID_API_KEY`, `KEY_DISABLED`, `KEY_EXPIRED`, `FAILED_TO_CREATE_SESSION` (an `x-api-key` that cannot "
    "sign in, with `api_key.enable_session_for_api_keys`)",
    403: "`INVALID_API_KEY` (a key of another kind), `REFUSED_BY_HOOK` (a session refresh refused by a hook)",
    429: "`USAGE_EXCEEDED` (the API key's quota)",
}
"""Errors of a route that reads the caller's session, if any."""
NEEDS_SESSION: ErrorDocs = {**READS_SESSION, 401: f"`UNAUTHORIZED` (no session); {READS_SESSION[401]}"}
"""Errors of a route that needs a session."""
SENSITIVE: ErrorDocs = {
    **NEEDS_SESSION,
    403: f"`API_KEY_SESSION_NOT_ALLOWED` (a session made from an API key); {READS_SESSION[403]}",
}
"""Errors of a route that needs a session from a sign-in (credential, session and key changes)."""


def shared_errors(*, unsafe: bool, body: bool) -> dict[int, tuple[str, Any]]:
    """The errors any auth route may answer, by status: description and body model. `unsafe`: for methods other
    than GET (origin and redirect-target checks, which read the body); `body`: for routes that read a body."""
    bad_request = ["`VALIDATION_ERROR` (a malformed parameter or body; any text with a NUL character)"]
    if body:
        bad_request.append("`BAD_REQUEST` (a body that is not JSON)")
    if unsafe:
        bad_request.append(
            'no code: "Invalid callbackURL: expected a string" (also `redirectURL`, `errorCallbackURL`, '
            "`newUserCallbackURL`)"
        )
    errors: dict[int, tuple[str, Any]] = {400: ("; ".join(bad_request), _ANY_ERROR_MODEL if unsafe else _ERROR_MODEL)}
    if unsafe:
        errors[403] = (
            "`INVALID_ORIGIN`, `MISSING_OR_NULL_ORIGIN`, `CROSS_SITE_NAVIGATION_LOGIN_BLOCKED` (the origin check); "
            "`INVALID_CALLBACK_URL`, `INVALID_REDIRECT_URL`, `INVALID_ERROR_CALLBACK_URL`, "
            "`INVALID_NEW_USER_CALLBACK_URL` (an untrusted redirect target); `REFUSED_BY_HOOK`",
            _ERROR_MODEL,
        )
        errors[413] = ("`REQUEST_BODY_TOO_LARGE` (over `advanced.max_body_bytes`)", _ERROR_MODEL)
    if body:
        errors[415] = ("`UNSUPPORTED_MEDIA_TYPE` (a body neither JSON nor, where taken, a form)", _ERROR_MODEL)
    errors[429] = ("`RATE_LIMITED` (with `Retry-After`: seconds to wait)", _ERROR_MODEL)
    errors[503] = ("`SERVICE_UNAVAILABLE` (the database or storage is unreachable; `Retry-After`)", _ERROR_MODEL)
    return errors


def answers(
    model: Any = None,
    *errors: ErrorDocs,
    redirect: str | None = None,
    html: str | None = None,
    codeless: Mapping[int, str] | None = None,
) -> Responses:
    """The `responses=` of an auth route (with `response_model=None`: the route builds its JSON itself): `model`
    for its 200 JSON body, or `html` for a 200 page; `redirect` for a 302; the errors particular to the route,
    merged (`{401: "`UNAUTHORIZED`"}`), and `codeless` ones answered with a message only."""
    responses: Responses = {}
    if model is not None:
        responses[200] = {"model": model}
    if html is not None:
        responses[200] = {"description": html, "content": {"text/html": {"schema": {"type": "string"}}}}
    if redirect is not None:
        location = {"description": "Where to go", "schema": {"type": "string"}}
        responses[302] = {"description": redirect, "headers": {"Location": location}}
    for docs in errors:
        for status, text in docs.items():
            _add_error(responses, status, text, _ERROR_MODEL)
    for status, text in (codeless or {}).items():
        _add_error(responses, status, f"no code: {text}", _ANY_ERROR_MODEL)
    return responses


def _add_error(responses: Responses, status: int, text: str, model: Any) -> None:
    """Document `text` under `status`, after what is documented there already (never changing the caller's dicts)."""
    known = responses.get(status)
    if known is None:
        responses[status] = {"model": model, "description": text}
        return
    described = known.get("description")
    if described and text in described:
        text = described
    elif described:
        text = f"{described}; {text}"
    merged = model if model is _ANY_ERROR_MODEL or known.get("model") is None else known["model"]
    responses[status] = {**known, "model": merged, "description": text}


def _json_content(answer: dict[str, Any]) -> dict[str, Any]:
    """A response documented by `model` as the JSON it is, whatever the route's own media type."""
    if "model" not in answer:
        return answer
    answer = dict(answer)
    schema = _inline_definitions(TypeAdapter(answer.pop("model")).json_schema(mode="serialization"))
    return {**answer, "content": {JSONResponse.media_type: {"schema": schema}}}
