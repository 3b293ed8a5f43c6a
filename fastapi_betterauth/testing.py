"""Helpers for the tests of apps built on the toolkit (docs/front-ends.md#testing-your-app): a client that behaves like
a browser on the app's own origin, and a sign-up that leaves it signed in.

```python
from fastapi_betterauth.testing import auth_client, sign_up

async def test_me() -> None:
    async with auth_client(app, auth) as client:
        await sign_up(client, "ann@example.com")
        assert (await client.get("/me")).json()["email"] == "ann@example.com"
```

No pytest fixture and no test framework is assumed: wrap these in fixtures of your own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
from fastapi import FastAPI

from .auth import BetterAuth

TEST_PASSWORD = "correct horse battery staple"
"""The password `sign_up` uses unless given one: long enough for the default policy."""


@asynccontextmanager
async def auth_client(
    app: FastAPI,
    auth: BetterAuth,
    *,
    lifespan: bool = True,
    origin: str | None = None,
    **client_options: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """An `httpx2.AsyncClient` talking to `app` in process, as a browser on the app's own origin would: its base URL
    is `auth.settings.url` (so `Secure` cookies come back under `https`), it keeps cookies between requests, and it
    sends `Origin` (the base URL's, or `origin`), which unsafe requests signed in by cookie need (docs/security.md
    C5). With `lifespan` (the default) the app's lifespan runs around the client, as under a server, so
    `auth.lifespan` attaches the instance the providers look for. `client_options` go to `httpx2.AsyncClient`."""
    base_url = auth.settings.url.rstrip("/")
    parts = urlsplit(base_url)
    headers = {"origin": origin or f"{parts.scheme}://{parts.netloc}", **client_options.pop("headers", {})}
    async with AsyncExitStack() as stack:
        if lifespan:
            await stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app)
        client = httpx.AsyncClient(transport=transport, base_url=base_url, headers=headers, **client_options)
        yield await stack.enter_async_context(client)


async def sign_up(
    client: httpx.AsyncClient,
    email: str,
    password: str = TEST_PASSWORD,
    *,
    name: str = "Test User",
    base_path: str = "/api/auth",
    **fields: Any,
) -> dict[str, Any]:
    """Sign up by `POST {base_path}/sign-up/email` and return the answer's JSON (`{"token", "user"}`); with
    `auto_sign_in` (the default, without required email verification) the client is then signed in by cookie.
    `fields`: additional user fields. Raises `httpx2.HTTPStatusError` when the sign-up is refused."""
    response = await client.post(
        f"{base_path.rstrip('/')}/sign-up/email", json={"name": name, "email": email, "password": password, **fields}
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body
