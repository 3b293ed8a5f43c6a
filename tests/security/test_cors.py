"""C5: `TrustedOriginsCORS` answers CORS for exactly the trusted origins (wildcards too), with credentials and the
bearer header exposed, and nothing for any other origin or `null`."""

from __future__ import annotations

import secrets

import httpx2 as httpx
from asgi_lifespan import LifespanManager

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.security.cors import TrustedOriginsCORS

from ..conftest import BASE_URL, build_app, settings, sign_up


async def test_cors_follows_the_trusted_origins(database_url: str) -> None:
    auth = BetterAuth(
        settings(database_url=database_url, trusted_origins=["https://app.example", "https://*.preview.example"])
    )
    await auth.migrate()
    app = build_app(auth)
    app.add_middleware(TrustedOriginsCORS, origins=auth.origins)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
            allowed = await client.options(
                "/api/auth/sign-up/email", headers={"origin": "https://pr-7.preview.example", **preflight}
            )
            refused = await client.options(
                "/api/auth/sign-up/email", headers={"origin": "https://evil.example", **preflight}
            )
            null = await client.options("/api/auth/sign-up/email", headers={"origin": "null", **preflight})
            client.headers["origin"] = "https://app.example"
            signed_up = await sign_up(client, email=f"cors-{secrets.token_hex(4)}@example.com")

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://pr-7.preview.example"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in null.headers
    assert signed_up.status_code == 200
    assert signed_up.headers["access-control-allow-origin"] == "https://app.example"
    assert "set-auth-token" in signed_up.headers["access-control-expose-headers"]
