"""An app started for real under uvicorn in a child process, on a free loopback port, for tests that need a real
HTTP server (the example app's quick start, a browser)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest

from .services import stop_process

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_environment(**overrides: str) -> dict[str, str]:
    """This process's environment without any auth or database setting (so the caller's shell cannot leak into the
    app under test), the repository on `PYTHONPATH`, and `overrides`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith("BETTER_AUTH_") and key.upper() not in ("DATABASE_URL", "AUTH_SECRET")
    }
    env.update(PYTHONPATH=str(REPO), **overrides)
    return env


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    log: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the app did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


@contextmanager
def live_server(
    app: str, workdir: Path, env: Mapping[str, str], *, port: int | None = None, ready_path: str = "/"
) -> Iterator[LiveServer]:
    """Run `uvicorn <app>` (e.g. `example_app.main:app`) in `workdir` with exactly `env` until the block ends; its
    output goes to `workdir/uvicorn.log`, shown when it fails to start."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = workdir / "uvicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--port", str(port)],
            cwd=workdir,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(process, base_url + ready_path, log)
        yield LiveServer(base_url, log, process)
    finally:
        stop_process(process)
