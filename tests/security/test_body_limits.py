"""Request bodies are size-limited (`advanced.max_body_bytes`) on every route that reads one, API keys included, and
refused with the same 413 `REQUEST_BODY_TOO_LARGE` whether the size is declared or only found while reading; NUL
characters and absurd nesting are refused as 400 `VALIDATION_ERROR` (issue 8: request hardening)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2 as httpx
import pytest

from fastapi_betterauth import BetterAuth

from ..api_keys.api_key_support import CREATE, DELETE, UPDATE, create_key, keys_auth, signed_in, stored_keys
from ..conftest import AuthFactory, ConfiguredClientFactory, build_app

pytestmark = pytest.mark.usefixtures("database")

TOO_LARGE = {"code": "REQUEST_BODY_TOO_LARGE", "message": "Request body too large"}
LIMIT = 4096


async def _chunks(size: int) -> AsyncIterator[bytes]:
    for _ in range(size // 1024):
        yield b" " * 1024


async def assert_refused_as_too_large(client: httpx.AsyncClient, path: str, body: dict[str, Any], size: int) -> None:
    """Declared (`Content-Length`) and streamed (chunked, no length): both 413 with the same body."""
    declared = await client.post(path, json={**body, "padding": "x" * size})
    streamed = await client.post(path, content=_chunks(size), headers={"content-type": "application/json"})
    assert "content-length" not in streamed.request.headers
    for response in (declared, streamed):
        assert response.status_code == 413, (path, response.text)
        assert response.json() == TOO_LARGE


def assert_error(response: httpx.Response, status: int, code: str, message: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"}, body
    assert body["code"] == code, body
    if message is not None:
        assert body["message"] == message


def body_routes(auth: BetterAuth) -> list[str]:
    """Every auth route whose OpenAPI operation documents a request body."""
    paths = build_app(auth).openapi()["paths"]
    return [path for path, ops in paths.items() for op in ops.values() if "requestBody" in op]


@pytest.mark.parametrize("path", [CREATE, UPDATE, DELETE])
async def test_api_key_routes_refuse_an_oversized_body(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, path: str
) -> None:
    """The default limit (64 KiB) holds on the API key routes, for a signed-in caller as for anyone, before the
    body is parsed or a key is touched."""
    auth = keys_auth(make_auth, enable_metadata=True)
    client, _ = await signed_in(auth, make_configured_client)
    key = await create_key(client, name="kept")
    body = {"name": "renamed", "keyId": key["id"], "metadata": {"a": 1}}

    await assert_refused_as_too_large(client, path, body, 1_048_576)
    anonymous = await make_configured_client(auth)
    await assert_refused_as_too_large(anonymous, path, body, 1_048_576)

    assert [k.name for k in await stored_keys(auth.database)] == ["kept"]


async def test_api_key_routes_follow_a_configured_limit(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    auth = make_auth(
        plugins={"api_key": {"enabled": True, "enable_metadata": True}}, advanced={"max_body_bytes": LIMIT}
    )
    client, _ = await signed_in(auth, make_configured_client)
    key = await create_key(client, name="kept")

    for path in (CREATE, UPDATE, DELETE):
        await assert_refused_as_too_large(client, path, {"keyId": key["id"]}, LIMIT + 1024)
    # Just under the limit, the body is read and judged on its content.
    metadata = {"note": "x" * (LIMIT - 200)}
    response = await client.post(UPDATE, json={"keyId": key["id"], "metadata": metadata})
    assert response.status_code == 200, response.text
    assert response.json()["metadata"] == metadata


async def test_api_key_verify_is_not_an_http_route(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    """better-auth's `verifyApiKey` is server-only (docs/better-auth.md#api-key-routes): `/api-key/verify` answers 404
    to any body, and so no body is ever read there."""
    auth = keys_auth(make_auth)
    client, _ = await signed_in(auth, make_configured_client)
    for body in ({"key": "x"}, {"key": "x", "padding": "x" * 1_048_576}):
        response = await client.post("/api/auth/api-key/verify", json=body)
        assert (response.status_code, response.content) == (404, b"")


async def test_every_route_with_a_body_has_the_same_limit(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    """One rule for all: each documented body, signed in or not, is cut off at `max_body_bytes`."""
    auth = make_auth(
        plugins={"api_key": {"enabled": True}},
        social={"github": {"client_id": "id", "client_secret": "secret"}},
        user={"change_email": {"enabled": True}, "delete_user": {"enabled": True}},
        advanced={"max_body_bytes": LIMIT},
    )
    client, _ = await signed_in(auth, make_configured_client)
    paths = body_routes(auth)
    assert {CREATE, UPDATE, DELETE, "/api/auth/sign-in/email", "/api/auth/link-social"} <= set(paths)
    for path in paths:
        await assert_refused_as_too_large(client, path, {}, LIMIT + 1024)


@pytest.mark.parametrize("path", [CREATE, UPDATE, "/api/auth/update-user", "/api/auth/sign-in/email"])
async def test_nul_characters_and_deep_nesting_are_400(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, path: str
) -> None:
    """PostgreSQL can neither store nor compare U+0000, so it is refused in every field but passwords (found by
    the fuzzer: `revoke-session`, `update-user`, `get-access-token`, `api-key/delete` answered 500 there). API key
    metadata nested a few hundred levels deep was stored, then could not be answered back (a 500 on SQLite too)."""
    auth = keys_auth(make_auth, enable_metadata=True)
    client, _ = await signed_in(auth, make_configured_client)
    key = await create_key(client, name="kept")

    deep: Any = "bottom"
    for _ in range(40):
        deep = {"a": deep}
    response = await client.post(path, json={"keyId": key["id"], "metadata": deep, "name": "x"})
    assert_error(response, 400, "VALIDATION_ERROR", "Invalid JSON body: nested deeper than 32 levels")

    response = await client.post(path, json={"keyId": key["id"], "name": "a\x00b", "email": "a@example.com"})
    assert_error(response, 400, "VALIDATION_ERROR")
    assert response.json()["message"] == "[body.name] Invalid input: must not contain NUL characters"
    assert [k.name for k in await stored_keys(auth.database)] == ["kept"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/revoke-session",
        "/api/auth/get-access-token",
        "/api/auth/api-key/delete",
        "/api/auth/api-key/get?id=%00",
        "/api/auth/reset-password/a%00b",
        "/api/auth/callback/github?state=%00&code=x",
    ],
)
async def test_nul_characters_never_reach_the_database(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, path: str
) -> None:
    """In a body, a query or a path: 400, on SQLite as on PostgreSQL (where they used to be 500s)."""
    auth = make_auth(
        plugins={"api_key": {"enabled": True}}, social={"github": {"client_id": "id", "client_secret": "secret"}}
    )
    client, _ = await signed_in(auth, make_configured_client)
    if "?" in path or "%00" in path:
        response = await client.get(path)
    else:
        body = {"token": "\x00", "accountId": "\x00", "keyId": "\x00"}
        response = await client.post(path, json=body)
    assert_error(response, 400, "VALIDATION_ERROR")
    assert response.json()["message"].endswith("Invalid input: must not contain NUL characters")
