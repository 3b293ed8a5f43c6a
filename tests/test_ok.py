from __future__ import annotations

import httpx2 as httpx

from .conftest import QueryCounter


async def test_ok_answers_like_better_auth_without_touching_the_database(
    client: httpx.AsyncClient, queries: QueryCounter
) -> None:
    response = await client.get("/api/auth/ok")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert queries.statements == []
    assert "/api/auth/ok" not in (await client.get("/openapi.json")).json()["paths"]
