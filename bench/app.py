"""The example app as the benchmarks run it: example_app.main unchanged, plus what only the benchmarks need.

- `GET /bench/sql`: SQL statements sent through the auth engine since start (a SQLAlchemy `before_cursor_execute`
  listener), in total and those that are not SELECTs (writes), and the requests received (`counted_app` counts
  them). bench/run.py reads it around each load run.
- `GET /bench/api-key`: the `/me` answer behind the `api_key()` provider, to time API-key verification.
- `GET /bench/deps-floor`: the shape of `/me` (one security-class provider taking the request and the response,
  with the bearer scheme under it) with a provider that does nothing: what FastAPI's dependency injection alone
  costs, the floor under any provider.

Run by bench/run.py as `uvicorn app:counted_app --app-dir bench` from the repository root; configured by the same
`BETTER_AUTH_*` environment as the example app.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy import event
from starlette.types import ASGIApp, Receive, Scope, Send

from example_app.main import app, auth
from fastapi_betterauth import VerifiedApiKey, api_key
from fastapi_betterauth.security.schemes import SessionCookieScheme

__all__ = ["app", "counted_app"]


class SqlCounter:
    """SQL statements sent through an engine, reads (SELECT) and the rest (writes), and HTTP requests received
    (started, whether or not the client waited for the answer: wrk's count misses those cut off at its end)."""

    def __init__(self) -> None:
        self.statements = 0
        self.writes = 0
        self.requests = 0

    def record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements += 1
        if statement.lstrip()[:6].upper() != "SELECT":
            self.writes += 1


counter = SqlCounter()
event.listen(auth.database.engine.sync_engine, "before_cursor_execute", counter.record)


@app.get("/bench/sql", include_in_schema=False)
async def sql_count() -> dict[str, int]:
    return {"statements": counter.statements, "writes": counter.writes, "requests": counter.requests}


class CountRequests:
    """The app, counting the requests it receives (`/bench/sql` aside)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] != "/bench/sql":
            counter.requests += 1
        await self.app(scope, receive, send)


counted_app = CountRequests(app)


@app.get("/bench/api-key", include_in_schema=False)
async def api_key_owner(found: Annotated[VerifiedApiKey, Depends(api_key())]) -> dict[str, Any]:
    user = found.user
    return {"id": user.id, "email": user.email, "name": user.name, "emailVerified": user.email_verified}


_FLOOR_USER = {"id": "0" * 32, "email": "floor@example.com", "name": "Floor", "emailVerified": False}


class _FloorProvider(SessionCookieScheme):
    """`current_user`'s shape, doing nothing."""

    async def __call__(self, request: Request, response: Response) -> dict[str, Any]:
        return _FLOOR_USER


_floor_current_user = _FloorProvider()


@app.get("/bench/deps-floor", include_in_schema=False)
async def deps_floor(user: Annotated[dict[str, Any], Depends(_floor_current_user)]) -> dict[str, Any]:
    return dict(user)
