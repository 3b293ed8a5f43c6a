"""The OpenAPI description of the auth routes: the bodies they read by hand, what they answer, and the errors
every auth route shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, TypeAdapter
from starlette.responses import JSONResponse

from ..schemas import ErrorResponse, MessageResponse


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

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
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
USER_UPDATE: ErrorDocs = {
    404: "`USER_NOT_FOUND` (deleted meanwhile)",
    422: "`USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL` (the address is taken), `FAILED_TO_UPDATE_USER` (refused by a hook)",
}
"""Errors of a change to the user (`update-user`, `change-email`, following a verification link)."""


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
            add_error(responses, status, text, _ERROR_MODEL)
    for status, text in (codeless or {}).items():
        add_error(responses, status, f"no code: {text}", _ANY_ERROR_MODEL)
    return responses


def add_error(responses: Responses, status: int, text: str, model: Any) -> None:
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


def json_content(answer: dict[str, Any]) -> dict[str, Any]:
    """A response documented by `model` as the JSON it is, whatever the route's own media type."""
    if "model" not in answer:
        return answer
    answer = dict(answer)
    schema = _inline_definitions(TypeAdapter(answer.pop("model")).json_schema(mode="serialization"))
    return {**answer, "content": {JSONResponse.media_type: {"schema": schema}}}
