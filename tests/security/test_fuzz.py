"""Fuzzing every auth endpoint from the app's own OpenAPI schema (issue 8: request hardening).

schemathesis generates requests (valid ones and deliberately invalid ones) for every operation under `/api/auth`,
sent without credentials, with a session cookie (and a trusted `Origin`), with a signed bearer token and with an
API key (mock sessions). Every answer must be below 500, and every 4xx must be better-auth's
`{"code": str, "message": str}` JSON: never FastAPI's 422 `{"detail": ...}` nor an HTML error page.

The app has every feature on: email and password, a social provider, bearer tokens, API keys with metadata and
mock sessions, on SQLite. Generation is derandomized, so a run is reproducible. For a longer hunt:
`FUZZ_EXAMPLES=300` (examples per operation and credential), and `FUZZ_DATABASE=postgres` to run on PostgreSQL,
which refuses more strings than SQLite does.

The same requests also hold the app to its OpenAPI document: every answer has a documented status, content type and
body schema (`test_answers_conform_to_the_openapi_document`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, Phase, given, strategies
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine
from sqlmodel import SQLModel
from starlette.testclient import TestClient

from fastapi_betterauth import BetterAuth, ManualClock
from fastapi_betterauth.schema import shipped_tables

from ..conftest import BASE_URL, PASSWORD, build_app, settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
"""Examples per operation and way of calling it: enough to reach every branch of a small handler, quick to run."""
CONFORMANCE_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
"""Examples per operation in the OpenAPI conformance run, each sent with every credential: a quick pass."""
PREFIX = "/api/auth/"
EMAIL = "fuzz@example.com"
HTML_PAGES = {("GET", "/api/auth/error")}
"""Pages meant for a browser (better-auth's error page): their 4xx is HTML, not JSON."""
CREDENTIALS = ["anonymous", "cookie", "bearer", "api-key"]


def fuzz_app(database_url: str) -> FastAPI:
    """An app with every feature on, whose OpenAPI schema lists every auth route (hidden ones too)."""
    auth = BetterAuth(
        settings(
            database_url=database_url,
            social={"github": {"client_id": "fuzz-client", "client_secret": "fuzz-secret"}},
            bearer={"enabled": True},
            user={"change_email": {"enabled": True}, "delete_user": {"enabled": True}},
            plugins={
                "api_key": {
                    "enabled": True,
                    "enable_session_for_api_keys": True,
                    "enable_metadata": True,
                    "rate_limit": {"enabled": False},
                }
            },
        ),
        clock=ManualClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC)),
    )
    for route in _routes(auth.router):
        route.include_in_schema = True  # the form-post callback, `/forget-password`, `/error`: fuzzed as well
    return build_app(auth)


def _routes(router: APIRouter) -> Iterator[APIRoute]:
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None)  # FastAPI keeps included routers as they are
        if isinstance(nested, APIRouter):
            yield from _routes(nested)


