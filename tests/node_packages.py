"""Test servers that run on Node (tests/idp/, tests/node_app/): their pinned npm packages, installed once into a cache
folder outside the repository, and what to do when Node is missing.

`NodePackage(source, cache_name, ...).install(npm)` copies `source`'s package.json, package-lock.json (and .npmrc,
if any) to `$XDG_CACHE_HOME/fastapi-betterauth/<cache_name>` (default `~/.cache/...`), runs `npm ci` there once
(again only when those files change), and copies the scripts next to node_modules on every run. An exclusive file
lock keeps parallel sessions (pytest-xdist workers, two checkouts) from installing into one folder at the same time.
Without Node/npm, or when the packages cannot be installed (no registry and no cache), the requesting test skips with
the reason, or fails with REQUIRE_SERVICES=1, like the other services (tests/services.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .services import REQUIRE_SERVICES

INSTALL_TIMEOUT = 300.0
_INSTALL_FILES = ("package.json", "package-lock.json", ".npmrc")


def unavailable(message: str) -> None:
    """Skip (locally) or fail (REQUIRE_SERVICES=1) the requesting test because a Node server cannot run."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
    pytest.skip(f"{message} (set REQUIRE_SERVICES=1 to make this a failure)")


def node_and_npm(purpose: str) -> tuple[str, str]:
    """The `node` and `npm` executables, or skip/fail naming what they were needed for."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable(f"Node.js (`node` and `npm` on PATH) is needed for {purpose}")
    assert node is not None
    assert npm is not None
    return node, npm


def content_hash(source: Path) -> str:
    """A short digest of the install files: a cache folder name that changes whenever they do."""
    digest = hashlib.sha256()
    for name in _INSTALL_FILES:
        if (source / name).is_file():
            digest.update(name.encode() + b"\0" + (source / name).read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class NodePackage:
    """A folder of pinned npm dependencies (exact versions in package.json, plus its lock file) and scripts."""

    source: Path
    cache_name: str
    scripts: tuple[str, ...]
    what: str
    """Named in messages: "oidc-provider", "better-auth"."""

    @property
    def install_files(self) -> tuple[str, ...]:
        return tuple(name for name in _INSTALL_FILES if (self.source / name).is_file())

    def cache_dir(self) -> Path:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "fastapi-betterauth" / self.cache_name

    def installed(self, folder: Path) -> bool:
        """node_modules holds every pinned dependency, installed from the current install files."""
        pinned: dict[str, str] = json.loads((self.source / "package.json").read_text())["dependencies"]
        for name, version in pinned.items():
            manifest = folder / "node_modules" / name / "package.json"
            if not manifest.is_file() or json.loads(manifest.read_text()).get("version") != version:
                return False
        return all(
            (folder / name).is_file() and (folder / name).read_bytes() == (self.source / name).read_bytes()
            for name in self.install_files
        )

    def install(self, npm: str) -> Path:
        """The cache folder with node_modules installed (once) and the current scripts."""
        folder = self.cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self.installed(folder):
                self._npm_ci(npm, folder)
            for script in self.scripts:
                source, target = self.source / script, folder / script
                if not target.is_file() or target.read_bytes() != source.read_bytes():
                    shutil.copyfile(source, target)
        return folder

    def _npm_ci(self, npm: str, folder: Path) -> None:
        shutil.rmtree(folder / "node_modules", ignore_errors=True)
        for name in self.install_files:
            shutil.copyfile(self.source / name, folder / name)
        command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        try:
            done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            unavailable(f"`npm ci` of {self.what} did not finish within {INSTALL_TIMEOUT:.0f}s in {folder}")
        if done.returncode != 0:
            # Leave no half-installed tree that `installed` could take for a good one.
            shutil.rmtree(folder / "node_modules", ignore_errors=True)
            errors = [line for line in done.stderr.splitlines() if not line.startswith("npm warn")]
            unavailable(f"`npm ci` of {self.what} failed in {folder}: " + "\n".join(errors[:4]))


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
