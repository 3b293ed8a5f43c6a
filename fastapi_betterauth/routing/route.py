"""The error-answering route class, and the router that steps aside at once for paths none of its routes match."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Iterator
from functools import cached_property
from typing import Any

from fastapi import Request
from fastapi.datastructures import DefaultPlaceholder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, APIRouter
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from ..errors import AuthError, ErrorCode, NotRoutedError, internal_error_response
from ..hooks import HookVetoError
from .body import NUL_MESSAGE
from .openapi import SAFE_METHODS, add_error, json_content, shared_errors
from .zod import format_errors


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
        shared = shared_errors(unsafe=not methods <= SAFE_METHODS, body="requestBody" in extra)
        for status, (text, model) in shared.items():
            add_error(responses, status, text, model)
        response_class = kwargs.get("response_class")
        if isinstance(response_class, DefaultPlaceholder):
            response_class = response_class.value
        if response_class is not None and response_class.media_type != JSONResponse.media_type:
            # FastAPI would document the error models in the route's media type (a page's `text/html`).
            responses = {status: json_content(answer) for status, answer in responses.items()}
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
                response = await handler(request)
            except AuthError as exc:
                response = exc.to_response()
            except HookVetoError:
                response = AuthError(ErrorCode.REFUSED_BY_HOOK).to_response()
            except RequestValidationError as exc:
                response = AuthError(ErrorCode.VALIDATION_ERROR, 400, format_errors(exc.errors())).to_response()
            except HTTPException:
                raise
            except Exception as exc:
                response = internal_error_response(exc)
            _add_security_headers(request, response)
            return response

        return answer_errors


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


HSTS = "max-age=31536000"
"""One year, this host only: a subdomain served over plain HTTP is the deployment's business (C6)."""


def _add_security_headers(request: Request, response: Response) -> None:
    """C6: auth answers are never content-sniffed, and over HTTPS they ask browsers to keep to HTTPS (a proxy's own
    `Strict-Transport-Security` wins)."""
    headers = response.headers
    if "x-content-type-options" not in headers:
        headers["X-Content-Type-Options"] = "nosniff"
    if request.url.scheme == "https" and "strict-transport-security" not in headers:
        headers["Strict-Transport-Security"] = HSTS


def _refuse_nul_in_url(request: Request) -> None:
    params = [("path", name, value) for name, value in request.path_params.items()]
    params += [("query", name, value) for name, value in request.query_params.multi_items()]
    for where, name, value in params:
        if isinstance(value, str) and "\x00" in value:
            raise AuthError(ErrorCode.VALIDATION_ERROR, 400, f"[{where}.{name}] {NUL_MESSAGE}")
