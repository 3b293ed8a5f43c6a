"""better-auth's own JS client (1.7.25, with its `twoFactorClient`, `usernameClient` and `jwtClient` plugins) against
our server, started for real with uvicorn and the plugins switched on from settings alone: sign-up with a username, a
JWT verified by jose against the client's `jwks()`, two-factor set up, then sign-ins completed with an authenticator
code and with a backup code
(tests/node_app/client_plugins.mjs)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from ..node_packages import node_and_npm
from ..services import stop_process
from ..test_example_app import REPO, free_port, wait_until_up
from .node import NODE_APP


@pytest.mark.slow
def test_better_auths_js_client_signs_in_with_two_factor(tmp_path: Path) -> None:
    node, npm = node_and_npm("better-auth's JS client")
    client_folder = NODE_APP.install(npm)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.upper().startswith("BETTER_AUTH_")}
    env.update(
        PYTHONPATH=str(REPO),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}",
        BETTER_AUTH_URL=base_url,
        BETTER_AUTH_SECRET=secrets.token_urlsafe(32),
        BETTER_AUTH_ENVIRONMENT="production",
        BETTER_AUTH_PLUGINS__TWO_FACTOR__ENABLED="true",
        BETTER_AUTH_PLUGINS__USERNAME__ENABLED="true",
        BETTER_AUTH_PLUGINS__JWT__ENABLED="true",
        BETTER_AUTH_EMAIL__OUTBOX=str(tmp_path / "outbox.jsonl"),
        BETTER_AUTH_RATE_LIMIT__ENABLED="false",  # the script makes more 2FA calls than one client may in 10 s
    )
    log = tmp_path / "uvicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "example_app.main:app", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(server, base_url, log)
        done = subprocess.run(
            [node, "client_plugins.mjs"],
            cwd=client_folder,
            env={**os.environ, "AUTH_BASE_URL": f"{base_url}/api/auth"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        stop_process(server, timeout=10)
    report = done.stdout + done.stderr
    assert done.returncode == 0, f"{report}\n--- server log ---\n{log.read_text()[-3000:]}"
    assert "7 passed, 0 failed" in report, report
