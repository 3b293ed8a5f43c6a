"""`AuthRouter`: the auth routes step aside at once for paths none of them can match, and route as before otherwise."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from starlette.responses import PlainTextResponse
from starlette.routing import Host, Match, Mount

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.routing import AuthRoute, AuthRouter, _path_ends_pattern, absolute_url

from .conftest import settings


def scope(path: str, method: str = "GET") -> dict[str, Any]:
    return {"type": "http", "path": path, "root_path": "", "method": method, "headers": [], "query_string": b""}


def test_paths_no_route_ends_with_are_refused_without_walking_the_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    auth = BetterAuth(settings(), database=None)
    app = FastAPI()
    app.include_router(auth.router, prefix="/api/auth")

    def walked(self: AuthRoute, scope: Any) -> Any:
        raise AssertionError(f"{self.path} was tried for {scope['path']}")

    monkeypatch.setattr(AuthRoute, "matches", walked)
    for path in ["/", "/me", "/api/auth", "/api/auth/", "/api/auth/get-session/extra", "/get-sessions"]:
        assert auth.router.matches(scope(path)) == (Match.NONE, {})


async def test_routes_still_answer_under_any_prefix_with_the_app_routes_after_them() -> None:
    auth = BetterAuth(settings(), database=None)
    app = FastAPI(lifespan=auth.lifespan, exception_handlers=auth.exception_handlers)
    app.include_router(auth.router, prefix="/custom/prefix")

    @app.get("/me")
    async def me() -> dict[str, str]:
        return {"route": "app"}

    @app.get("/custom/prefix/mine")
    async def mine() -> dict[str, str]:
        return {"route": "app, under the auth prefix"}

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            assert (await client.get("/custom/prefix/ok")).json() == {"ok": True}
            assert (await client.get("/custom/prefix/get-session")).json() is None
            assert (await client.get("/me")).json() == {"route": "app"}
            assert (await client.get("/custom/prefix/mine")).json() == {"route": "app, under the auth prefix"}
            # A path parameter and a method mismatch go through the full walk, as before.
            callback = await client.get("/custom/prefix/callback/nobody", follow_redirects=False)
            assert callback.status_code == 302
            assert (await client.post("/custom/prefix/ok")).status_code == 404  # better-auth: a bare 404
            assert (await client.get("/api/auth/ok")).status_code == 404


async def test_an_app_mounted_on_the_router_answers_every_path_below_it() -> None:
    router = AuthRouter()
    router.add_api_route("/ok", lambda: {"ok": True})
    router.mount("/files", PlainTextResponse("a file"))
    app = FastAPI()
    app.include_router(router, prefix="/x")
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        assert (await client.get("/x/files/any/name.css")).text == "a file"


def test_a_route_without_a_path_pattern_turns_the_filter_off() -> None:
    host = Host("files.example", app=PlainTextResponse("a file"))
    assert _path_ends_pattern([AuthRoute("/ok", lambda: None), host]) is None
    pattern = _path_ends_pattern([Mount("/files", app=PlainTextResponse("a file")), AuthRoute("/ok", lambda: None)])
    assert pattern is not None
    assert pattern.search("/any/prefix/files/a/b.css")
    assert pattern.search("/any/prefix/ok")
    assert not pattern.search("/any/prefix/okay")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/reset", "https://a.example/reset?token=t"),
        ("reset", "https://a.example/api/reset?token=t"),
        ("/reset?token=old&next=%2Fhome", "https://a.example/reset?next=%2Fhome&token=t"),
        ("https://app.example", "https://app.example/?token=t"),
    ],
)
def test_absolute_url_resolves_like_a_browser_and_sets_the_parameter(url: str, expected: str) -> None:
    assert absolute_url("https://a.example/api/auth", url, token="t") == expected
