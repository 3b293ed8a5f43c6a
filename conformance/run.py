#!/usr/bin/env python3
"""Run the better-auth conformance kit against the example app, in every profile CI checks.

    python3 conformance/run.py                      # every profile (what `python3 tasks.py test` runs last)
    python3 conformance/run.py --profile postgres   # one or more profiles (repeat the flag)
    python3 conformance/run.py -- -k sign_in -x     # extra arguments go to the kit's pytest

Each profile starts the example app under uvicorn on a free loopback port, configured as the kit expects (short
session timers, a file outbox, bearer tokens, API-key sessions, delete-user, rate limiting with the loopback as a
trusted proxy so the kit's per-client `X-Forwarded-For` counts), runs the kit's `run.sh` against it with
`-m "not deviation and not quirk"`, and stops it. Profiles run a few at a time; a profile's log is printed only when
it fails. The kit is `conformance/kit` (a copy of the calibration suite, see conformance/README.md), or the folder in
`CONFORMANCE_KIT`.

Its Python dependencies and better-auth's JS client (npm) are installed once into a cache folder outside the
repository (`$XDG_CACHE_HOME/fastapi-betterauth/`, default `~/.cache/...`). A profile whose service (PostgreSQL,
Redis, Node.js) is missing is skipped with the reason, or fails when `REQUIRE_SERVICES=1` (as in CI).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.services import (  # noqa: E402
    MARIADB_HOST,
    MARIADB_PORT,
    REDIS_DBS,
    REDIS_HOST,
    REDIS_PORT,
    RedisLease,
    mariadb_url,
    new_mariadb_database,
)

KIT = Path(os.environ.get("CONFORMANCE_KIT") or ROOT / "conformance" / "kit")
PYTHON = sys.executable
"""The project's environment (run this script with it: the example app runs on the same interpreter)."""
BETTER_AUTH_VERSION = "1.7.25"
SELECTION = "not deviation and not quirk"
IDENTITY_ISSUER = "Acceptance Identity"
IDENTITY_APP_NAME = "ba-identity-reference"

POSTGRES = ("127.0.0.1", int(os.environ.get("TEST_POSTGRES_PORT", "5432")))
REDIS = (REDIS_HOST, REDIS_PORT)

# What the kit's README asks of the server, and the same values told to the kit.
TIMERS = {"expires_in": 12, "update_age": 4, "fresh_age": 6}
COOKIE_CACHE_MAX_AGE = 5
PASSWORDLESS_EXPIRES_IN = 6
"""Magic links and email codes expire this fast, so the kit's expiry tests wait it out (as its reference run)."""
EXTRA_TRUSTED_ORIGIN = "http://app.example.test"
INVITATION_EXPIRES_IN = 4
"""The expiry pass of the organization kit: invitations expire this fast, so its `invitation_expiry` tests wait."""
DEFAULT_SESSION = {
    "BETTER_AUTH_SESSION__EXPIRES_IN": "604800",
    "BETTER_AUTH_SESSION__UPDATE_AGE": "86400",
    "BETTER_AUTH_SESSION__FRESH_AGE": "86400",
}
ORGANIZATION_SERVER = {
    "BETTER_AUTH_PLUGINS__ORGANIZATION__ENABLED": "true",
    "BETTER_AUTH_PLUGINS__ORGANIZATION__TEAMS__ENABLED": "true",
}


@dataclass(frozen=True)
class Profile:
    name: str
    group: str = "core"
    """The kit's folder of tests: `core`, or a plugin group (`plugins/<group>`) once the app serves its plugins."""
    server_env: dict[str, str] = field(default_factory=dict)
    kit_env: dict[str, str] = field(default_factory=dict)
    tests: tuple[str, ...] = ()
    """Test files of the kit to run (all when empty)."""
    client_interop: bool = False
    """Also run better-auth's own JS client against the server."""
    needs: tuple[str, ...] = ()
    """Services: "postgres", "mariadb", "redis"."""
    selection: str = SELECTION
    """The kit's tests run (`-m`): better-auth's quirks and our deliberate deviations are left out."""
    admin: bool = False
    """Sign up a user and give it the role `admin` (the `set-role` command), for the kit's admin tests."""


