"""A loopback OAuth 2.0 provider for the built-in providers' flows: it records token requests (form POSTs, or GETs
with the fields in the query as WeChat's) and answers user-info calls (by method, path and query) with recorded
payloads of the provider's documented shape, to the access token as a bearer header or a form or query field."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ACCESS_TOKEN = "fake-access-token"


@dataclass
class Call:
    method: str
    target: str
    headers: dict[str, str]
    form: dict[str, list[str]]
    body: bytes = b""


@dataclass
class FakeProvider:
    """`answers[(method, "/path?query")]` is what a user-info call gets (with the right bearer token)."""

    base: str = ""
    answers: dict[tuple[str, str], Any] = field(default_factory=dict)
    token_response: dict[str, Any] = field(
        default_factory=lambda: {"access_token": ACCESS_TOKEN, "token_type": "bearer", "refresh_token": "fake-rt"}
    )
    token_calls: list[Call] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    id_token_claims: dict[str, Any] | None = None
    """Claims of an RS256 id token to add to the token response (with `nonce` when set), signed with `key`."""
    nonce: str | None = None
    id_token_secret: str | None = None
    """Sign the id token with HS256 keyed by this (LINE's channel secret) instead of RS256 with `key`."""
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "fake-1", "alg": "RS256", "use": "sig"})
    )

    def app(self) -> Starlette:
        async def token(request: Request) -> JSONResponse:
            fields = request.url.query if request.method == "GET" else (await request.body()).decode()
            form = parse_qs(fields)
            self.token_calls.append(Call(request.method, request.url.path, dict(request.headers), form))
            granted = form.get("code") == ["good-code"] or form.get("refresh_token") == ["fake-rt"]
            if not granted:
                return JSONResponse({"error": "invalid_grant"}, 400)
            answer = dict(self.token_response)
            if self.id_token_claims is not None:
                claims = {**self.id_token_claims, **({"nonce": self.nonce} if self.nonce else {})}
                if self.id_token_secret is not None:
                    answer["id_token"] = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(self.id_token_secret))
                else:
                    answer["id_token"] = jwt.encode({"alg": "RS256", "kid": "fake-1"}, claims, self.key)
            return JSONResponse(answer)

        async def jwks(request: Request) -> JSONResponse:
            return JSONResponse(KeySet([self.key]).as_dict(private=False))

        async def other(request: Request) -> JSONResponse:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            body = await request.body()
            form = parse_qs(body.decode()) if "form-urlencoded" in request.headers.get("content-type", "") else {}
            self.calls.append(Call(request.method, target, dict(request.headers), form, body))
            presented = {request.headers.get("authorization"), *[f"Bearer {t}" for t in form.get("access_token", [])]}
            presented |= {f"Bearer {t}" for t in parse_qs(request.url.query).get("access_token", [])}
            if f"Bearer {ACCESS_TOKEN}" not in presented:
                return JSONResponse({"error": "unauthorized"}, 401)
            answer = self.answers.get((request.method, target))
            return JSONResponse(answer, 200) if answer is not None else JSONResponse({"error": "not found"}, 404)

        return Starlette(
            routes=[
                Route("/token", token, methods=["GET", "POST"]),
                Route("/refresh_token", token, methods=["GET"]),
                Route("/jwks", jwks),
                Route("/{path:path}", other, methods=["GET", "POST"]),
            ]
        )


@asynccontextmanager
async def serving(fake: FakeProvider) -> AsyncIterator[FakeProvider]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    fake.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(fake.app(), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):  # at most 5 s
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "the loopback provider did not start"
    try:
        yield fake
    finally:
        server.should_exit = True
        await task
