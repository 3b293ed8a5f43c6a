"""Test servers that run on Node (tests/idp/, tests/node_app/): their pinned npm packages, installed once into a cache
folder outside the repository (example_app/client_bundle/npm_cache.py), and what to do when Node is missing.

Without Node/npm, or when the packages cannot be installed (no registry and no cache), the requesting test skips with
the reason, or fails with REQUIRE_SERVICES=1, like the other services (tests/services.py).
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from example_app.client_bundle import npm_cache
from example_app.client_bundle.npm_cache import NpmPackage, NpmUnavailable, content_hash

__all__ = ["NodePackage", "content_hash", "node_and_npm", "unavailable", "wait_for_line"]

from .services import unavailable


def node_and_npm(purpose: str) -> tuple[str, str]:
    """The `node` and `npm` executables, or skip/fail naming what they were needed for."""
    try:
        return npm_cache.node_and_npm(purpose)
    except NpmUnavailable as exc:
        unavailable(str(exc))


class NodePackage(NpmPackage):
    """An `NpmPackage` whose failed install skips the requesting test (or fails it in CI)."""

    def install(self, npm: str) -> Path:
        try:
            return super().install(npm)
        except NpmUnavailable as exc:
            unavailable(str(exc))


def wait_for_line(log: Path, process: subprocess.Popen[bytes], pattern: re.Pattern[bytes], deadline: float) -> bytes:
    """The first match of `pattern` in a server's log, as soon as it appears; RuntimeError when the server exits or
    `deadline` (time.monotonic) passes first."""
    while time.monotonic() < deadline:
        found = pattern.search(log.read_bytes())
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        time.sleep(0.02)
    raise RuntimeError("the server did not report that it is ready")
