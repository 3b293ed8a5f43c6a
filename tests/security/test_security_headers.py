"""C6: every auth answer (success, error, redirect) says `X-Content-Type-Options: nosniff`, and over HTTPS asks for
HTTPS only (`Strict-Transport-Security`); the app's own routes are left to the app."""

from __future__ import annotations

import httpx2 as httpx
from asgi_lifespan import LifespanManager

from fastapi_betterauth import BetterAuth

from ..conftest import ORIGIN, build_app, settings, sign_up


async def test_auth_answers_carry_the_security_headers(client: httpx.AsyncClient) -> None:
    answers = [
        await sign_up(client),
        await client.post("/api/auth/sign-in/email", json={"email": "ann@example.com", "password": "wrong"}),
        await client.get("/api/auth/verify-email", params={"token": "bad", "callbackURL": "/done"}),
    ]

    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff", answer.status_code
        assert answer.headers["strict-transport-security"] == "max-age=31536000", answer.status_code
    assert [answer.status_code for answer in answers] == [200, 401, 302]
    assert "x-content-type-options" not in (await client.get("/maybe")).headers


async def test_no_hsts_over_plain_http(database_url: str) -> None:
    auth = BetterAuth(settings(url="http://localhost:8000", database_url=database_url))
    await auth.migrate()
    async with LifespanManager(build_app(auth)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000", headers=ORIGIN) as client:
            answer = await client.get("/api/auth/get-session")

    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in answer.headers
