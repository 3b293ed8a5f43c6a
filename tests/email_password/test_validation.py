"""Every wrong input to `/sign-up/email` and `/sign-in/email` gets a documented 4xx `{"code", "message"}`, never a 500
(docs/better-auth.md#sign-up, #sign-in, #error-codes). P1, P2: the password length limits."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import User

from ..conftest import PASSWORD, ConfiguredClientFactory, sign_in, sign_up

SIGN_UP = "/api/auth/sign-up/email"
SIGN_IN = "/api/auth/sign-in/email"
UNDEFINED = "Invalid input: expected {}, received undefined"
NOT_TEXT_TARGET = "Invalid callbackURL: expected a string"
TOO_SHORT = {"code": "PASSWORD_TOO_SHORT", "message": "Password too short"}
TOO_LONG = {"code": "PASSWORD_TOO_LONG", "message": "Password too long"}


def assert_error(response: httpx.Response, status: int, code: str, message: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    if message is not None:
        assert body["message"] == message
    assert "set-cookie" not in response.headers


def error_of(response: httpx.Response) -> tuple[int, Any]:
    """Status and JSON body, for table-driven tests that report every mismatch at once."""
    return response.status_code, response.json()


async def user_count(database: Database) -> int:
    async with database.session() as db:
        return len((await db.exec(select(User))).all())


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            SIGN_UP,
            {"email": "ann@example.com"},
            f"[body.name] {UNDEFINED.format('string')}; [body.password] {UNDEFINED.format('string')}",
        ),
        (
            SIGN_UP,
            {},
            f"[body.name] {UNDEFINED.format('string')}; [body.email] {UNDEFINED.format('string')}; "
            f"[body.password] {UNDEFINED.format('string')}",
        ),
        (SIGN_IN, {"email": "ann@example.com"}, f"[body.password] {UNDEFINED.format('string')}"),
        (SIGN_IN, {"password": PASSWORD}, f"[body.email] {UNDEFINED.format('string')}"),
    ],
)
async def test_missing_fields(client: httpx.AsyncClient, path: str, body: dict[str, Any], message: str) -> None:
    assert_error(await client.post(path, json=body), 400, "VALIDATION_ERROR", message)


WRONG_TYPES = [
    ("name", 123, "number"),
    ("name", 1.5, "number"),
    ("name", None, "null"),
    ("name", True, "boolean"),
    ("name", ["Ann"], "array"),
    ("name", {"first": "Ann"}, "object"),
    ("email", 42, "number"),
    ("password", 12345678, "number"),
    ("image", 5, "number"),
]


async def test_wrong_types_on_sign_up(client: httpx.AsyncClient, database: Database) -> None:
    for field, value, received in WRONG_TYPES:
        body = {"name": "Ann", "email": "ann@example.com", "password": PASSWORD, field: value}

        response = await client.post(SIGN_UP, json=body)

        message = f"[body.{field}] Invalid input: expected string, received {received}"
        assert error_of(response) == (400, {"code": "VALIDATION_ERROR", "message": message}), (field, value)
    assert await user_count(database) == 0


async def test_a_redirect_target_that_is_not_text_is_refused_first(
    client: httpx.AsyncClient, database: Database
) -> None:
    """better-auth checks redirect targets before the body's schema, and answers this one without a code."""
    for value in (5, True, ["/home"], {"url": "/home"}):
        body = {"name": 5, "email": "ann@example.com", "password": PASSWORD, "callbackURL": value}

        response = await client.post(SIGN_UP, json=body)

        assert (response.status_code, response.json()) == (400, {"message": NOT_TEXT_TARGET}), value
    assert await user_count(database) == 0


async def test_several_wrong_types_are_all_reported(client: httpx.AsyncClient) -> None:
    response = await client.post(SIGN_UP, json={"name": [1], "email": 5, "password": True})

    assert_error(
        response,
        400,
        "VALIDATION_ERROR",
        "[body.name] Invalid input: expected string, received array; "
        "[body.email] Invalid input: expected string, received number; "
        "[body.password] Invalid input: expected string, received boolean",
    )