def _cookie_cache(strategy: str) -> Profile:
    return Profile(
        f"cookie-cache-{strategy}",
        server_env={
            "BETTER_AUTH_SESSION__COOKIE_CACHE__ENABLED": "true",
            "BETTER_AUTH_SESSION__COOKIE_CACHE__MAX_AGE": str(COOKIE_CACHE_MAX_AGE),
            "BETTER_AUTH_SESSION__COOKIE_CACHE__STRATEGY": strategy,
        },
        kit_env={
            "AUTH_COOKIE_CACHE": "1",
            "AUTH_COOKIE_CACHE_MAX_AGE": str(COOKIE_CACHE_MAX_AGE),
            "AUTH_COOKIE_CACHE_STRATEGY": strategy,
        },
        tests=("tests/test_cookie_cache.py",),
    )


PROFILES = {
    profile.name: profile
    for profile in (
        Profile("sqlite", client_interop=True),
        Profile("postgres", needs=("postgres",)),
        Profile("mariadb", needs=("mariadb",)),
        Profile("redis", needs=("redis",)),
        _cookie_cache("compact"),
        _cookie_cache("jwt"),
        _cookie_cache("jwe"),
        Profile(
            "identity",
            group="plugins/identity",
            server_env={
                "BETTER_AUTH_PLUGINS__TWO_FACTOR__ENABLED": "true",
                "BETTER_AUTH_PLUGINS__TWO_FACTOR__ISSUER": IDENTITY_ISSUER,
                "BETTER_AUTH_PLUGINS__ADMIN__ENABLED": "true",
                "BETTER_AUTH_PLUGINS__USERNAME__ENABLED": "true",
                "BETTER_AUTH_EMAIL__APP_NAME": IDENTITY_APP_NAME,
                # The kit signs in and guesses codes far more often than the plugins' rules allow one client.
                "BETTER_AUTH_RATE_LIMIT__ENABLED": "false",
            },
            kit_env={"AUTH_2FA_ISSUER": IDENTITY_ISSUER, "AUTH_APP_NAME": IDENTITY_APP_NAME},
            selection="not quirk",  # this group marks no deviations
            admin=True,
        ),
        Profile(
            "passwordless",
            group="plugins/passwordless-jwt",
            server_env={
                "BETTER_AUTH_PLUGINS__MAGIC_LINK__ENABLED": "true",
                "BETTER_AUTH_PLUGINS__MAGIC_LINK__EXPIRES_IN": str(PASSWORDLESS_EXPIRES_IN),
                "BETTER_AUTH_PLUGINS__EMAIL_OTP__ENABLED": "true",
                "BETTER_AUTH_PLUGINS__EMAIL_OTP__EXPIRES_IN": str(PASSWORDLESS_EXPIRES_IN),
                "BETTER_AUTH_TRUSTED_ORIGINS": EXTRA_TRUSTED_ORIGIN,
            },
            kit_env={
                "AUTH_MAGIC_LINK_EXPIRES_IN": str(PASSWORDLESS_EXPIRES_IN),
                "AUTH_OTP_EXPIRES_IN": str(PASSWORDLESS_EXPIRES_IN),
                "AUTH_TRUSTED_ORIGIN": EXTRA_TRUSTED_ORIGIN,
            },
            tests=("tests/test_magic_link.py", "tests/test_email_otp.py"),
            selection="not quirk and not signup_disabled",
        ),
        Profile(
            "jwt",
            group="plugins/passwordless-jwt",
            # The kit's server has no bearer plugin: get-session must send set-auth-jwt and no set-auth-token.
            server_env={"BETTER_AUTH_PLUGINS__JWT__ENABLED": "true", "BETTER_AUTH_BEARER__ENABLED": "false"},
            tests=("tests/test_jwt.py",),
            selection="not quirk",
        ),
        Profile(
            "organization",
            group="plugins/organization",
            # The kit's default session (7 days): it checks the Max-Age of the cookie set-active re-sends.
            server_env={**ORGANIZATION_SERVER, **DEFAULT_SESSION},
            kit_env={"AUTH_SESSION_EXPIRES_IN": DEFAULT_SESSION["BETTER_AUTH_SESSION__EXPIRES_IN"]},
            selection="not quirk",
        ),
        Profile(
            "organization-expiry",
            group="plugins/organization",
            server_env={
                **ORGANIZATION_SERVER,
                **DEFAULT_SESSION,
                "BETTER_AUTH_PLUGINS__ORGANIZATION__INVITATION_EXPIRES_IN": str(INVITATION_EXPIRES_IN),
            },
            kit_env={
                "AUTH_SESSION_EXPIRES_IN": DEFAULT_SESSION["BETTER_AUTH_SESSION__EXPIRES_IN"],
                "AUTH_ORG_INVITATION_EXPIRES_IN": str(INVITATION_EXPIRES_IN),
            },
            selection="invitation_expiry and not quirk",
        ),
    )
}


