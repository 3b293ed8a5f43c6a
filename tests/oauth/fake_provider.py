"""A loopback OAuth 2.0 provider for the built-in providers' flows: it records token requests and answers user-info
calls (by method, path and query) with recorded payloads of the provider's documented shape."""

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
from joserfc.jwk import KeySet, RSAKey
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
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "fake-1", "alg": "RS256", "use": "sig"})
    )

    def app(self) -> Starlette:
        async def token(request: Request) -> JSONResponse:
            form = parse_qs((await request.body()).decode())
            self.token_calls.append(Call("POST", "/token", dict(request.headers), form))
            if form.get("code") != ["good-code"]:
                return JSONResponse({"error": "invalid_grant"}, 400)
            answer = dict(self.token_response)
            if self.id_token_claims is not None:
                claims = {**self.id_token_claims, **({"nonce": self.nonce} if self.nonce else {})}
                answer["id_token"] = jwt.encode({"alg": "RS256", "kid": "fake-1"}, claims, self.key)
            return JSONResponse(answer)

        async def jwks(request: Request) -> JSONResponse:
            return JSONResponse(KeySet([self.key]).as_dict(private=False))

        async def other(request: Request) -> JSONResponse:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            self.calls.append(Call(request.method, target, dict(request.headers), {}, await request.body()))
            if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
                return JSONResponse({"error": "unauthorized"}, 401)
            answer = self.answers.get((request.method, target))
            return JSONResponse(answer, 200) if answer is not None else JSONResponse({"error": "not found"}, 404)

        return Starlette(
            routes=[
                Route("/token", token, methods=["POST"]),
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
