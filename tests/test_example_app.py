"""The example app, started for real with uvicorn: the README's quick start works end to end."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest

from .live_server import clean_environment, live_server

EXAMPLE_ORIGIN = "http://localhost:8000"  # the example's default BETTER_AUTH_URL
COOKIE = "better-auth.session_token"  # no __Secure- prefix: the base URL is http


def session_cookie(response: httpx.Response) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.split("=", 1)[0] == COOKIE]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


@pytest.mark.slow
def test_example_app_sign_up_to_sign_out(tmp_path: Path) -> None:
    env = clean_environment(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'ex.db'}")
    with live_server("example_app.main:app", tmp_path, env) as server:
        base_url = server.base_url
        with httpx.Client(base_url=base_url, headers={"origin": EXAMPLE_ORIGIN}, timeout=10) as client:
            credentials = {"email": "Ex@Example.com", "password": "correct horse battery"}
            response = client.post("/api/auth/sign-up/email", json={"name": "Ex", **credentials})
            assert response.status_code == 200, response.text
            assert response.json()["user"]["email"] == "ex@example.com"
            value, *attributes = session_cookie(response).split("; ")
            assert attributes == ["Max-Age=604800", "Path=/", "HttpOnly", "SameSite=Lax"], "no Secure on http"

            client.cookies.clear()
            response = client.post("/api/auth/sign-in/email", json=credentials)
            assert response.status_code == 200, response.text
            token = response.json()["token"]
            value, *attributes = session_cookie(response).split("; ")
            assert attributes == ["Max-Age=604800", "Path=/", "HttpOnly", "SameSite=Lax"]
            signed = value.split("=", 1)[1]
            assert client.cookies[COOKIE] == signed

            response = client.get("/api/auth/get-session")
            assert response.status_code == 200
            body = response.json()
            assert body["session"]["token"] == token
            assert body["session"]["ipAddress"] == "127.0.0.1"
            assert body["user"]["email"] == "ex@example.com"

            response = client.get("/me")
            assert response.status_code == 200
            assert response.json() == {
                "id": body["user"]["id"],
                "email": "ex@example.com",
                "name": "Ex",
                "emailVerified": False,
            }

            response = client.post("/api/auth/sign-out")
            assert response.status_code == 200
            assert response.json() == {"success": True}
            assert session_cookie(response).startswith(f"{COOKIE}=; Max-Age=0;")
            assert COOKIE not in client.cookies

            response = client.get("/me")
            assert response.status_code == 401
            assert response.json() == {"code": "UNAUTHORIZED", "message": "Unauthorized"}
            # The session is gone on the server too: replaying the old cookie does not help.
            response = client.get("/me", headers={"cookie": f"{COOKIE}={signed}"})
            assert response.status_code == 401
            assert client.get("/api/auth/get-session", headers={"cookie": f"{COOKIE}={signed}"}).json() is None
    assert (tmp_path / "ex.db").is_file(), "the app created its schema in DATABASE_URL"
    assert not (tmp_path / "better-auth.db").exists()


@pytest.mark.slow
def test_example_app_in_production_has_no_outbox_and_answers_api_clients_json(tmp_path: Path) -> None:
    """The development outbox lists sign-in links and codes: in production the page does not exist. `/` stays the
    JSON index for API clients and is the site's home page for browsers."""
    env = clean_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'ex.db'}",
        BETTER_AUTH_ENVIRONMENT="production",
        BETTER_AUTH_SECRET="a-production-secret-of-enough-length-0123456789",
    )
    with (
        live_server("example_app.main:app", tmp_path, env, ready_path="/api/auth/ok") as server,
        httpx.Client(base_url=server.base_url, timeout=10) as client,
    ):
        assert client.get("/dev/outbox", headers={"accept": "text/html"}).status_code == 404
        index = client.get("/")
        assert index.json() == {"docs": "/docs", "sign_up": "POST /api/auth/sign-up/email", "me": "GET /me"}
        home = client.get("/", headers={"accept": "text/html,application/xhtml+xml"})
        assert home.status_code == 200
        assert home.headers["content-type"].startswith("text/html")
        assert 'href="/sign-up"' in home.text
        assert 'href="/dev/outbox"' not in home.text
        assert client.get("/static/site.css").status_code == 200
