"""HTTP plumbing shared by the feature routers: the error-answering route class (`route`), request-body parsing
(`body`, with validation errors in zod's words from `zod`), what the routes send (`responses`), and the OpenAPI
description of what the routes answer (`openapi`). Every name is importable from here."""

from __future__ import annotations

from .body import (
    FORM,
    MAX_JSON_DEPTH,
    NUL_MESSAGE,
    BodyShape,
    ModelT,
    body_fields,
    parse_body,
    read_body_data,
    require_object,
)
from .openapi import (
    NEEDS_SESSION,
    READS_SESSION,
    SENSITIVE,
    USER_UPDATE,
    ErrorDocs,
    Responses,
    answers,
    body_openapi,
    object_body_openapi,
    schema_body_openapi,
    shared_errors,
)
from .responses import LINK_HEADERS, NO_STORE, absolute_url, json_answer, location, with_query
from .route import AuthRoute, AuthRouter, _path_ends_pattern

__all__ = [
    "FORM",
    "LINK_HEADERS",
    "MAX_JSON_DEPTH",
    "NEEDS_SESSION",
    "NO_STORE",
    "NUL_MESSAGE",
    "READS_SESSION",
    "SENSITIVE",
    "USER_UPDATE",
    "AuthRoute",
    "AuthRouter",
    "BodyShape",
    "ErrorDocs",
    "ModelT",
    "Responses",
    "_path_ends_pattern",
    "absolute_url",
    "answers",
    "body_fields",
    "body_openapi",
    "json_answer",
    "location",
    "object_body_openapi",
    "parse_body",
    "read_body_data",
    "require_object",
    "schema_body_openapi",
    "shared_errors",
    "with_query",
]
