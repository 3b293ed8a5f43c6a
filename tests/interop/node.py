"""The Node side of the interop tests: tests/node_app/server.mjs, real better-auth 1.7.25 with its api-key plugin.

The pinned packages are installed once into `$XDG_CACHE_HOME/fastapi-betterauth/node-better-auth-<hash of the
install files>` (tests/node_packages.py). One Node process serves every better-auth instance a test session needs,
each on its own loopback port; before they listen, better-auth's own migrator runs on the databases in `migrate` and
its plans are reported.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic
from typing import Any

import pytest

from ..node_packages import NodePackage, content_hash, node_and_npm, wait_for_line
from ..services import stop_process

NODE_APP_SOURCE = Path(__file__).parents[1] / "node_app"
NODE_APP = NodePackage(
    NODE_APP_SOURCE,
    f"node-better-auth-{content_hash(NODE_APP_SOURCE)}",
    (
        "server.mjs",
        "schema.mjs",
        "client_support.mjs",
        "client_plugins.mjs",
        "client_admin.mjs",
        "client_organization.mjs",
        "passwordless_client.mjs",
    ),
    "better-auth",
)
START_TIMEOUT = 30.0
_READY = re.compile(rb"^READY (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class NodeAppConfig:
    """One better-auth instance: its database, its secret (or versioned secrets, newest first) and its cookie cache
    (None: off; else better-auth's `session.cookieCache`, e.g. `{"strategy": "jwe", "maxAge": 300}`)."""

    name: str
    database_url: str
    secret: str | None = None
    secrets: Sequence[tuple[int, str]] = ()
    cookie_cache: dict[str, Any] | None = None
    store_hashed: bool = False
    """Magic-link tokens and email codes stored hashed (`storeToken` / `storeOTP: "hashed"`) rather than plain."""

    def as_json(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "name": self.name,
            "databaseUrl": self.database_url,
            "cookieCache": self.cookie_cache,
            "storeHashed": self.store_hashed,
        }
        if self.secrets:
            config["secrets"] = [{"version": version, "value": value} for version, value in self.secrets]
        else:
            config["secret"] = self.secret
        return config


@dataclass(frozen=True)
class NodeApps:
    """The running instances' base URLs by name, and better-auth's migration plan for each migrated database."""

    urls: dict[str, str]
    migrations: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: Path | None = None

    def log_tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log is not None else ""


def _environment(config: dict[str, Any]) -> dict[str, str]:
    # better-auth reads BETTER_AUTH_SECRET(S) and friends from the environment: only NODE_APPS may configure it.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith(("BETTER_AUTH_", "AUTH_SECRET", "DATABASE_URL")) and key != "TEST"
    }
    # Never "test": better-auth then skips its origin checks. Rate limits are off in the options instead.
    env.update(NODE_ENV="production", NODE_APPS=json.dumps(config))
    return env


@contextmanager
def run_node_apps(apps: Sequence[NodeAppConfig], migrate: Sequence[str], log: Path, outbox: Path) -> Iterator[NodeApps]:
    """Start server.mjs with `apps` (better-auth's migrator first runs on the `migrate` database URLs; the apps mail
    their verification links to `outbox`); stop it at the end. Skips (or fails with REQUIRE_SERVICES=1) without
    Node, npm or the packages."""
    node, npm = node_and_npm("the Node better-auth app of the interop tests")
    folder = NODE_APP.install(npm)
    config = {"apps": [app.as_json() for app in apps], "migrate": list(migrate), "outbox": str(outbox)}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [node, "server.mjs"],
            cwd=folder,
            env=_environment(config),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
        )
    try:
        try:
            ready = json.loads(wait_for_line(log, process, _READY, monotonic() + START_TIMEOUT))
        except RuntimeError as error:
            pytest.fail(f"{error}; Node app log:\n{log.read_text()[-3000:]}", pytrace=False)
        yield NodeApps(urls=ready["apps"], migrations=ready["migrations"], log=log)
    finally:
        stop_process(process, timeout=5)
