"""Pinned npm packages installed once into a cache folder outside the repository.

`NpmPackage(source, cache_name, scripts, what).install(npm)` copies `source`'s package.json, package-lock.json (and
.npmrc) to `$XDG_CACHE_HOME/fastapi-betterauth/<cache_name>` (default `~/.cache/...`), runs `npm ci` there once (again
only when those files change), and copies the listed scripts next to node_modules on every call. An exclusive file
lock keeps parallel processes (pytest-xdist workers, two checkouts) from installing into one folder at the same time.
Failures raise `NpmUnavailable` with the reason; the tests turn it into a skip, or a failure in CI.

Used by the example site's client bundle and by the test servers that run on Node (tests/node_packages.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

INSTALL_TIMEOUT = 300.0
INSTALL_FILES = ("package.json", "package-lock.json", ".npmrc")


class NpmUnavailable(RuntimeError):
    """Node.js or npm is missing, or the pinned packages could not be installed."""


def node_and_npm(purpose: str) -> tuple[str, str]:
    """The `node` and `npm` executables, or `NpmUnavailable` naming what they were needed for."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise NpmUnavailable(f"Node.js (`node` and `npm` on PATH) is needed for {purpose}")
    return node, npm


def content_hash(source: Path, extra: Iterable[str] = ()) -> str:
    """A short digest of the install files (and `extra` files): a cache folder name that changes whenever they do."""
    digest = hashlib.sha256()
    for name in (*INSTALL_FILES, *extra):
        if (source / name).is_file():
            digest.update(name.encode() + b"\0" + (source / name).read_bytes())
    return digest.hexdigest()[:12]


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fastapi-betterauth"


@dataclass(frozen=True)
class NpmPackage:
    """A folder of pinned npm dependencies (exact versions in package.json, plus its lock file) and scripts."""

    source: Path
    cache_name: str
    scripts: tuple[str, ...]
    what: str
    """Named in messages: "oidc-provider", "better-auth"."""

    @property
    def install_files(self) -> tuple[str, ...]:
        return tuple(name for name in INSTALL_FILES if (self.source / name).is_file())

    def cache_dir(self) -> Path:
        return cache_root() / self.cache_name

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
            raise NpmUnavailable(
                f"`npm ci` of {self.what} did not finish within {INSTALL_TIMEOUT:.0f}s in {folder}"
            ) from None
        if done.returncode != 0:
            # Leave no half-installed tree that `installed` could take for a good one.
            shutil.rmtree(folder / "node_modules", ignore_errors=True)
            errors = [line for line in done.stderr.splitlines() if not line.startswith("npm warn")]
            raise NpmUnavailable(f"`npm ci` of {self.what} failed in {folder}: " + "\n".join(errors[:4]))
