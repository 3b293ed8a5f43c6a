"""A small app using fastapi-betterauth: the auth API under /api/auth and a protected /me.

Run it with `python3 tasks.py example` (installs everything, creates the SQLite schema, starts uvicorn), or, once
installed, `uvicorn example_app.main:app`. It defaults to development mode so it starts without a secret; deploy
with BETTER_AUTH_ENVIRONMENT=production and a real BETTER_AUTH_SECRET.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from example_app import client_bundle, passkey_demo
from fastapi_betterauth import AuthSettings, BetterAuth, CurrentSession, CurrentUser, fresh_session

os.environ.setdefault("BETTER_AUTH_ENVIRONMENT", "development")

auth = BetterAuth(AuthSettings())


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await auth.migrate()  # idempotent: creates or upgrades the auth tables
    async with auth.lifespan(app):
        yield


app = FastAPI(title="fastapi-betterauth example", lifespan=lifespan, exception_handlers=auth.exception_handlers)
app.include_router(auth.router, prefix=auth.settings.base_path)
app.include_router(client_bundle.router)
app.include_router(passkey_demo.router)


@app.get("/")
async def index() -> dict[str, str]:
    return {"docs": "/docs", "sign_up": "POST /api/auth/sign-up/email", "me": "GET /me"}


@app.get("/me")
async def me(user: CurrentUser) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "emailVerified": user.email_verified}


@app.get("/me/session")
async def my_session(found: CurrentSession) -> dict[str, Any]:
    return {"id": found.session.id, "expiresAt": found.session.expires_at.isoformat()}


@app.post("/me/sensitive", dependencies=[Depends(fresh_session)])
async def sensitive() -> dict[str, bool]:
    return {"ok": True}
