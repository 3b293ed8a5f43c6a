"""What the interop tests share: the secrets, the two sides as HTTP clients, cookies, and direct database access."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx2 as httpx

from ..services import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER

SECRET = "interop-secret-7f3c9a1e5b-kq2w8x4z6v-0123456789"
NEW_SECRET = "interop-rotated-secret-d41e8a-mn7b3v9c1x-9876543210"
ROTATED = ((2, NEW_SECRET), (1, SECRET))
"""`BETTER_AUTH_SECRETS=2:<new>,1:<old>` on both sides: version 2 signs, both verify (where each side allows)."""
PASSWORD = "correct horse battery staple"
HERE_URL = "http://ours.test"
"""Our app's base URL: http, like the Node app's, so both name their cookies `better-auth.*` (no `__Secure-`)."""
JWT_ISSUER = "https://interop.example"
"""The `iss` and `aud` of both sides' JWTs (tests/node_app/server.mjs sets the same)."""
SESSION_TOKEN = "better-auth.session_token"
SESSION_DATA = "better-auth.session_data"
STRATEGIES = ("compact", "jwt", "jwe")


def new_email() -> str:
    return f"u-{uuid.uuid4().hex[:12]}@example.com"


def cookies_set_by(response: httpx.Response) -> dict[str, str]:
    """The cookies a response sets (name -> value), leaving out those it deletes."""
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        pair, _, attributes = header.partition(";")
        name, _, value = pair.strip().partition("=")
        if value and "max-age=0" not in attributes.lower().replace(" ", ""):
            cookies[name] = value
    return cookies


@dataclass
class Side:
    """One app sharing the database, spoken to over HTTP: "node" (a better-auth instance) or "here" (ours).

    Cookies are never kept between calls: each test passes exactly the cookies it means to present."""

    name: str
    client: httpx.AsyncClient
    origin: str

    async def call(
        self,
        method: str,
        path: str,
        *,
        cookies: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        self.client.cookies.clear()
        sent = {"origin": self.origin, **(headers or {})}
        if cookies:
            sent["cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        return await self.client.request(method, path, json=json, headers=sent)

    async def sign_up(self, email: str, password: str = PASSWORD) -> tuple[dict[str, Any], dict[str, str]]:
        response = await self.call(
            "POST", "/api/auth/sign-up/email", json={"name": "Ann", "email": email, "password": password}
        )
        assert response.status_code == 200, f"{self.name} sign-up: {response.status_code} {response.text}"
        return response.json(), cookies_set_by(response)

    async def sign_in(self, email: str, password: str = PASSWORD) -> tuple[dict[str, Any], dict[str, str]]:
        response = await self.call("POST", "/api/auth/sign-in/email", json={"email": email, "password": password})
        assert response.status_code == 200, f"{self.name} sign-in: {response.status_code} {response.text}"
        return response.json(), cookies_set_by(response)

    async def get_session(self, cookies: Mapping[str, str], **headers: str) -> dict[str, Any] | None:
        """`GET /get-session` with exactly these cookies: the `{session, user}` it answers, or None."""
        response = await self.call("GET", "/api/auth/get-session", cookies=cookies, headers=headers)
        assert response.status_code == 200, f"{self.name} get-session: {response.status_code} {response.text}"
        found: dict[str, Any] | None = response.json()
        return found

    async def sign_out(self, cookies: Mapping[str, str]) -> None:
        response = await self.call("POST", "/api/auth/sign-out", cookies=cookies, json={})
        assert response.status_code == 200, f"{self.name} sign-out: {response.status_code} {response.text}"


def tampered(value: str) -> str:
    """A cookie value with one character of its payload changed (its signature no longer matches)."""
    return ("B" if value[0] == "A" else "A") + value[1:]


def only_token(cookies: Mapping[str, str]) -> dict[str, str]:
    """The session cookie alone, without a cookie-cache copy: the other side must look the session up."""
    return {SESSION_TOKEN: cookies[SESSION_TOKEN]}


async def execute(database: str, statement: str, *args: Any) -> list[asyncpg.Record]:
    """One statement on the shared PostgreSQL database, outside both apps."""
    connection = await asyncpg.connect(host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER, database=database)
    try:
        rows: list[asyncpg.Record] = await connection.fetch(statement, *args)
        return rows
    finally:
        await connection.close()


async def stored_password(database: str, email: str) -> str:
    [row] = await execute(
        database,
        'SELECT a.password FROM account a JOIN "user" u ON u.id = a."userId" '
        "WHERE u.email = $1 AND a.\"providerId\" = 'credential'",
        email,
    )
    password: str = row["password"]
    return password
