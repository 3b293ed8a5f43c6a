#!/usr/bin/env python3
"""The README's two commands, with nothing but Python >= 3.11 installed:

    python3 tasks.py example      # install everything into .venv, create the SQLite schema, run the example app
    python3 tasks.py test         # install everything into .venv, then ruff, mypy --strict, the whole test suite
                                  # and the better-auth conformance kit against the example app
    python3 tasks.py conformance  # the conformance kit alone (extra arguments go to conformance/run.py)

Extra arguments after `test` go to pytest (`python3 tasks.py test -k sign_in`, `-m resilience`, `-n 0` to run in one
process) and then skip the conformance kit; after `example`, they go to uvicorn. Tests run in parallel, one
pytest-xdist worker per CPU (README: Development).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


# One worker per CPU (at most 8: each holds a PostgreSQL database, a Redis database of the 15 shared by every run on
# the machine, and its own OpenID provider). `loadgroup` keeps the resilience tests together on one worker. A later
# `-n` on the command line wins.
PARALLEL = ("-n", "auto", "--maxprocesses", "8", "--dist", "loadgroup")


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env=env)


def install() -> None:
    if sys.version_info < (3, 11):
        raise SystemExit(f"Python >= 3.11 is needed, this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")


def example(args: list[str]) -> None:
    install()
    env = {**os.environ}
    env.setdefault("BETTER_AUTH_ENVIRONMENT", "development")
    run(PYTHON, "-m", "fastapi_betterauth", "migrate", env=env)
    if shutil.which("npm"):  # better-auth's JS client for the site's client page; the rest works without Node
        subprocess.run([str(PYTHON), "-m", "example_app.client_bundle"], cwd=ROOT, check=False)
    run(PYTHON, "-m", "uvicorn", "example_app.main:app", *(args or ["--port", "8000"]), env=env)


def ensure_chromium() -> None:
    """The browser tests drive the system's Chromium. On Debian/Ubuntu run as root (CI, fresh machines), install the
    `chromium` package when it is missing; elsewhere say how, and let the browser tests skip (or fail in CI)."""
    if any(Path(p).is_file() for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")):
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", "chromium", env=env)
    else:
        print("! Chromium is missing: install your system's chromium package for the browser tests", flush=True)


def test(args: list[str]) -> None:
    install()
    ensure_chromium()
    run(PYTHON, "-m", "ruff", "check", ".")
    run(PYTHON, "-m", "ruff", "format", "--check", ".")
    run(PYTHON, "-m", "mypy", "fastapi_betterauth")
    run(PYTHON, "-m", "pytest", *PARALLEL, *args)
    if not args:
        run(PYTHON, "conformance/run.py")


def conformance(args: list[str]) -> None:
    install()
    run(PYTHON, "conformance/run.py", *args)


def main() -> None:
    commands = {"example": example, "test": test, "conformance": conformance}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        raise SystemExit(__doc__)
    try:
        commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        raise SystemExit(exc.returncode) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