class Unavailable(Exception):
    """A service or tool a profile needs is missing."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="append", choices=sorted(PROFILES), help="run only these profiles")
    parser.add_argument("--parallel", type=int, default=int(os.environ.get("CONFORMANCE_PARALLEL", "3")))
    parser.add_argument("pytest_args", nargs="*", help="after --: arguments for the kit's pytest")
    args = parser.parse_args()
    profiles = [PROFILES[name] for name in (args.profile or PROFILES)]
    required = os.environ.get("REQUIRE_SERVICES") == "1"
    for group in {profile.group for profile in profiles}:
        if not (KIT / group / "run.sh").is_file() and not (KIT / group / "tests").is_dir():
            raise SystemExit(f"the conformance kit is missing: no {group}/run.sh or {group}/tests under {KIT}")

    started = time.monotonic()
    try:
        tools = prepare_tools(client_interop=any(p.client_interop for p in profiles))
    except Unavailable as missing:
        if required:
            raise SystemExit(f"conformance: {missing}") from None
        print(f"conformance: skipped, {missing}")
        return
    with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
        runs = list(pool.map(lambda profile: run_profile(profile, tools, args.pytest_args), profiles))

    failed = False
    for run in runs:
        if run.status == "failed" or (run.status == "skipped" and required):
            failed = True
            print(f"\n===== conformance profile {run.profile}: {run.status} =====\n{run.log}")
    print(f"\nconformance against the example app ({time.monotonic() - started:.0f}s):")
    for run in runs:
        print(f"  {run.profile:<20} {run.status:<8} {run.summary}")
    if failed:
        raise SystemExit(1)


# --- the kit's tools, installed once outside the repository -------------------------------------------------------


@dataclass(frozen=True)
class Tools:
    venv: Path
    client_dir: Path | None


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fastapi-betterauth"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock held across processes (two runs on one machine install once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def prepare_tools(*, client_interop: bool) -> Tools:
    cache = cache_dir()
    requirements = kit_requirements()
    venv = cache / "conformance-venv"
    with locked(cache / "conformance-venv.lock"):
        stamp = venv / "requirements.txt"
        if not stamp.is_file() or stamp.read_text() != requirements:
            shutil.rmtree(venv, ignore_errors=True)
            _run_quietly([PYTHON, "-m", "venv", str(venv)], "creating the kit's venv")
            wanted = venv / "kit-requirements.txt"
            wanted.write_text(requirements)
            _run_quietly(
                [str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(wanted)],
                "installing the kit's Python dependencies",
            )
            stamp.write_text(requirements)
    if not client_interop:
        return Tools(venv, None)
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        raise Unavailable("Node.js (`node` and `npm` on PATH) is needed for better-auth's JS client")
    client = cache / f"better-auth-client-{BETTER_AUTH_VERSION}"
    with locked(cache / f"better-auth-client-{BETTER_AUTH_VERSION}.lock"):
        if not (client / "node_modules" / "better-auth" / "package.json").is_file():
            client.mkdir(parents=True, exist_ok=True)
            (client / "package.json").write_text('{"name": "conformance-client", "private": true}\n')
            _run_quietly(
                [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", f"better-auth@{BETTER_AUTH_VERSION}"],
                f"npm install better-auth@{BETTER_AUTH_VERSION}",
                cwd=client,
            )
    return Tools(venv, client)


def kit_requirements() -> str:
    """The Python requirements of every group of the kit (core and plugins), one venv serving them all."""
    files = [KIT / "core" / "requirements.txt", *sorted(KIT.glob("plugins/*/requirements.txt"))]
    lines = {line.strip() for path in files for line in path.read_text().splitlines()}
    return "".join(f"{line}\n" for line in sorted(lines) if line and not line.startswith("#"))


def _run_quietly(command: list[str], what: str, cwd: Path | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise Unavailable(f"{what} failed: {(done.stderr or done.stdout).strip()[-800:]}")


# --- one profile ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileRun:
    profile: str
    status: str  # passed, failed, skipped
    summary: str
    log: str


def run_profile(profile: Profile, tools: Tools, pytest_args: list[str]) -> ProfileRun:
    with tempfile.TemporaryDirectory(prefix=f"conformance-{profile.name}-") as folder:
        work = Path(folder)
        try:
            with contextlib.ExitStack() as stack:
                server_env = dict(profile.server_env)
                server_env["DATABASE_URL"] = f"sqlite+aiosqlite:///{work / 'auth.db'}"
                if "postgres" in profile.needs:
                    server_env["DATABASE_URL"] = stack.enter_context(postgres_database())
                if "mariadb" in profile.needs:
                    server_env["DATABASE_URL"] = stack.enter_context(mariadb_database())
                if "redis" in profile.needs:
                    server_env["BETTER_AUTH_SECONDARY_STORAGE_URL"] = stack.enter_context(redis_database())
                server = stack.enter_context(example_app(work, server_env))
                kit_env = provision_admin(server) if profile.admin else {}
                return run_kit(profile, tools, server, pytest_args, kit_env)
        except Unavailable as missing:
            return ProfileRun(profile.name, "skipped", str(missing), str(missing))


@dataclass(frozen=True)
class Server:
    url: str
    secret: str
    outbox: Path
    log: Path
    env: dict[str, str]
    """The app's environment: what a command of the package run beside it needs."""


