"""Bad input is answered as better-auth 1.7.25 answers it (observed over HTTP): zod's messages, and its order of
checks: the redirect targets of the body, then the body itself, then the session."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest

from .conftest import ConfiguredClientFactory, sign_up

A = "/api/auth"
EXPECTED_OBJECT = "[body] Invalid input: expected object, received array"


def error(code: str | None, message: str) -> dict[str, str]:
    return {"message": message} if code is None else {"code": code, "message": message}


# (method, path, signed in, body or raw bytes, status, answer)
CASES: list[tuple[str, str, bool, Any, int, dict[str, str]]] = [
    # The redirect targets come first: before the body is validated, and before the session is looked for.
    (
        "POST",
        "/sign-up/email",
        False,
        {"email": "bad", "callbackURL": "http://evil.example"},
        403,
        error("INVALID_CALLBACK_URL", "Invalid callbackURL"),
    ),
    (
        "POST",
        "/sign-in/email",
        False,
        {"email": "a@b.co", "password": "x", "callbackURL": 5},
        400,
        error(None, "Invalid callbackURL: expected a string"),
    ),
    (
        "POST",
        "/request-password-reset",
        False,
        {"email": "bad", "redirectTo": "http://evil.example"},
        403,
        error("INVALID_REDIRECT_URL", "Invalid redirectURL"),
    ),
    (
        "POST",
        "/request-password-reset",
        False,
        {"email": "a@b.co", "redirectTo": 5},
        400,
        error(None, "Invalid redirectURL: expected a string"),
    ),
    (
        "POST",
        "/change-email",
        False,
        {"newEmail": "x@y.co", "callbackURL": "http://evil.example"},
        403,
        error("INVALID_CALLBACK_URL", "Invalid callbackURL"),
    ),
    # Then the body, before the session.
    (
        "POST",
        "/change-password",
        False,
        {},
        400,
        error(
            "VALIDATION_ERROR",
            "[body.newPassword] Invalid input: expected string, received undefined; "
            "[body.currentPassword] Invalid input: expected string, received undefined",
        ),
    ),
    ("POST", "/revoke-session", False, [1], 400, error("VALIDATION_ERROR", EXPECTED_OBJECT)),
    (
        "POST",
        "/update-user",
        False,
        [1],
        400,
        error("VALIDATION_ERROR", "[body] Invalid input: expected record, received array"),
    ),
    (
        "POST",
        "/update-session",
        False,
        [1],
        400,
        error("VALIDATION_ERROR", "[body] Invalid input: expected record, received array"),
    ),
    ("POST", "/sign-out", False, [1], 400, error("VALIDATION_ERROR", EXPECTED_OBJECT)),
    (
        "POST",
        "/sign-up/email",
        False,
        [1, 2],
        400,
        error("VALIDATION_ERROR", f"{EXPECTED_OBJECT}; [body] Invalid input: expected record, received array"),
    ),
    ("POST", "/sign-up/email", False, b"{not json", 400, error("BAD_REQUEST", "Invalid JSON in request body")),
    # Values are taken as sent: "yes" is no boolean, "5" no number.
    (
        "POST",
        "/sign-up/email",
        False,
        {"name": "x", "email": "a@b.co", "password": "password123", "rememberMe": "yes"},
        400,
        error("VALIDATION_ERROR", "[body.rememberMe] Invalid input: expected boolean, received string"),
    ),
    (
        "POST",
        "/sign-in/email",
        False,
        {"email": "a@b.co", "password": "x", "rememberMe": 1},
        400,
        error("VALIDATION_ERROR", "[body.rememberMe] Invalid input: expected boolean, received number"),
    ),
    (
        "POST",
        "/api-key/create",
        True,
        {"expiresIn": "x"},
        400,
        error("VALIDATION_ERROR", "[body.expiresIn] Invalid input: expected number, received string"),
    ),
    (
        "POST",
        "/api-key/create",
        True,
        {"prefix": "bad prefix!"},
        400,
        error(
            "VALIDATION_ERROR",
            "[body.prefix] Invalid prefix format, must be alphanumeric and contain only underscores and hyphens.",
        ),
    ),
    (
        "GET",
        "/api-key/list?limit=x",
        True,
        None,
        400,
        error("VALIDATION_ERROR", "[query.limit] Invalid input: expected number, received NaN"),
    ),
    (
        "GET",
        "/api-key/list?limit=-1",
        True,
        None,
        400,
        error("VALIDATION_ERROR", "[query.limit] Too small: expected number to be >=0"),
    ),
    (
        "GET",
        "/api-key/list?sortDirection=up",
        True,
        None,
        400,
        error("VALIDATION_ERROR", '[query.sortDirection] Invalid option: expected one of "asc"|"desc"'),
    ),
    ("GET", "/api-key/get?id=", True, None, 404, error("KEY_NOT_FOUND", "API Key not found")),
    # What better-auth does not refuse.
    ("POST", "/update-user", True, {"email": ""}, 400, error(None, "No fields to update")),
    (
        "POST",
        "/reset-password",
        False,
        {"token": "x", "newPassword": "short"},
        400,
        error("PASSWORD_TOO_SHORT", "Password too short"),
    ),
    (
        "GET",
        "/reset-password/abc",
        False,
        None,
        400,
        error("VALIDATION_ERROR", "[query.callbackURL] Invalid input: expected string, received undefined"),
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "signed_in", "body", "status", "answer"),
    CASES,
    ids=[f"{method} {path} {index}" for index, (method, path, *_) in enumerate(CASES)],
)
async def test_bad_input_is_answered_as_better_auth_answers_it(
    make_configured_client: ConfiguredClientFactory,
    method: str,
    path: str,
    signed_in: bool,
    body: Any,
    status: int,
    answer: dict[str, str],
) -> None:
    client: httpx.AsyncClient = await make_configured_client(
        plugins={"api_key": {"enabled": True}}, user={"change_email": {"enabled": True}}
    )
    if signed_in:
        await sign_up(client)
    if isinstance(body, bytes):
        response = await client.request(method, A + path, content=body, headers={"content-type": "application/json"})
    else:
        response = await client.request(method, A + path, json=body)
    assert (response.status_code, response.json()) == (status, answer)


async def test_query_flags_of_get_session_are_never_refused(make_configured_client: ConfiguredClientFactory) -> None:
    client = await make_configured_client()
    await sign_up(client)
    for query in ("disableCookieCache=maybe", "disableRefresh=", "disableCookieCache=false&disableRefresh=1"):
        response = await client.get(f"{A}/get-session?{query}")
        assert response.status_code == 200, query
        assert response.json()["user"]["email"] == "ann@example.com"


async def test_a_callback_url_outside_ascii_gets_its_cookie_and_an_encoded_location(
    make_configured_client: ConfiguredClientFactory,
) -> None:
    """A sign-in whose callbackURL holds `İ` made its session and then failed with a 500 (a header cannot hold the
    character): now the cookie is set, `url` is answered as sent and `Location` carries it percent-encoded."""
    client = await make_configured_client()
    await sign_up(client)
    client.cookies.clear()

    answer = await client.post(
        f"{A}/sign-in/email",
        json={"email": "ann@example.com", "password": "correct horse battery", "callbackURL": "/İ?x=ü"},
    )

    assert answer.status_code == 200
    assert answer.json()["url"] == "/İ?x=ü"
    assert answer.headers["location"] == "/%C4%B0?x=%C3%BC"
    assert "session_token=" in answer.headers["set-cookie"]


async def test_a_form_post_callback_with_any_fields_is_a_redirect(
    make_configured_client: ConfiguredClientFactory,
) -> None:
    """`POST /callback/{id}` (response_mode=form_post) with fields that are no callback parameter, `url` among them,
    re-enters as a GET with the callback's parameters only: never a 500."""
    client = await make_configured_client(social={"github": {"client_id": "id", "client_secret": "secret"}})

    answer = await client.post(f"{A}/callback/github", data={"url": "https://evil.example/", "code": "c", "state": "s"})

    assert answer.status_code == 302
    assert answer.headers["location"] == "https://testserver/api/auth/callback/github?code=c&state=s"
