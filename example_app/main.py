"""A small app using fastapi-betterauth: the auth API under /api/auth, a protected JSON /me, and a small
server-rendered site (example_app/pages/) with sign-up, sign-in, email verification, password reset, social
sign-in, sessions, API keys and two-factor authentication.

Run it with `python3 tasks.py example` (installs everything, creates the SQLite schema, starts uvicorn), or, once
installed, `uvicorn example_app.main:app`. It defaults to development mode so it starts without a secret; deploy
with BETTER_AUTH_ENVIRONMENT=production and a real BETTER_AUTH_SECRET. In development the emails it sends are
printed and listed at /dev/outbox.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from example_app import client_bundle, passkey_demo
from fastapi_betterauth import AuthSettings, BetterAuth, CurrentSession, CurrentUser, fresh_session
from fastapi_betterauth.mail import sender_from_settings

from .outbox import DevelopmentOutbox
from .pages import account, dev, js_client, security, two_factor
from .site import HERE, Site, current_session, render

os.environ.setdefault("BETTER_AUTH_ENVIRONMENT", "development")

settings = AuthSettings()
# In development every email is printed (the settings' sender) and kept for the /dev/outbox page.
outbox = (
    DevelopmentOutbox(sender_from_settings(settings.email, environment=settings.environment))
    if settings.environment == "development"
    else None
)
auth = BetterAuth(settings, email_sender=outbox)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await auth.migrate()  # idempotent: creates or upgrades the auth tables
    async with auth.lifespan(app):
        yield


app = FastAPI(title="fastapi-betterauth example", lifespan=lifespan, exception_handlers=auth.exception_handlers)
app.state.site = Site(auth, outbox=outbox)
app.include_router(auth.router, prefix=auth.settings.base_path)
app.include_router(client_bundle.router)  # before the /static mount, which would shadow it
app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
app.include_router(account.router)
app.include_router(security.router)
app.include_router(two_factor.router)
app.include_router(dev.router)
app.include_router(js_client.router)
app.include_router(passkey_demo.router)


@app.get("/", response_model=None)
async def index(request: Request) -> Response | dict[str, str]:
    """The site's home page for a browser; for an API client (no `text/html` in `Accept`), where things are."""
    if "text/html" not in request.headers.get("accept", ""):
        return {"docs": "/docs", "sign_up": "POST /api/auth/sign-up/email", "me": "GET /me"}
    return render(request, "home.html", session=await current_session(request))


@app.get("/me")
async def me(user: CurrentUser) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "emailVerified": user.email_verified}


@app.get("/me/session")
async def my_session(found: CurrentSession) -> dict[str, Any]:
    return {"id": found.session.id, "expiresAt": found.session.expires_at.isoformat()}


@app.post("/me/sensitive", dependencies=[Depends(fresh_session)])
async def sensitive() -> dict[str, bool]:
    return {"ok": True}