@contextlib.contextmanager
def example_app(work: Path, extra_env: dict[str, str]) -> Iterator[Server]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    secret = secrets.token_urlsafe(32)
    outbox, log = work / "outbox.jsonl", work / "server.log"
    env = {
        **os.environ,
        "BETTER_AUTH_URL": url,
        "BETTER_AUTH_SECRET": secret,
        "BETTER_AUTH_ENVIRONMENT": "production",
        "BETTER_AUTH_EMAIL__OUTBOX": str(outbox),
        "BETTER_AUTH_SESSION__EXPIRES_IN": str(TIMERS["expires_in"]),
        "BETTER_AUTH_SESSION__UPDATE_AGE": str(TIMERS["update_age"]),
        "BETTER_AUTH_SESSION__FRESH_AGE": str(TIMERS["fresh_age"]),
        "BETTER_AUTH_BEARER__ENABLED": "true",
        "BETTER_AUTH_PLUGINS__API_KEY__ENABLED": "true",
        "BETTER_AUTH_PLUGINS__API_KEY__ENABLE_SESSION_FOR_API_KEYS": "true",
        "BETTER_AUTH_PLUGINS__API_KEY__ALLOW_SESSIONS_IN_PRODUCTION": "true",
        "BETTER_AUTH_USER__DELETE_USER__ENABLED": "true",
        "BETTER_AUTH_RATE_LIMIT__ENABLED": "true",
        "BETTER_AUTH_ADVANCED__IP_ADDRESS__TRUSTED_PROXIES": '["127.0.0.1"]',
        **extra_env,
    }
    command = [PYTHON, "-m", "uvicorn", "example_app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"{url}/api/auth/ok", process, log)
        yield Server(url, secret, outbox, log, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the example app exited at start-up:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback, http)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the example app did not answer {url} within {timeout:.0f}s")


def provision_admin(server: Server) -> dict[str, str]:
    """The kit's pre-provisioned admin: signed up over HTTP, then given the role as a deployment would, with
    `python -m fastapi_betterauth set-role`. Its credentials, as the kit reads them."""
    email, password = f"admin-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16)
    body = json.dumps({"name": "Admin", "email": email, "password": password}).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback, http)
        f"{server.url}/api/auth/sign-up/email",
        data=body,
        headers={"content-type": "application/json", "origin": server.url},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        if answer.status != 200:
            raise RuntimeError(f"signing up the kit's admin answered {answer.status}")
    command = [PYTHON, "-m", "fastapi_betterauth", "set-role", email, "admin"]
    done = subprocess.run(command, cwd=ROOT, env=server.env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"set-role failed: {(done.stderr or done.stdout).strip()[-800:]}")
    return {"AUTH_ADMIN_EMAIL": email, "AUTH_ADMIN_PASSWORD": password}


