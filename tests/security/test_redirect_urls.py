"""Every URL a client hands in to be sent back to later (callbackURL, newUserCallbackURL, errorCallbackURL,
redirectTo) is checked against the trusted origins, with better-auth's rules for relative paths
(docs/better-auth.md#origin-check, #trusted-origins; O5: no open redirect). One table lists each field of each route; a
test reads the app's OpenAPI schema so that a URL field added later without a row here (and a check in its route)
fails."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_up
from .test_fuzz import fuzz_app

pytestmark = pytest.mark.usefixtures("database")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: these checks come before any storage is touched."""
    return f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}"


OPTIONS: dict[str, Any] = {
    "social": {"github": {"client_id": "id", "client_secret": "secret"}},
    "user": {"change_email": {"enabled": True}, "delete_user": {"enabled": True}},
}


@dataclass(frozen=True)
class UrlField:
    method: str
    path: str
    name: str
    code: str
    body: dict[str, Any] = field(default_factory=dict)
    signed_in: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.path.removeprefix('/api/auth/')} {self.name}"


SIGN_UP = {"name": "Mallory", "email": "mallory@example.com", "password": "correct horse battery"}
GITHUB = {"provider": "github"}
FIELDS = [
    UrlField("POST", "/api/auth/sign-up/email", "callbackURL", "INVALID_CALLBACK_URL", SIGN_UP),
    UrlField("POST", "/api/auth/sign-in/email", "callbackURL", "INVALID_CALLBACK_URL", SIGN_UP),
    UrlField("POST", "/api/auth/sign-in/social", "callbackURL", "INVALID_CALLBACK_URL", GITHUB),
    UrlField("POST", "/api/auth/sign-in/social", "newUserCallbackURL", "INVALID_NEW_USER_CALLBACK_URL", GITHUB),
    UrlField("POST", "/api/auth/sign-in/social", "errorCallbackURL", "INVALID_ERROR_CALLBACK_URL", GITHUB),
    UrlField("POST", "/api/auth/link-social", "callbackURL", "INVALID_CALLBACK_URL", GITHUB, True),
    UrlField("POST", "/api/auth/link-social", "errorCallbackURL", "INVALID_ERROR_CALLBACK_URL", GITHUB, True),
    UrlField("POST", "/api/auth/send-verification-email", "callbackURL", "INVALID_CALLBACK_URL", SIGN_UP),
    UrlField("POST", "/api/auth/request-password-reset", "redirectTo", "INVALID_REDIRECT_URL", SIGN_UP),
    UrlField("POST", "/api/auth/forget-password", "redirectTo", "INVALID_REDIRECT_URL", SIGN_UP),
    UrlField(
        "POST", "/api/auth/change-email", "callbackURL", "INVALID_CALLBACK_URL", {"newEmail": "new@example.com"}, True
    ),
    UrlField("POST", "/api/auth/delete-user", "callbackURL", "INVALID_CALLBACK_URL", {}, True),
    UrlField("POST", "/api/auth/sign-out", "callbackURL", "INVALID_CALLBACK_URL", {}),
    UrlField("GET", "/api/auth/verify-email", "callbackURL", "INVALID_CALLBACK_URL", {"token": "t"}),
    UrlField("GET", "/api/auth/reset-password/some-token", "callbackURL", "INVALID_CALLBACK_URL"),
    UrlField("GET", "/api/auth/delete-user/callback", "callbackURL", "INVALID_CALLBACK_URL", {"token": "t"}, True),
]
UNTRUSTED = [
    "https://evil.example/welcome",
    "//evil.example",
    "/\\evil.example",
    "/%2f%2fevil.example",
    "https://testserver.evil.example/",
    "https://testserver@evil.example/",
    "http://testserver/",  # another scheme is another origin
    "javascript:alert(1)",
    "/welcome#https://evil.example",
    "/wel\tcome",
]
TRUSTED = ["/welcome", "/welcome?tab=2", "https://testserver/welcome"]
_URL_NAME = re.compile(r"url|redirect", re.IGNORECASE)


def _is_string(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" or any(_is_string(option) for option in schema.get("anyOf", ()))


def url_fields_in_schema() -> set[tuple[str, str, str]]:
    """(method, path, field) of every string body property or query parameter named like a URL or redirect."""
    found = set()
    for path, operations in fuzz_app("sqlite+aiosqlite://").openapi()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", ()):
                if parameter["in"] == "query" and _URL_NAME.search(parameter["name"]):
                    found.add((method.upper(), path, parameter["name"]))
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for name, schema in content["schema"].get("properties", {}).items():
                    if _URL_NAME.search(name) and _is_string(schema):
                        found.add((method.upper(), path, name))
    return found


def test_every_url_field_of_every_route_is_in_the_table() -> None:
    """O5: the table below is the audit; a new URL field must join it (and get its check)."""
    listed = {(f.method, re.sub(r"/some-token$", "/{token}", f.path), f.name) for f in FIELDS}
    assert url_fields_in_schema() == listed


async def send_each(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, entry: UrlField, urls: list[str]
) -> list[tuple[str, httpx.Response]]:
    """Send `urls` in the entry's field, each time as a newly signed-up user when the route needs a session."""
    client = await make_configured_client(make_auth(**OPTIONS))
    answers = []
    for number, url in enumerate(urls):
        client.cookies.clear()
        if entry.signed_in:
            assert (await sign_up(client, email=f"user{number}@example.com")).status_code == 200
        values = {**entry.body, entry.name: url}
        if entry.method == "GET":
            answers.append((url, await client.get(entry.path, params=values)))
        else:
            answers.append((url, await client.post(entry.path, json=values)))
    return answers


@pytest.mark.parametrize("entry", FIELDS, ids=[f.id for f in FIELDS])
async def test_untrusted_urls_are_refused(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, entry: UrlField
) -> None:
    """O5: other origins, protocol-relative and backslash tricks, their encodings, scripts and fragments: 403 with
    the field's code, before anything is done (no cookie set, no redirect)."""
    for url, response in await send_each(make_auth, make_configured_client, entry, UNTRUSTED):
        assert (response.status_code, response.json().get("code")) == (403, entry.code), (url, response.text)
        assert "location" not in response.headers, url
        assert not any("session_token" in c for c in response.headers.get_list("set-cookie")), url


@pytest.mark.parametrize("entry", FIELDS, ids=[f.id for f in FIELDS])
async def test_trusted_urls_pass_the_check(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, entry: UrlField
) -> None:
    """Safe relative paths and the app's own origin are accepted (what happens next is the route's business)."""
    for url, response in await send_each(make_auth, make_configured_client, entry, TRUSTED):
        if response.headers.get("content-type", "").startswith("application/json"):
            assert response.json() is None or response.json().get("code") != entry.code, (url, response.text)
