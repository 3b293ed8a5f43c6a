"""One enrichment pipeline (better-auth's customSession, #9769): /get-session and the app's routes see the same."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx2 as httpx
from asgi_lifespan import LifespanManager
from fastapi import Request
from pydantic import BaseModel

from fastapi_betterauth import CurrentSession, Session, User

from ..conftest import BASE_URL, ORIGIN, AuthFactory, build_app, sign_up

SESSION_STORES = ("database", "stateless")


async def test_enrichment_reaches_get_session_and_providers(make_auth: AuthFactory) -> None:
    calls: list[str] = []

    async def enrich(session: Session, user: User, request: Request) -> dict[str, Any]:
        calls.append(request.url.path)
        return {
            "user": {"id": user.id, "role": "admin" if user.email.startswith("ann") else "member"},
            "session": {"id": session.id},
            "via": request.method,
        }

    auth = make_auth(session_enricher=enrich)
    app = build_app(auth)

    @app.get("/role")
    async def role(found: CurrentSession) -> dict[str, Any]:
        assert found.enrichment is not None
        return {"role": found.enrichment["user"]["role"], "email": found.user.email}

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN) as client:
            user_id = (await sign_up(client)).json()["user"]["id"]
            body = (await client.get("/api/auth/get-session")).json()
            assert body == {
                "user": {"id": user_id, "role": "admin"},
                "session": {"id": body["session"]["id"]},
                "via": "GET",
            }
            calls.clear()
            assert (await client.get("/role")).json() == {"role": "admin", "email": "ann@example.com"}
            assert calls == ["/role"]  # once per request
            calls.clear()
            client.cookies.clear()
            assert (await client.get("/api/auth/get-session")).json() is None
            assert calls == []  # no session, no enrichment


async def test_enrichment_may_hold_values_fastapi_encodes(make_auth: AuthFactory) -> None:
    """The enricher's body is the app's: dates, sets and models are encoded as FastAPI encodes a route's answer."""

    class Plan(BaseModel):
        name: str
        renews: datetime

    renews = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)

    async def enrich(session: Session, user: User, request: Request) -> dict[str, Any]:
        return {"user": {"id": user.id}, "plan": Plan(name="pro", renews=renews), "since": renews, "tags": {"a"}}

    async with LifespanManager(build_app(make_auth(session_enricher=enrich))) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN) as client:
            user_id = (await sign_up(client)).json()["user"]["id"]
            response = await client.get("/api/auth/get-session")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "user": {"id": user_id},
        "plan": {"name": "pro", "renews": "2031-05-06T07:08:09Z"},
        "since": "2031-05-06T07:08:09+00:00",
        "tags": ["a"],
    }


async def test_no_enricher_means_the_standard_body(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    assert set((await client.get("/api/auth/get-session")).json()) == {"session", "user"}