def run_kit(
    profile: Profile, tools: Tools, server: Server, pytest_args: list[str], extra_env: dict[str, str]
) -> ProfileRun:
    env = {
        **os.environ,
        "ACC_VENV": str(tools.venv),
        "AUTH_BASE_URL": f"{server.url}/api/auth",
        "AUTH_ORIGIN": server.url,
        "OUTBOX": str(server.outbox),
        "AUTH_SECRET": server.secret,
        "AUTH_SESSION_EXPIRES_IN": str(TIMERS["expires_in"]),
        "AUTH_SESSION_UPDATE_AGE": str(TIMERS["update_age"]),
        "AUTH_SESSION_FRESH_AGE": str(TIMERS["fresh_age"]),
        "AUTH_RATE_LIMIT": "1",
        "AUTH_API_KEY_SESSIONS": "1",
        "AUTH_BEARER": "1",
        "AUTH_DELETE_USER": "1",
        # A password reset ends every session here by default (docs/security.md L8), as in better-auth with
        # `revokeSessionsOnPasswordReset: true`: the kit's flag for that, so it checks the default we ship.
        "AUTH_REVOKE_SESSIONS_ON_RESET": "1",
        **profile.kit_env,
        **extra_env,
    }
    if profile.client_interop and tools.client_dir is not None:
        env["BA_CLIENT_DIR"] = str(tools.client_dir)
        env["BA_SERVER_DIR"] = str(tools.client_dir)
    else:
        env["SKIP_CLIENT_INTEROP"] = "1"
    folder = KIT / profile.group
    selection = ["-m", profile.selection, "-p", "no:cacheprovider", "-q", *profile.tests, *pytest_args]
    # A plugin group without the core's run.sh is plain pytest, run with the kit's venv.
    runner = [str(folder / "run.sh")] if (folder / "run.sh").is_file() else [str(tools.venv / "bin" / "pytest")]
    done = subprocess.run([*runner, *selection], cwd=folder, env=env, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    summary = next((line for line in reversed(output.splitlines()) if line.startswith("SUMMARY:")), None)
    if summary is None:
        counts = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
        summary = f"pytest: {counts[-1].strip('= ') if counts else 'no summary'} (rc={done.returncode})"
    log = output
    if done.returncode != 0:
        log += f"\n----- server log (tail) -----\n{server.log.read_text(errors='replace')[-4000:]}"
    status = "passed" if done.returncode == 0 else "failed"
    return ProfileRun(profile.name, status, summary.removeprefix("SUMMARY: "), log)


# --- services ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def reachable(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A new PostgreSQL database for one profile, dropped afterwards."""
    if not reachable(POSTGRES):
        raise Unavailable(f"PostgreSQL is not reachable at {POSTGRES[0]}:{POSTGRES[1]}")
    name = f"fba_conformance_{secrets.token_hex(4)}"
    _postgres(f'create database "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@{POSTGRES[0]}:{POSTGRES[1]}/{name}"
    finally:
        _postgres(f'drop database if exists "{name}" with (force)')


@contextlib.contextmanager
def mariadb_database() -> Iterator[str]:
    """A new MariaDB (or MySQL) database for one profile, dropped afterwards (the test suite's helpers)."""
    if not reachable((MARIADB_HOST, MARIADB_PORT)):
        raise Unavailable(f"MariaDB is not reachable at {MARIADB_HOST}:{MARIADB_PORT}")
    with new_mariadb_database("fba_conformance") as name:
        yield mariadb_url(name)


def _postgres(statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]  # the project's dependency

    async def execute() -> None:
        connection = await asyncpg.connect(host=POSTGRES[0], port=POSTGRES[1], user="postgres", database="postgres")
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(execute())


@contextlib.contextmanager
def redis_database() -> Iterator[str]:
    """A Redis database number nobody else on this machine holds, emptied for the profile: the test suite's lease
    (tests/services.py), so the kit and concurrent test runs never meet in one database."""
    if not reachable(REDIS):
        raise Unavailable(f"Redis is not reachable at {REDIS[0]}:{REDIS[1]}")
    lease = RedisLease(REDIS[0], REDIS[1], REDIS_DBS)
    try:
        _flush_redis(lease.db)
        yield lease.url
        _flush_redis(lease.db)
    finally:
        lease.release()


def _flush_redis(number: int) -> None:
    import redis  # the project's dependency: this script runs in the project's environment

    client = redis.Redis(host=REDIS[0], port=REDIS[1], db=number, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


if __name__ == "__main__":
    main()