def auth_operations(app: FastAPI) -> list[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return [(method.upper(), path) for path, ops in paths.items() if path.startswith(PREFIX) for method in ops]


OPERATIONS = auth_operations(fuzz_app("sqlite+aiosqlite://"))


class Fuzzer:
    """A running app, its schema, and credentials of one user, renewed whenever a fuzzed request ended them
    (sign-out, revocations, account deletion, a changed address)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.schema = schemathesis.openapi.from_dict(client.app.openapi())  # type: ignore[attr-defined]
        self._cookie: str | None = None
        self._bearer: str | None = None
        self._key: str | None = None

    def headers(self, credential: str) -> dict[str, str]:
        if credential == "anonymous":
            return {}
        if credential == "cookie":
            return {"cookie": self._signed_in()[0], "origin": BASE_URL}
        if credential == "bearer":
            return {"authorization": f"Bearer {self._signed_in()[1]}"}
        return {"x-api-key": self._api_key()}

    def _alive(self, headers: dict[str, str]) -> bool:
        response = self.request("GET", "/api/auth/get-session", headers=headers)
        return response.status_code == 200 and response.json() is not None

    def _signed_in(self) -> tuple[str, str]:
        if self._cookie and self._bearer and self._alive({"cookie": self._cookie}):
            return self._cookie, self._bearer
        body = {"email": EMAIL, "password": PASSWORD}
        response = self.request("POST", "/api/auth/sign-in/email", json=body)
        if response.status_code != 200:  # the user was deleted, or changed its address
            response = self.request("POST", "/api/auth/sign-up/email", json={**body, "name": "Fuzz"})
        assert response.status_code == 200, response.text
        cookie = next(c for c in response.headers.get_list("set-cookie") if "session_token=" in c)
        self._cookie, self._bearer = cookie.split(";", 1)[0], response.headers["set-auth-token"]
        return self._cookie, self._bearer

    def _api_key(self) -> str:
        if self._key and self._alive({"x-api-key": self._key}):
            return self._key
        headers = {"cookie": self._signed_in()[0], "origin": BASE_URL}
        response = self.request("POST", "/api/auth/api-key/create", json={"name": "fuzz"}, headers=headers)
        assert response.status_code == 200, response.text
        self._key = response.json()["key"]
        assert self._key is not None
        return self._key

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"origin": BASE_URL, **kwargs.pop("headers", {})}
        try:
            return self.client.request(method, path, headers=headers, **kwargs)
        finally:
            self.client.cookies.clear()  # credentials travel only in the headers each request is given

    def send(self, case: Case, headers: dict[str, str]) -> Any:
        sent = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
        kwargs: dict[str, Any] = {"headers": sent["headers"], "params": sent.get("params") or None}
        if "json" in sent:
            kwargs["json"] = sent["json"]
        elif isinstance(sent.get("data"), dict):
            kwargs["data"] = sent["data"]
        elif sent.get("data") is not None:
            kwargs["content"] = sent["data"]
        try:
            return self.client.request(sent["method"], sent["url"], **kwargs)
        finally:
            self.client.cookies.clear()


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Fuzzer]:
    if os.environ.get("FUZZ_DATABASE") == "postgres":
        app = fuzz_app(request.getfixturevalue("postgres_database"))
    else:
        path: Path = tmp_path_factory.mktemp("fuzz") / "auth.db"
        engine = create_engine(f"sqlite:///{path}")
        SQLModel.metadata.create_all(engine, tables=list(shipped_tables()))
        engine.dispose()
        app = fuzz_app(f"sqlite+aiosqlite:///{path}")
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False, follow_redirects=False) as client:
        yield Fuzzer(client)


# better-auth's answers without a code (the README's error table).
CODELESS = {
    "No fields to update",
    *(f"Invalid {label}: expected a string" for label in ("callbackURL", "redirectURL", "errorCallbackURL")),
    "Invalid newUserCallbackURL: expected a string",
}


def check_answer(method: str, path: str, response: Any, describe: Callable[[], str]) -> None:
    status = response.status_code
    assert status < 500, f"{status} {response.text}\n{describe()}"
    if status < 400 or (method, path) in HTML_PAGES:
        return
    assert response.headers.get("content-type", "").startswith("application/json"), describe()
    body = response.json()
    assert isinstance(body, dict), describe()
    assert isinstance(body.get("message"), str), f"{status} {body}\n{describe()}"
    if set(body) == {"message"} and body["message"] in CODELESS:
        return
    assert isinstance(body.get("code"), str), f"{status} {body}\n{describe()}"


@pytest.mark.slow
@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p.removeprefix(PREFIX)}" for m, p in OPERATIONS])
def test_fuzzed_requests_answer_4xx_json_never_5xx(fuzzer: Fuzzer, method: str, path: str, credential: str) -> None:
    """No generated request, valid or not, makes an auth route fail or answer outside `{code, message}`: no
    stack trace or library error reaches a client."""
    operation = fuzzer.schema[path][method]
    cases = strategies.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def fuzz(case: Case) -> None:
        headers = fuzzer.headers(credential)
        response = fuzzer.send(case, headers)
        check_answer(method, path, response, lambda: case.as_curl_command(headers=headers))

    fuzz()


CONFORMANCE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p.removeprefix(PREFIX)}" for m, p in OPERATIONS])
def test_answers_conform_to_the_openapi_document(fuzzer: Fuzzer, method: str, path: str) -> None:
    """Whatever is asked, valid or not, with or without credentials, the answer is one the OpenAPI document
    describes: a documented status, its content type, a body matching its schema (the success models and the
    `{code, message}` errors), and never a server error."""
    operation = fuzzer.schema[path][method]
    cases = strategies.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )
    failures: dict[str, str] = {}

    @hypothesis_settings(
        max_examples=CONFORMANCE_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def fuzz(case: Case) -> None:
        for credential in CREDENTIALS:
            headers = fuzzer.headers(credential)
            response = fuzzer.send(case, headers)
            try:
                case.validate_response(response, checks=CONFORMANCE_CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    found = f"{failure}\n{response.text[:500]}\n{case.as_curl_command(headers=headers)}"
                    failures.setdefault(f"{failure.title} ({response.status_code}, {credential})", found)

    fuzz()
    assert not failures, "\n\n".join(f"{title}: {detail}" for title, detail in failures.items())


HEADER_TARGETS = [
    ("GET", "/api/auth/get-session"),
    ("GET", "/api/auth/list-sessions"),
    ("GET", "/api/auth/api-key/list"),
    ("POST", "/api/auth/sign-in/email"),
    ("POST", "/api/auth/sign-out"),
    ("POST", "/api/auth/update-user"),
    ("POST", "/api/auth/link-social"),
    ("GET", "/api/auth/callback/github"),
]
_HEADER_TEXT = strategies.text(strategies.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=300)


@pytest.mark.slow
def test_fuzzed_credential_and_browser_headers_answer_4xx_json_never_5xx(fuzzer: Fuzzer) -> None:
    """The headers the schema cannot describe: cookies, `Authorization`, `x-api-key`, `Origin`, `Referer`, Fetch
    Metadata, forwarding and content type, garbled alone or mixed with a real session (C3, K2: a broken credential
    is no credential, never an error)."""
    names = [
        "cookie",
        "authorization",
        "x-api-key",
        "origin",
        "referer",
        "sec-fetch-site",
        "sec-fetch-mode",
        "sec-fetch-dest",
        "x-forwarded-for",
        "content-type",
    ]
    prefixes = strategies.sampled_from(["", "Bearer ", "__Secure-better-auth.session_token=", "https://testserver"])
    value = strategies.builds(str.__add__, prefixes, _HEADER_TEXT)
    garbled = strategies.dictionaries(strategies.sampled_from(names), value, max_size=4)

    @hypothesis_settings(
        max_examples=EXAMPLES * 10,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        target=strategies.sampled_from(HEADER_TARGETS),
        credential=strategies.sampled_from(CREDENTIALS),
        headers=garbled,
    )
    def fuzz(target: tuple[str, str], credential: str, headers: dict[str, str]) -> None:
        method, path = target
        sent: dict[str, str | bytes] = {**fuzzer.headers(credential)}
        sent.update((name, text.encode("latin-1")) for name, text in headers.items())  # bytes as a client may send
        body = b'{"email": "fuzz@example.com", "password": "x", "provider": "github"}' if method == "POST" else None
        try:
            response = fuzzer.client.request(method, path, headers=sent, content=body)
        finally:
            fuzzer.client.cookies.clear()
        check_answer(method, path, response, lambda: f"{method} {path} {sent!r}")

    fuzz()


LINK_TOKENS = {
    ("GET", "/api/auth/verify-email"),
    ("GET", "/api/auth/reset-password/{token}"),
    ("POST", "/api/auth/reset-password"),
    ("GET", "/api/auth/delete-user/callback"),
}
"""Routes reached from an emailed link, whose single-use token rides in the URL as in better-auth's links."""
_CREDENTIAL_NAME = re.compile(r"session|api.?key|^key$|secret|password|bearer|authorization", re.IGNORECASE)


def test_no_credential_travels_in_a_url() -> None:
    """S11, K2: crawling the whole schema (hidden routes too), no query or path parameter carries a session, an API
    key or a password; `token` appears only on the emailed-link routes, where it is a single-use link token."""
    paths = fuzz_app("sqlite+aiosqlite://").openapi()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", ()):
                if parameter["in"] not in ("query", "path"):
                    continue
                name = parameter["name"]
                assert not _CREDENTIAL_NAME.search(name), (method, path, name)
                if "token" in name.lower():
                    assert (method.upper(), path) in LINK_TOKENS, (method, path, name)
