from __future__ import annotations

import httpx2 as httpx

from .conftest import sign_in, sign_up


async def test_sign_up_sign_in_me(client: httpx.AsyncClient) -> None:
    response = await sign_up(client)
    assert response.status_code == 200, response.text
    response = await sign_in(client)
    assert response.status_code == 200, response.text
    me = await client.get("/me")
    assert me.status_code == 200
    assert me.json()["email"] == "ann@example.com"
