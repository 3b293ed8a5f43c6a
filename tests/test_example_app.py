"""The example app, started for real with uvicorn: the README's quick start works end to end."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from .services import stop_process

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_ORIGIN = "http://localhost:8000"  # the example's default BETTER_AUTH_URL
COOKIE = "better-auth.session_token"  # no __Secure- prefix: the base URL is http


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the example app exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the example app did not answer within 30 s:\n{log.read_text()}")


def session_cookie(response: httpx.Response) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.split("=", 1)[0] == COOKIE]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


@pytest.mark.slow
def test_example_app_sign_up_to_sign_out(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith("BETTER_AUTH_") and key.upper() not in ("DATABASE_URL", "AUTH_SECRET")
    }
    env.update(PYTHONPATH=str(REPO), DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'ex.db'}")
    log = tmp_path / "uvicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "example_app.main:app", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(process, base_url, log)
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
    finally:
        stop_process(process, timeout=10)