async def test_wrong_remember_me_type(client: httpx.AsyncClient) -> None:
    response = await sign_in(client, rememberMe=[True])

    assert_error(response, 400, "VALIDATION_ERROR", "[body.rememberMe] Invalid input: expected boolean, received array")


BAD_EMAILS = ["not-an-email", "ann@", "ann@example", "ann..smith@example.com", ".ann@example.com", "a" * 250 + "@x.io"]


async def test_bad_email_on_sign_up(client: httpx.AsyncClient, database: Database) -> None:
    for email in BAD_EMAILS:
        response = await sign_up(client, email=email)

        expected = {"code": "VALIDATION_ERROR", "message": "[body.email] Invalid email address"}
        assert error_of(response) == (400, expected), email
    assert await user_count(database) == 0


async def test_empty_password_is_a_validation_error_at_sign_up_and_a_wrong_one_at_sign_in(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(SIGN_UP, json={"name": "Ann", "email": "ann@example.com", "password": ""})
    assert_error(response, 400, "VALIDATION_ERROR")
    await sign_up(client)
    response = await client.post(SIGN_IN, json={"email": "ann@example.com", "password": ""})
    assert_error(response, 401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password")  # as in better-auth


async def test_password_length_limits_on_sign_up(client: httpx.AsyncClient, database: Database) -> None:
    """P1, P2: 8 to 128 characters by default."""
    assert_error(await sign_up(client, password="x" * 7), 400, **TOO_SHORT)
    assert_error(await sign_up(client, password="x" * 129), 400, **TOO_LONG)
    assert await user_count(database) == 0

    assert (await sign_up(client, email="eight@example.com", password="x" * 8)).status_code == 200
    assert (await sign_up(client, email="long@example.com", password="y" * 128)).status_code == 200
    assert (await sign_in(client, email="long@example.com", password="y" * 128)).status_code == 200


async def test_custom_password_length_limits(
    make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    """P1: the limits come from settings."""
    client = await make_configured_client(email_and_password={"min_password_length": 12, "max_password_length": 20})

    assert_error(await sign_up(client, password="x" * 11), 400, **TOO_SHORT)
    assert_error(await sign_up(client, password="x" * 21), 400, **TOO_LONG)
    assert await user_count(database) == 0
    assert (await sign_up(client, email="min@example.com", password="x" * 12)).status_code == 200
    assert (await sign_up(client, email="max@example.com", password="y" * 20)).status_code == 200
    # Sign-in refuses an over-long password outright, and accepts one within the limit.
    assert_error(await sign_in(client, email="max@example.com", password="y" * 21), 400, **TOO_LONG)
    assert (await sign_in(client, email="max@example.com", password="y" * 20)).status_code == 200


async def test_body_must_be_an_object(client: httpx.AsyncClient) -> None:
    """zod names each shape the route's schema accepts: sign-up takes an object and any extra fields (a record)."""
    cases = [(b"[]", "array"), (b'"ann@example.com"', "string"), (b"42", "number"), (b"null", "null")]
    cases.append((b"true", "boolean"))
    for path, shapes in ((SIGN_UP, ("object", "record")), (SIGN_IN, ("object",))):
        for content, received in cases:
            response = await client.post(path, content=content, headers={"content-type": "application/json"})
            message = "; ".join(f"[body] Invalid input: expected {shape}, received {received}" for shape in shapes)
            assert error_of(response) == (400, {"code": "VALIDATION_ERROR", "message": message}), (path, content)


async def test_invalid_json_is_400(client: httpx.AsyncClient) -> None:
    cases = [
        b"{",
        b'{"email": }',
        b"{'email': 'ann@example.com'}",
        b"\xff\xfe{}",
        b'{"email": "a"} trailing',
        b"\x00",
    ]
    for path in (SIGN_UP, SIGN_IN):
        for content in cases:
            response = await client.post(path, content=content, headers={"content-type": "application/json"})
            expected = {"code": "BAD_REQUEST", "message": "Invalid JSON in request body"}
            assert error_of(response) == (400, expected), (path, content)


async def test_unsupported_media_type_is_415(client: httpx.AsyncClient, database: Database) -> None:
    body = json.dumps({"name": "Ann", "email": "ann@example.com", "password": PASSWORD})
    for path in (SIGN_UP, SIGN_IN):
        for content_type in ("text/plain", "multipart/form-data; boundary=x", "application/xml", "image/png"):
            response = await client.post(path, content=body, headers={"content-type": content_type})
            expected = {"code": "UNSUPPORTED_MEDIA_TYPE", "message": "Unsupported media type"}
            assert error_of(response) == (415, expected), (path, content_type)
    assert await user_count(database) == 0


async def test_json_media_type_variants_are_accepted(client: httpx.AsyncClient) -> None:
    body = json.dumps({"name": "Ann", "email": "ann@example.com", "password": PASSWORD})

    charset = await client.post(SIGN_UP, content=body, headers={"content-type": "application/json; charset=utf-8"})
    suffix = await client.post(SIGN_IN, content=body, headers={"content-type": "application/vnd.api+json"})

    assert charset.status_code == 200, charset.text
    assert suffix.status_code == 200, suffix.text


async def _chunks(size: int) -> AsyncIterator[bytes]:
    chunk = b" " * 16384
    for _ in range(size // len(chunk)):
        yield chunk


@pytest.mark.parametrize("path", [SIGN_UP, SIGN_IN])
async def test_a_one_megabyte_body_is_413(client: httpx.AsyncClient, database: Database, path: str) -> None:
    body = {"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "padding": "x" * 1_000_000}

    declared = await client.post(path, json=body)
    streamed = await client.post(path, content=_chunks(1_048_576), headers={"content-type": "application/json"})

    assert "content-length" in declared.request.headers
    assert "content-length" not in streamed.request.headers  # sent chunked: the limit holds while reading
    for response in (declared, streamed):
        assert_error(response, 413, "REQUEST_BODY_TOO_LARGE", "Request body too large")
    assert await user_count(database) == 0


NESTED = {"a": {"b": {"c": [1, 2, {"d": None}]}}}

# (content type, raw body) pairs a careless or hostile client might send to either endpoint.
GARBAGE: list[tuple[str, bytes]] = [
    *(
        ("application/json", json.dumps(body).encode())
        for body in [
            {"name": None, "email": None, "password": None},
            {"name": NESTED, "email": NESTED, "password": NESTED},
            {"name": [], "email": [], "password": []},
            {"name": "x" * 60_000, "email": "ann@example.com", "password": PASSWORD},
            {"name": "Ann", "email": "x" * 60_000, "password": PASSWORD},
            {"name": "Ann", "email": "ann@example.com", "password": "x" * 60_000},
            {"name": "Ann", "email": "ann@example.com", "password": "p" * 4000},
            {"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "image": "x" * 60_000},
            {"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "callbackURL": "x" * 10_000},
            {"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "callbackURL": NESTED},
            {"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "rememberMe": "maybe"},
            {"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "rememberMe": None},
            {"name": "Ann\x00", "email": "nul@example.com", "password": PASSWORD},
            {"name": "Ann", "email": "nul2@example.com", "password": PASSWORD, "image": "https://x.io/\x00.png"},
            {"name": "Ann", "email": "ann\x00@example.com", "password": PASSWORD},
            {"name": "Ann", "email": "nul3@example.com", "password": "pass\x00word\x00"},
            {"name": "Zoë 😀 \u202eevil\u202c", "email": "zoe@example.com", "password": "🔑" * 10},
            {"name": "\u0301\u0301\u0301", "email": "combining@example.com", "password": "\ufeff" * 8},
            {"name": "Ann", "email": "ünï@exämple.com", "password": PASSWORD},
            {"name": "Ann", "email": "ANN@EXAMPLE.COM ", "password": PASSWORD},
            {"name": "Ann", "email": "ann@example.com", "password": PASSWORD, "id": "forced", "emailVerified": True},
            {"email": {"$ne": None}, "password": {"$ne": None}},
        ]
    ),
    ("application/json", b'{"name": "Ann", "email": "ann@example.com", "password": "\\ud800\\udfff\\ud800xxxxxxx"}'),
    ("application/json", b'{"name": "\\ud83d", "email": "lone@example.com", "password": "lone surrogate"}'),
    ("application/json", b'{"name": NaN, "email": Infinity, "password": -Infinity}'),
    ("application/json", b'{"name": 1e999, "email": "ann@example.com", "password": 123456789012345678901234567890}'),
    ("application/json", b'{"name": ' + b"1" * 5000 + b"}"),
    ("application/json", b'{"email": "a@example.com", "email": "b@example.com", "password": 1, "password": "x"}'),
    ("application/json", b"[" * 30_000 + b"]" * 30_000),
    ("application/json", b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
    ("application/json", b"\x00\x01\x02\x03"),
    ("application/json", '{"name": "Ann", "email": "ann@example.com", "password": "été"}'.encode("latin-1")),
    ("application/json", b""),
    ("application/json", b"   \n\t "),
    ("application/x-www-form-urlencoded", b"name=Ann%00&email=form-nul%40example.com&password=correct+horse+battery"),
    ("application/x-www-form-urlencoded", b"name=%FF%FE&email=%FF%40example.com&password=%FF%FF%FF%FF%FF%FF%FF%FF"),
    ("application/x-www-form-urlencoded", b"email=a&email=b&password&password=&&&==&%"),
    ("application/x-www-form-urlencoded", b"rememberMe=perhaps&callbackURL=%0d%0a&email=ann%40example.com"),
    ("application/x-www-form-urlencoded", b""),
]


@pytest.mark.parametrize("path", [SIGN_UP, SIGN_IN])
async def test_garbage_never_gets_a_500(client: httpx.AsyncClient, path: str) -> None:
    """Each of these answers a 2xx or a 4xx with exactly `{"code", "message"}`, on both databases."""
    failures = []
    for content_type, content in GARBAGE:
        response = await client.post(path, content=content, headers={"content-type": content_type})
        body = response.json()
        if body == {"message": NOT_TEXT_TARGET}:  # better-auth's one code-less answer (test above)
            continue
        if response.status_code >= 500 or (
            response.status_code >= 400 and (set(body) != {"code", "message"} or not isinstance(body["code"], str))
        ):
            failures.append((content[:80], response.status_code, response.text[:200]))
    assert failures == []


async def test_stored_text_fields_refuse_nul_characters(client: httpx.AsyncClient, database: Database) -> None:
    """PostgreSQL `text` cannot hold U+0000: refuse it up front, on every database alike."""
    name = await sign_up(client, name="Ann\x00")
    image = await sign_up(client, image="https://example.com/\x00.png")

    assert_error(name, 400, "VALIDATION_ERROR")
    assert name.json()["message"].startswith("[body.name] ")
    assert_error(image, 400, "VALIDATION_ERROR")
    assert image.json()["message"].startswith("[body.image] ")
    assert await user_count(database) == 0
    # In a password it is just another character.
    assert (await sign_up(client, password="pass\x00word")).status_code == 200
    assert (await sign_in(client, password="pass\x00word")).status_code == 200
    assert (await sign_in(client, password="password")).status_code == 401


async def test_deeply_nested_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        SIGN_IN, content=b"[" * 30_000 + b"]" * 30_000, headers={"content-type": "application/json"}
    )

    assert_error(response, 400, "VALIDATION_ERROR")


async def test_lone_surrogates_are_read_as_javascript_reads_them(client: httpx.AsyncClient) -> None:
    """A JSON escape of half a UTF-16 pair becomes U+FFFD, as JavaScript's encoders store and hash it; a whole
    pair stays one character."""
    body = b'{"name": "Ann \\ud83d\\ude00 \\ud800", "email": "lone@example.com", "password": "pass\\udfffword"}'

    response = await client.post(SIGN_UP, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 200, response.text
    assert response.json()["user"]["name"] == "Ann \U0001f600 \ufffd"
    assert (await sign_in(client, email="lone@example.com", password="pass\ufffdword")).status_code == 200
    signed_in = await client.post(
        SIGN_IN,
        content=b'{"email": "lone@example.com", "password": "pass\\ud800word"}',
        headers={"content-type": "application/json"},
    )
    assert signed_in.status_code == 200, signed_in.text
