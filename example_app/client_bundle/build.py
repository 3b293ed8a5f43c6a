"""Build better-auth's JS client bundle: `entry.mjs` and its pinned npm packages, bundled by esbuild into one ES
module in the cache folder (nothing is written into the repository)."""

from __future__ import annotations

import fcntl
import subprocess
from pathlib import Path

from .npm_cache import NpmPackage, NpmUnavailable, content_hash, node_and_npm

SOURCE = Path(__file__).resolve().parent
BUNDLE_NAME = "better-auth-client.js"
PACKAGE = NpmPackage(
    SOURCE, f"example-client-bundle-{content_hash(SOURCE, ('entry.mjs',))}", ("entry.mjs",), "better-auth's client"
)


def bundle_file() -> Path:
    """Where the bundle is (or will be) built; it exists only once `build_bundle()` has run."""
    return PACKAGE.cache_dir() / BUNDLE_NAME


def build_bundle() -> Path:
    """The bundle's path, building it first when missing (npm install once, then esbuild, ~1 s). Raises
    `NpmUnavailable` when Node.js or the packages are missing."""
    target = bundle_file()
    if target.is_file():
        return target
    _node, npm = node_and_npm("building better-auth's JS client bundle")
    folder = PACKAGE.install(npm)
    with (folder / ".build-lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file():
            return target
        partial = target.with_suffix(".partial.js")
        command = [
            str(folder / "node_modules" / ".bin" / "esbuild"),
            "entry.mjs",
            "--bundle",
            "--format=esm",
            "--platform=browser",
            "--minify",
            "--legal-comments=none",
            f"--outfile={partial.name}",
        ]
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise NpmUnavailable(f"esbuild failed to bundle better-auth's client: {done.stderr.strip()[:500]}")
        partial.replace(target)
    return target
