#!/usr/bin/env python3
"""The packaging check of `python3 tasks.py test` (README "Development"): what a user gets from PyPI works.

Builds the sdist and, from it, the wheel (no build isolation, so no network), checks that they hold what users need
(the Alembic chain, py.typed, the data files, the license), installs the wheel (not editable) into a clean temporary
venv, and with that installed package alone runs `--version`, `migrate` and `info` on a temporary SQLite database and
a real sign-up through an app built as the README's quick start builds it. Any failure ends it with a message and a
non-zero status.

The wheel's dependencies come from a wheel cache in `.venv/wheelhouse`: filled from the package indexes (or pip's
cache) the first time, read offline afterwards.

    .venv/bin/python scripts/check_package.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import time
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = ROOT / ".venv" / "wheelhouse"
PACKAGE = "fastapi_betterauth"
WHEEL_DATA = ("py.typed", "crypto/common_passwords.txt", "migrations/env.py", "migrations/script.py.mako")
REPOSITORY_ONLY = {"tests", "conformance", "bench", "example_app", ".venv"}
SDIST_FILES = ("pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", f"{PACKAGE}/py.typed", "migrations/env.py")


class PackageCheckError(Exception):
    """The built distributions, or the installed wheel, lack what users need."""


def build(outdir: Path) -> tuple[Path, Path]:
    """Build the sdist and, from the unpacked sdist, the wheel into `outdir`; return (wheel, sdist)."""
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", outdir, ROOT, quiet=True)
    wheels, sdists = sorted(outdir.glob("*.whl")), sorted(outdir.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        raise PackageCheckError(f"expected one wheel and one sdist in {outdir}, found {wheels + sdists}")
    return wheels[0], sdists[0]


def check_contents(wheel: Path, sdist: Path) -> None:
    """The wheel holds the package with every migration of the checkout, its data files and the license; the sdist
    holds what builds that wheel. Raises `PackageCheckError` naming what is missing."""
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
    migrations = ROOT / "migrations"
    needed = [f"{PACKAGE}/{name}" for name in WHEEL_DATA]
    needed += [
        f"{PACKAGE}/migrations/{path.relative_to(migrations).as_posix()}"
        for path in sorted(migrations.rglob("*.py"))
        if "__pycache__" not in path.parts
    ]
    needed += [f"{PACKAGE}/{path.relative_to(ROOT / PACKAGE).as_posix()}" for path in _plugin_migrations()]
    missing = [name for name in needed if name not in in_wheel]
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in in_wheel):
        missing.append("*.dist-info/licenses/LICENSE")
    if missing:
        raise PackageCheckError(f"the wheel {wheel.name} lacks: {', '.join(missing)}")
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    missing = [name for name in SDIST_FILES if name not in in_sdist]
    stray = sorted({name.split("/")[0] for name in in_sdist} & REPOSITORY_ONLY)
    if missing or stray:
        raise PackageCheckError(f"the sdist {sdist.name} lacks {missing or 'nothing'}, holds {stray or 'nothing'}")


def _plugin_migrations() -> list[Path]:
    """Revision files kept inside the package (a plugin's own branch), which the wheel ships as they are."""
    package = ROOT / PACKAGE
    return [path for path in sorted(package.rglob("*.py")) if "versions" in path.relative_to(package).parts]


def install(wheel: Path, target: Path) -> Path:
    """A clean venv at `target` with `wheel` installed (not editable) and its dependencies; returns its python."""
    venv.create(target, with_pip=False)
    python = target / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    offline = ("--no-compile", "--no-index", "--find-links", WHEELHOUSE)  # no .pyc: half the time on a busy machine
    pip = (sys.executable, "-m", "pip", "--python", python)
    try:
        _run(*pip, "install", "--quiet", *offline, wheel, quiet=True)
    except PackageCheckError:
        # A dependency not yet in the wheel cache: fetch them all once (pip's cache makes this quick), then offline.
        _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", WHEELHOUSE, wheel, quiet=True)
        for own in WHEELHOUSE.glob(f"{PACKAGE}_kit-*.whl"):
            own.unlink()
        _run(*pip, "install", "--quiet", *offline, wheel)
    return python


SMOKE = """
import asyncio
import contextlib
import io
import sys
from importlib import metadata, resources
from pathlib import Path

from fastapi import FastAPI

import fastapi_betterauth
from fastapi_betterauth import AuthSettings, BetterAuth, CurrentUser
from fastapi_betterauth.cli import main as cli
from fastapi_betterauth.db.migrate import migrations_path
from fastapi_betterauth.testing import auth_client, sign_up

venv = Path(sys.prefix).resolve()
assert Path(fastapi_betterauth.__file__).resolve().is_relative_to(venv), fastapi_betterauth.__file__
assert migrations_path().resolve().is_relative_to(venv), migrations_path()
assert resources.files("fastapi_betterauth").joinpath("py.typed").is_file()
assert fastapi_betterauth.__version__ == metadata.version("fastapi-betterauth-kit"), fastapi_betterauth.__version__


def run(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            code = cli(list(args))
        except SystemExit as exit:
            code = exit.code
    print(out.getvalue(), end="")
    assert code in (0, None), f"{args} exited with {code}"
    return out.getvalue()


assert "fastapi-betterauth-kit " + fastapi_betterauth.__version__ in run("--version")
run("migrate")
assert "up to date" in run("info")

auth = BetterAuth(AuthSettings())
app = FastAPI(lifespan=auth.lifespan, exception_handlers=auth.exception_handlers)
app.include_router(auth.router, prefix="/api/auth")


@app.get("/me")
async def me(user: CurrentUser) -> dict[str, str]:
    return {"email": user.email}


async def sign_ups() -> None:
    async with auth_client(app, auth) as client:
        response = await client.post(
            "/api/auth/sign-up/email",
            json={"name": "Ann", "email": "ann@example.com", "password": "correct horse battery staple"},
        )
        assert response.status_code == 200, response.text
        assert "better-auth.session_token=" in response.headers.get("set-cookie", ""), response.headers
        assert (await client.get("/me")).json() == {"email": "ann@example.com"}
        await sign_up(client, "bob@example.com")
    print("signed up on the installed package")


asyncio.run(sign_ups())
"""


def smoke(python: Path, workdir: Path) -> None:
    """With the installed package alone (the checkout is not importable from `workdir`): the `fastapi-betterauth`
    script exists; --version, migrate and info (the CLI's `main`, in one process: a start-up of the package costs
    seconds on a busy machine) on a fresh SQLite database; a sign-up through an app built as the README's quick
    start builds it sets a session cookie."""
    script = python.parent / ("fastapi-betterauth.exe" if os.name == "nt" else "fastapi-betterauth")
    if not script.is_file():
        raise PackageCheckError(f"the wheel installed no {script.name} script")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'auth.db'}",
        "BETTER_AUTH_SECRET": "packaging-check-" + "x7Qz" * 8,
        "BETTER_AUTH_URL": "http://localhost:8000",
        "BETTER_AUTH_ENVIRONMENT": "production",
        "BETTER_AUTH_EMAIL__OUTBOX": str(workdir / "outbox.jsonl"),
    }
    (workdir / "smoke.py").write_text(SMOKE)
    _run(python, "smoke.py", cwd=workdir, env=env)


def _run(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None, quiet: bool = False) -> str:
    """Run a command; its output (stdout and stderr) on success, `PackageCheckError` with that output otherwise."""
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise PackageCheckError(f"`{' '.join(str(a) for a in args)}` failed ({done.returncode}):\n{output}")
    if not quiet and output.strip():
        print("   ", output.strip().replace("\n", "\n    "), flush=True)
    return output


def _step(name: str, started: float) -> None:
    print(f"  {name} ({time.monotonic() - started:.0f} s)", flush=True)


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fastapi-betterauth-package-") as tmp:
        workdir = Path(tmp)
        try:
            wheel, sdist = build(workdir / "dist")
            check_contents(wheel, sdist)
            _step(f"built and checked {sdist.name} and {wheel.name}", started)
            python = install(wheel, workdir / "venv")
            _step("installed the wheel into a clean venv", started)
            smoke(python, workdir)
        except PackageCheckError as error:
            print(f"PACKAGING CHECK FAILED: {error}", file=sys.stderr)
            return 1
    print(f"packaging check passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
