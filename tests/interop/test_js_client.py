"""better-auth's own JS client (1.7.25) with its client plugins against our server, started for real with uvicorn
and the plugins switched on from settings alone:

- `twoFactorClient`, `usernameClient` and `jwtClient`: sign-up with a username, a JWT (from `/token` and from
  `set-auth-jwt`) verified by jose against the client's `jwks()`, two-factor set up, then sign-ins completed with an
  authenticator code and with a backup code (tests/node_app/client_plugins.mjs);
- `adminClient`: an admin (made as an operator makes the first one, with `python -m fastapi_betterauth set-role`)
  lists, bans and unbans users, impersonates one and stops, and asks for permissions
  (tests/node_app/client_admin.mjs);
- `magicLinkClient` and `emailOTPClient`: a link followed, codes for sign-in, verification and reset, read from the
  outbox (tests/node_app/passwordless_client.mjs);
- `organizationClient` (teams on): an organization created, a member invited by mail who accepts, roles and
  permissions asked, a team made and joined, the last owner kept (tests/node_app/client_organization.mjs).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest

from ..live_server import REPO, clean_environment, free_port, live_server
from ..node_packages import node_and_npm
from .node import NODE_APP


@dataclass(frozen=True)
class Node:
    executable: str
    folder: Path
    """tests/node_app's install: its node_modules and the client scripts."""


@dataclass(frozen=True)
class RunningApp:
    url: str
    env: dict[str, str]
    """The app's environment: its settings, for `python -m fastapi_betterauth` on the same database."""
    log: Path


@pytest.fixture
def node() -> Node:
    executable, npm = node_and_npm("better-auth's JS client")
    return Node(executable, NODE_APP.install(npm))


@contextmanager
def example_app(tmp_path: Path, settings: dict[str, str]) -> Iterator[RunningApp]:
    """The example app served by uvicorn on a free loopback port, on a fresh SQLite database, configured by the
    environment alone (`settings` on top; rate limits off: a script makes more calls than one client may in 10 s)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}",
        BETTER_AUTH_URL=url,
        BETTER_AUTH_SECRET=secrets.token_urlsafe(32),
        BETTER_AUTH_ENVIRONMENT="production",
        BETTER_AUTH_EMAIL__OUTBOX=str(tmp_path / "outbox.jsonl"),
        BETTER_AUTH_RATE_LIMIT__ENABLED="false",
        **settings,
    )
    with live_server("example_app.main:app", tmp_path, env, port=port) as server:
        yield RunningApp(url, env, server.log)


def run_script(node: Node, app: RunningApp, script: str, **env: str) -> str:
    """Run a client script of tests/node_app against `app`; its report, asserted free of failures."""
    done = subprocess.run(
        [node.executable, script],
        cwd=node.folder,
        env={**os.environ, "AUTH_BASE_URL": f"{app.url}/api/auth", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, f"{report}\n--- server log ---\n{app.log.read_text()[-3000:]}"
    return report


def make_admin(app: RunningApp) -> dict[str, str]:
    """An admin as docs/plugins/admin.md tells operators to make the first one: signed up over HTTP, then given the role
    with `python -m fastapi_betterauth set-role` and the app's environment.
    Its credentials, as the script reads them."""
    email, password = f"admin-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16)
    answer = httpx.post(
        f"{app.url}/api/auth/sign-up/email",
        json={"name": "Admin", "email": email, "password": password},
        headers={"origin": app.url},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    command = [sys.executable, "-m", "fastapi_betterauth", "set-role", email, "admin"]
    done = subprocess.run(command, cwd=REPO, env=app.env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return {"AUTH_ADMIN_EMAIL": email, "AUTH_ADMIN_PASSWORD": password}


@pytest.mark.slow
def test_better_auths_js_client_signs_in_with_two_factor(node: Node, tmp_path: Path) -> None:
    settings = {
        "BETTER_AUTH_PLUGINS__TWO_FACTOR__ENABLED": "true",
        "BETTER_AUTH_PLUGINS__USERNAME__ENABLED": "true",
        "BETTER_AUTH_PLUGINS__JWT__ENABLED": "true",
    }
    with example_app(tmp_path, settings) as app:
        report = run_script(node, app, "client_plugins.mjs")
    assert "7 passed, 0 failed" in report, report


@pytest.mark.slow
def test_better_auths_admin_client_manages_users(node: Node, tmp_path: Path) -> None:
    with example_app(tmp_path, {"BETTER_AUTH_PLUGINS__ADMIN__ENABLED": "true"}) as app:
        report = run_script(node, app, "client_admin.mjs", **make_admin(app))
    assert "6 passed, 0 failed" in report, report


@pytest.mark.slow
def test_better_auths_js_client_signs_in_with_magic_links_and_email_codes(node: Node, tmp_path: Path) -> None:
    settings = {"BETTER_AUTH_PLUGINS__MAGIC_LINK__ENABLED": "true", "BETTER_AUTH_PLUGINS__EMAIL_OTP__ENABLED": "true"}
    with example_app(tmp_path, settings) as app:
        report = run_script(node, app, "passwordless_client.mjs", OUTBOX=app.env["BETTER_AUTH_EMAIL__OUTBOX"])
    assert "6 passed, 0 failed" in report, report


@pytest.mark.slow
def test_better_auths_organization_client_creates_invites_and_accepts(node: Node, tmp_path: Path) -> None:
    settings = {
        "BETTER_AUTH_PLUGINS__ORGANIZATION__ENABLED": "true",
        "BETTER_AUTH_PLUGINS__ORGANIZATION__TEAMS__ENABLED": "true",
    }
    with example_app(tmp_path, settings) as app:
        report = run_script(node, app, "client_organization.mjs", OUTBOX=app.env["BETTER_AUTH_EMAIL__OUTBOX"])
    assert "6 passed, 0 failed" in report, report
