#!/usr/bin/env python3
"""Benchmarks of the hot paths: fastapi-betterauth against fastapi-users and better-auth, on loopback.

    python3 bench/run.py             # the full run (about 13 minutes), prints the tables
    python3 bench/run.py --quick     # 1-second runs, to check the harness
    python3 bench/run.py --help      # selection of databases, servers, modes; durations; --update-readme

Needs Python >= 3.11, and for the peers and PostgreSQL rows Node >= 20 with npm and PostgreSQL at 127.0.0.1:5432
(user `postgres`, trust authentication; `BENCH_POSTGRES_URL` overrides). Everything else is installed on first use
into a cache folder outside the repository (`~/.cache/fastapi-betterauth-bench`, or `$XDG_CACHE_HOME/...`): a
virtual environment with this checkout (editable) and `uvicorn[standard]`, a second one with fastapi-users' latest
release, and better-auth with `pg` from npm. The load generator is `wrk`; without it, `apt-get install wrk` is
run when we are root.

This script first builds its virtual environment and re-runs itself there. Each server runs alone, one process
(uvicorn with one worker, or Node), pinned to CPU 0 (`taskset`), with wrk pinned to CPU 1. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import http.client
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fastapi-betterauth-bench"
FBA_VENV = CACHE / "venv-fba"
FU_VENV = CACHE / "venv-fu"
BA_SOURCE = BENCH / "peers" / "better_auth"
BA_VERSION: str = json.loads((BA_SOURCE / "package.json").read_text())["dependencies"]["better-auth"]
BA_PG_VERSION: str = json.loads((BA_SOURCE / "package.json").read_text())["dependencies"]["pg"]
BA_DIR = CACHE / f"better-auth-{BA_VERSION}"
RESULTS = CACHE / "results"
WRK_SCRIPT = BENCH / "wrk" / "report.lua"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
IN_VENV = "FASTAPI_BETTERAUTH_BENCH_IN_VENV"

FBA_REQUIREMENTS = ["uvicorn[standard]"]  # and this checkout, editable, with the example app's extra (its pages)
FU_REQUIREMENTS = ["fastapi-users[sqlalchemy]", "aiosqlite", "asyncpg"]  # and the fba venv's uvicorn[standard]

BENCH_DATABASES = ("bench_fba", "bench_fu", "bench_ba")
EMAIL = "bench@example.com"
PASSWORD = "correct horse battery staple"
SERVER_CPU = "0"
CLIENT_CPU = "1"
STALL_SIGN_INS = (20, 200)  # issue 9's concurrent sign-ins, and issue 10's burst
README = BENCH / "README.md"
README_START = "<!-- results:start -->"
README_END = "<!-- results:end -->"


# --- set-up: virtual environments, npm packages, wrk ------------------------------------------------------------


def run(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], check=True, text=True, **kwargs)


def venv_python(folder: Path) -> Path:
    return folder / "bin" / "python"


def ensure_venv(folder: Path, requirements: list[str], stamp: str, *, refresh: bool = False) -> Path:
    """A virtual environment with `requirements`, (re)installed when `stamp` changed since the last install."""
    python = venv_python(folder)
    stamp_file = folder / ".bench-stamp"
    if python.exists() and not refresh and stamp_file.exists() and stamp_file.read_text() == stamp:
        return python
    if not python.exists():
        venv.create(folder, with_pip=True)
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", *requirements)
    stamp_file.write_text(stamp)
    return python


def ensure_fba_venv(refresh: bool) -> Path:
    requirements = ["-e", f"{ROOT}[example]", *FBA_REQUIREMENTS]
    stamp = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + repr(requirements).encode()).hexdigest()
    return ensure_venv(FBA_VENV, requirements, stamp, refresh=refresh)


def installed_version(python: Path, distribution: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({distribution!r}))"
    return subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def ensure_fu_venv(refresh: bool) -> Path:
    # The same uvicorn as ours, so the servers differ only in the app.
    uvicorn = f"uvicorn[standard]=={installed_version(venv_python(FBA_VENV), 'uvicorn')}"
    requirements = [*FU_REQUIREMENTS, uvicorn]
    return ensure_venv(FU_VENV, requirements, repr(requirements), refresh=refresh)


def ensure_better_auth() -> Path:
    """node_modules with the pinned better-auth and pg (npm ci from the lock file), and the current server.mjs."""
    BA_DIR.mkdir(parents=True, exist_ok=True)
    manifests = ("package.json", "package-lock.json")
    fresh = all(
        (BA_DIR / name).is_file() and (BA_DIR / name).read_bytes() == (BA_SOURCE / name).read_bytes()
        for name in manifests
    )
    if not fresh or not (BA_DIR / "node_modules" / "better-auth").is_dir():
        for name in manifests:
            shutil.copyfile(BA_SOURCE / name, BA_DIR / name)
        run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=BA_DIR)
    shutil.copyfile(BA_SOURCE / "server.mjs", BA_DIR / "server.mjs")
    return BA_DIR


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        run("apt-get", "install", "-y", "-qq", "wrk")
        found = shutil.which("wrk")
    if not found:
        raise SystemExit(
            "wrk is needed: install it (Debian/Ubuntu: `sudo apt-get install wrk`, macOS: `brew install wrk`)"
        )
    return found


# --- databases ----------------------------------------------------------------------------------------------------


async def _postgres(statements: list[str]) -> None:
    import asyncpg

    connection = await asyncpg.connect(f"{POSTGRES_URL}/postgres")
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        asyncio.run(asyncio.wait_for(_postgres(["SELECT 1"]), 5))
    except Exception as exc:
        return f"PostgreSQL at {POSTGRES_URL}: {type(exc).__name__}: {exc}"
    return None


def postgres_version() -> str:
    import asyncpg

    async def version() -> str:
        connection = await asyncpg.connect(f"{POSTGRES_URL}/postgres")
        try:
            return str(await connection.fetchval("SHOW server_version"))
        finally:
            await connection.close()

    return asyncio.run(version())


def fresh_postgres_database(name: str) -> str:
    """Drop and create `name`; its URL without driver."""
    asyncio.run(_postgres([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"']))
    return f"{POSTGRES_URL}/{name}"


def async_url(url: str, driver: str) -> str:
    return url.replace("postgresql://", f"postgresql+{driver}://", 1)


# --- servers ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def cookies(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for header in self.headers.get_all("set-cookie") or []:
            pair = header.split(";", 1)[0]
            name, _, value = pair.partition("=")
            if value and "max-age=0" not in header.lower().replace(" ", ""):
                found[name.strip()] = value.strip()
        return found


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def post_json(port: int, path: str, data: Any, headers: dict[str, str] | None = None) -> Reply:
    all_headers = {"content-type": "application/json", "origin": f"http://127.0.0.1:{port}", **(headers or {})}
    return request(port, "POST", path, body=json.dumps(data).encode(), headers=all_headers)


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass
class Server:
    """One server process; `argv` gets the port as `{port}`."""

    label: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    pin: bool
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.port = free_port()
        argv = [arg.replace("{port}", str(self.port)) for arg in self.argv]
        if self.pin:
            argv = ["taskset", "-c", SERVER_CPU, *argv]
        env = {**os.environ, **{k: v.replace("{port}", str(self.port)) for k, v in self.env.items()}}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                argv, cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.label} exited at start-up:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                status = request(self.port, "GET", "/api/auth/ok").status
                if status == 200:
                    return
                raise RuntimeError(f"{self.label} answered /api/auth/ok with {status}:\n{self.log_tail()}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.label} did not answer /api/auth/ok within 60 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # its own session: the server and nothing else
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def sql(self, timeout: float = 30) -> tuple[int, int, int]:
        """SQL statements and writes sent, and requests received, since start (as the server counts them)."""
        counts = request(self.port, "GET", "/bench/sql", timeout=timeout).json()
        return int(counts["statements"]), int(counts["writes"]), int(counts["requests"])

    def quiesce(self, interval: float = 0.05, timeout: float = 20, first_answer: float = 30) -> tuple[int, int, int]:
        """The counters once the server has finished the requests it was sent: wrk stops without waiting for the
        answers in flight, whose SQL would otherwise count in the next run (or not at all). `first_answer`: how
        long a server still busy with them may take to answer at all."""
        last = self.sql(first_answer)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(interval)
            current = self.sql()
            if current == last:
                break
            last = current
        return last


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        server.start()
        yield server
    finally:
        server.stop()


# --- load -------------------------------------------------------------------------------------------------------


@dataclass
class Load:
    """One kind of request, as wrk sends it."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    body: str = ""
    content_type: str = "application/json"


@dataclass
class Result:
    server: str
    db: str
    mode: str
    kind: str  # baseline | protected | sign-in
    route: str
    concurrency: int
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    sql: float | None = None
    writes: float | None = None
    requests: int = 0
    errors: int = 0
    note: str = ""


class Wrk:
    def __init__(self, binary: str, *, duration: int, warmup: int, pin: bool) -> None:
        self.binary = binary
        self.duration = duration
        self.warmup = warmup
        self.pin = pin

    def command(self, port: int, load: Load, concurrency: int, duration: int) -> tuple[list[str], dict[str, str]]:
        argv = [self.binary, "-t1", f"-c{concurrency}", f"-d{duration}s", "--timeout", "10s", "-s", str(WRK_SCRIPT)]
        for name, value in load.headers.items():
            argv += ["-H", f"{name}: {value}"]
        argv.append(f"http://127.0.0.1:{port}{load.path}")
        if self.pin:
            argv = ["taskset", "-c", CLIENT_CPU, *argv]
        env = {
            **os.environ,
            "BENCH_METHOD": load.method,
            "BENCH_BODY": load.body,
            "BENCH_CONTENT_TYPE": load.content_type,
        }
        return argv, env

    @staticmethod
    def parse(output: str) -> dict[str, Any]:
        for line in output.splitlines():
            if line.startswith("BENCHJSON "):
                summary: dict[str, Any] = json.loads(line.removeprefix("BENCHJSON "))
                return summary
        raise RuntimeError(f"no summary from wrk:\n{output}")

    def run(self, port: int, load: Load, concurrency: int, duration: int) -> dict[str, Any]:
        argv, env = self.command(port, load, concurrency, duration)
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
        return self.parse(done.stdout)

    def start(self, port: int, load: Load, concurrency: int, duration: int) -> subprocess.Popen[str]:
        argv, env = self.command(port, load, concurrency, duration)
        return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def p99_or_never(summary: dict[str, Any]) -> float:
    """The run's p99 latency in microseconds; infinite when no answer came back at all."""
    return float(summary["p99_us"]) if summary["requests"] else math.inf


def errors_of(summary: dict[str, Any]) -> int:
    keys = ("status_errors", "connect_errors", "read_errors", "write_errors", "timeout_errors")
    return sum(int(summary[key]) for key in keys)


class Bench:
    def __init__(self, args: argparse.Namespace, wrk: Wrk) -> None:
        self.args = args
        self.wrk = wrk
        self.results: list[Result] = []
        self.stalls: list[dict[str, Any]] = []
        self.failures: list[str] = []
        self.started = time.monotonic()

    def section(self, title: str) -> None:
        print(f"\n== {title}  (at {time.monotonic() - self.started:.0f} s)", flush=True)

    def once(self, server: Server, load: Load, concurrency: int, duration: int) -> tuple[dict[str, Any], int, int, int]:
        """One wrk run; its summary, and the SQL statements, writes and requests the server counted meanwhile."""
        # Sign-ins in flight leave no trace for a while (hashing), so the server must be still for longer.
        interval = 0.3 if load.method == "POST" else 0.05
        before = server.quiesce(interval)
        summary = self.wrk.run(server.port, load, concurrency, duration)
        after = server.quiesce(interval)
        return summary, after[0] - before[0], after[1] - before[1], after[2] - before[2]

    def series(
        self, server: Server, db: str, mode: str, rows: list[tuple[str, Load]], *, sign_in: bool = False
    ) -> None:
        """Each load at each concurrency, in `repeat` interleaved passes (a warm-up before a load's first run); of
        the passes the fastest (most requests/s) is kept, as interference from other work only slows a run down.

        Sign-in loads warm up at concurrency 1 and run once, for longer: they are bound by password hashing, not by
        noise, and a server that hashes on its event loop answers 16 concurrent sign-ins all at the end (after 16
        hashes), so a short run would see none of them."""
        best: dict[tuple[int, int], Result] = {}
        duration = max(self.wrk.duration, self.args.sign_in_duration) if sign_in else self.wrk.duration
        for attempt in range(1 if sign_in else self.args.repeat):
            for index, (kind, load) in enumerate(rows):
                if attempt == 0:
                    warm = 1 if sign_in else max(self.args.concurrency)
                    self.wrk.run(server.port, load, warm, self.wrk.warmup)
                for concurrency in self.args.concurrency:
                    summary, statements, writes, received = self.once(server, load, concurrency, duration)
                    requests = int(summary["requests"])
                    result = Result(
                        server=server.label,
                        db=db,
                        mode=mode,
                        kind=kind,
                        route=f"{load.method} {load.path}" + (" (sign-in)" if sign_in else ""),
                        concurrency=concurrency,
                        rps=requests / (summary["duration_us"] / 1e6),
                        p50_ms=summary["p50_us"] / 1000,
                        p99_ms=summary["p99_us"] / 1000,
                        # per request received: wrk's count misses the requests cut off at its end
                        sql=statements / received if received else None,
                        writes=writes / received if received else None,
                        requests=requests,
                        errors=errors_of(summary),
                    )
                    self.show(result)
                    kept = best.get((index, concurrency))
                    if kept is None or result.rps > kept.rps:
                        best[(index, concurrency)] = result
        self.results.extend(best[key] for key in sorted(best))

    @staticmethod
    def show(r: Result) -> None:
        line = (
            f"  {r.route:<40} c={r.concurrency:<3} {r.rps:>9.1f} req/s  p50 {r.p50_ms:7.2f} ms  p99 {r.p99_ms:7.2f} ms"
        )
        line += f"  SQL/req {r.sql or 0:.2f} (writes {r.writes or 0:.2f})"
        print(line + (f"  ERRORS {r.errors}/{r.requests}" if r.errors else ""), flush=True)

    def stalls_of(self, server: Server, db: str, mode: str, probe: Load, sign_in: Load) -> None:
        """`stall` for each of STALL_SIGN_INS."""
        for sign_ins in STALL_SIGN_INS:
            self.stall(server, db, mode, probe, sign_in, sign_ins)

    def stall(self, server: Server, db: str, mode: str, probe: Load, sign_in: Load, sign_ins: int) -> None:
        """p99 of `probe` at concurrency 1, idle and while `sign_ins` sign-ins run all the time; in `repeat`
        interleaved pairs, of which the lowest p99 of each kind is kept."""
        duration = self.wrk.duration
        self.wrk.run(server.port, probe, 1, self.wrk.warmup)
        idle: list[dict[str, Any]] = []
        loaded: list[dict[str, Any]] = []
        signing: list[dict[str, Any]] = []
        for _ in range(self.args.repeat):
            idle.append(self.wrk.run(server.port, probe, 1, duration))
            background = self.wrk.start(server.port, sign_in, sign_ins, duration + 2)
            time.sleep(1)
            loaded.append(self.wrk.run(server.port, probe, 1, duration))
            out, _ = background.communicate()
            signing.append(Wrk.parse(out))
            # Let the sign-ins wrk left behind finish: a server that hashes on its event loop (fastapi-users) answers
            # nothing until it has worked through all of them, 200 take it a minute or more.
            server.quiesce(0.3, first_answer=300)
        quiet = min(idle, key=p99_or_never)
        busy = min(loaded, key=p99_or_never)
        stall = {
            "server": server.label,
            "db": db,
            "mode": mode,
            "probe": f"{probe.method} {probe.path}",
            "sign_ins": sign_ins,
            "idle_p50_ms": quiet["p50_us"] / 1000,
            "idle_p99_ms": p99_or_never(quiet) / 1000,
            "loaded_p50_ms": busy["p50_us"] / 1000 if busy["requests"] else math.inf,
            "loaded_p99_ms": p99_or_never(busy) / 1000,
            "ratio": p99_or_never(busy) / max(p99_or_never(quiet), 1),
            "probe_errors": sum(errors_of(summary) for summary in idle + loaded),
            "sign_ins_per_s": max(summary["requests"] / (summary["duration_us"] / 1e6) for summary in signing),
            "sign_in_errors": sum(errors_of(summary) for summary in signing),
        }
        self.stalls.append(stall)
        print(
            f"  stall: {stall['probe']} p99 idle {stall['idle_p99_ms']:.2f} ms, under {sign_ins} sign-ins "
            f"{stall['loaded_p99_ms']:.2f} ms (x{stall['ratio']:.1f}); {stall['sign_ins_per_s']:.1f} sign-ins/s",
            flush=True,
        )

    def not_available(self, server: str, db: str, mode: str, why: str) -> None:
        self.results.append(Result(server, db, mode, "protected", "-", 0, note=f"n/a ({why})"))
        print(f"  n/a: {why}", flush=True)


# --- the three contenders -------------------------------------------------------------------------------------------


@dataclass
class Mode:
    name: str
    env: dict[str, str]
    routes: list[str]  # "me", "get-session", "api-key", "me-api-key", "me-bearer", "floor" (FastAPI's DI alone)
    sign_in: bool = False
    needs: str | None = None  # a SessionSettings field this mode needs (stateless is newer than the others)


CACHE_ON = {"BETTER_AUTH_SESSION__COOKIE_CACHE__ENABLED": "true"}
FBA_MODES = [
    Mode("database session", {}, ["me", "get-session", "floor"], sign_in=True),
    # /get-session where better-auth has the same mode to compare with; elsewhere /me alone (the decoding is the same).
    *(
        Mode(
            f"cookie cache ({strategy})",
            {**CACHE_ON, "BETTER_AUTH_SESSION__COOKIE_CACHE__STRATEGY": strategy},
            ["me", "get-session"] if strategy == "compact" else ["me"],
        )
        for strategy in ("compact", "jwt", "jwe")
    ),
    # Stateless: the session is a JWE cookie. By default revocations are remembered in the database (one small read
    # per request); with `revocation=off` nothing is read at all.
    Mode("stateless (JWE)", {"BETTER_AUTH_SESSION__STORE": "stateless"}, ["me"], needs="store"),
    Mode(
        "stateless (JWE, revocation off)",
        {"BETTER_AUTH_SESSION__STORE": "stateless", "BETTER_AUTH_SESSION__STATELESS__REVOCATION": "off"},
        ["me"],
        needs="store",
    ),
    Mode("bearer", {"BETTER_AUTH_BEARER__ENABLED": "true"}, ["me-bearer"]),
    Mode(
        "API key",
        {
            "BETTER_AUTH_PLUGINS__API_KEY__ENABLED": "true",
            "BETTER_AUTH_PLUGINS__API_KEY__RATE_LIMIT__ENABLED": "false",
            "BETTER_AUTH_PLUGINS__API_KEY__ENABLE_SESSION_FOR_API_KEYS": "true",
            "BETTER_AUTH_PLUGINS__API_KEY__ALLOW_SESSIONS_IN_PRODUCTION": "true",
        },
        ["api-key", "me-api-key"],
    ),
]
FBA_MODE_KEYS = {
    "database session": "db",
    "cookie cache (compact)": "cc-compact",
    "cookie cache (jwt)": "cc-jwt",
    "cookie cache (jwe)": "cc-jwe",
    "stateless (JWE)": "stateless",
    "stateless (JWE, revocation off)": "stateless-off",
    "bearer": "bearer",
    "API key": "api-key",
}
APP_BASELINE = Load("/")  # a plain route of the app, after the auth router (as /me): the baseline of /me
AUTH_BASELINE = Load("/api/auth/ok")  # better-auth's own baseline, in the auth router: the baseline of /get-session


def session_settings_fields() -> set[str]:
    from fastapi_betterauth.settings import SessionSettings

    return set(SessionSettings.model_fields)


def fba_server(db: str, mode: Mode, database_url: str, args: argparse.Namespace) -> Server:
    env = {
        "BETTER_AUTH_ENVIRONMENT": "production",
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(48),
        "BETTER_AUTH_URL": "http://127.0.0.1:{port}",
        "BETTER_AUTH_DATABASE_URL": database_url,
        "BETTER_AUTH_RATE_LIMIT__ENABLED": "false",
        **mode.env,
    }
    argv = [str(venv_python(FBA_VENV)), "-m", "uvicorn", "app:counted_app", "--app-dir", "bench"]
    argv += ["--host", "127.0.0.1", "--port", "{port}", "--no-access-log", "--log-level", "warning"]
    log = RESULTS / "logs" / f"fastapi-betterauth-{db}-{FBA_MODE_KEYS[mode.name]}.log"
    return Server("fastapi-betterauth", argv, env, ROOT, log, args.pin)


def fba_sign_up(server: Server) -> tuple[dict[str, str], Reply]:
    reply = post_json(server.port, "/api/auth/sign-up/email", {"name": "Bench", "email": EMAIL, "password": PASSWORD})
    if reply.status != 200:
        raise RuntimeError(f"sign-up answered {reply.status}: {reply.body[:300]!r}")
    return reply.cookies(), reply


def fba_loads(server: Server, mode: Mode) -> list[tuple[str, Load]]:
    cookies, reply = fba_sign_up(server)
    cookie = {"cookie": cookie_header(cookies)}
    loads: list[tuple[str, Load]] = [("baseline", APP_BASELINE)]
    if "get-session" in mode.routes:
        loads.append(("baseline", AUTH_BASELINE))
    for route in mode.routes:
        if route == "floor":
            loads.append(("reference", Load("/bench/deps-floor")))
        elif route == "me":
            loads.append(("protected", Load("/me", cookie)))
        elif route == "get-session":
            loads.append(("protected", Load("/api/auth/get-session", cookie)))
        elif route == "me-bearer":
            token = reply.headers["set-auth-token"]
            loads.append(("protected", Load("/me", {"authorization": f"Bearer {token}"})))
        elif route in ("api-key", "me-api-key"):
            created = post_json(server.port, "/api/auth/api-key/create", {"name": "bench"}, cookie)
            if created.status != 200:
                raise RuntimeError(f"api-key/create answered {created.status}: {created.body[:300]!r}")
            key = {"x-api-key": created.json()["key"]}
            loads.append(("protected", Load("/bench/api-key" if route == "api-key" else "/me", key)))
    return loads


def sign_in_load(port: int) -> Load:
    body = json.dumps({"email": EMAIL, "password": PASSWORD})
    return Load("/api/auth/sign-in/email", {"origin": f"http://127.0.0.1:{port}"}, "POST", body)


def bench_fba(bench: Bench, db: str, args: argparse.Namespace) -> None:
    fields = session_settings_fields()
    for mode in FBA_MODES:
        if args.modes and FBA_MODE_KEYS[mode.name] not in args.modes:
            continue
        bench.section(f"fastapi-betterauth, {db}, {mode.name}")
        if mode.needs and mode.needs not in fields:
            bench.not_available("fastapi-betterauth", db, mode.name, "not available")
            continue
        with tempfile.TemporaryDirectory(prefix="bench-fba-") as folder:
            if db == "sqlite":
                url = f"sqlite+aiosqlite:///{folder}/bench.db"
            else:
                url = async_url(fresh_postgres_database("bench_fba"), "asyncpg")
            server = fba_server(db, mode, url, args)
            try:
                with running(server):
                    loads = fba_loads(server, mode)
                    bench.series(server, db, mode.name, loads)
                    if mode.sign_in:
                        sign_in = sign_in_load(server.port)
                        bench.series(server, db, mode.name, [("sign-in", sign_in)], sign_in=True)
                        probe = next(load for _, load in loads if load.path == "/api/auth/get-session")
                        bench.stalls_of(server, db, mode.name, probe, sign_in)
            except Exception as exc:
                bench.failures.append(f"fastapi-betterauth {db} {mode.name}: {exc}")
                bench.not_available("fastapi-betterauth", db, mode.name, f"failed: {str(exc).splitlines()[0]}")


FU_STRATEGIES = {"DatabaseStrategy": "database", "JWTStrategy": "jwt"}


def bench_fu(bench: Bench, db: str, args: argparse.Namespace) -> None:
    for mode, strategy in FU_STRATEGIES.items():
        bench.section(f"fastapi-users, {db}, {mode}")
        with tempfile.TemporaryDirectory(prefix="bench-fu-") as folder:
            if db == "sqlite":
                url = f"sqlite+aiosqlite:///{folder}/bench.db"
            else:
                url = async_url(fresh_postgres_database("bench_fu"), "asyncpg")
            argv = [str(venv_python(FU_VENV)), "-m", "uvicorn", "fastapi_users_app:counted_app"]
            argv += ["--app-dir", str(BENCH / "peers"), "--host", "127.0.0.1", "--port", "{port}"]
            argv += ["--no-access-log", "--log-level", "warning"]
            env = {"FU_DATABASE_URL": url, "FU_STRATEGY": strategy, "FU_SECRET": secrets.token_urlsafe(48)}
            log = RESULTS / "logs" / f"fastapi-users-{db}-{strategy}.log"
            server = Server("fastapi-users", argv, env, Path(folder), log, args.pin)
            try:
                with running(server):
                    reply = post_json(server.port, "/auth/register", {"email": EMAIL, "password": PASSWORD})
                    if reply.status != 201:
                        raise RuntimeError(f"register answered {reply.status}: {reply.body[:300]!r}")
                    form = urlencode({"username": EMAIL, "password": PASSWORD})
                    headers = {"content-type": "application/x-www-form-urlencoded"}
                    login = request(server.port, "POST", "/auth/cookie/login", body=form.encode(), headers=headers)
                    if login.status != 204:
                        raise RuntimeError(f"login answered {login.status}: {login.body[:300]!r}")
                    me = Load("/me", {"cookie": cookie_header(login.cookies())})
                    bench.series(server, db, mode, [("baseline", APP_BASELINE), ("protected", me)])
                    sign_in = Load("/auth/cookie/login", {}, "POST", form, "application/x-www-form-urlencoded")
                    bench.series(server, db, mode, [("sign-in", sign_in)], sign_in=True)
                    if strategy == "database":
                        bench.stalls_of(server, db, mode, me, sign_in)
            except Exception as exc:
                bench.failures.append(f"fastapi-users {db} {mode}: {exc}")
                bench.not_available("fastapi-users", db, mode, f"failed: {str(exc).splitlines()[0]}")


BA_MODES = {"database session": "", "cookie cache (compact)": "compact"}


def bench_ba(bench: Bench, db: str, args: argparse.Namespace) -> None:
    for mode, strategy in BA_MODES.items():
        bench.section(f"better-auth {BA_VERSION} (Node), {db}, {mode}")
        if db != "postgres":
            bench.not_available("better-auth", db, mode, "run on PostgreSQL only")
            continue
        url = fresh_postgres_database("bench_ba")
        # Our schema is better-auth's (a test compares it with better-auth's own migrator's).
        migrate = [str(venv_python(FBA_VENV)), "-m", "fastapi_betterauth", "migrate"]
        subprocess.run([*migrate, "--database-url", async_url(url, "asyncpg")], check=True, capture_output=True)
        env = {
            "NODE_ENV": "production",
            "PORT": "{port}",
            "BA_DATABASE_URL": url,
            "BA_SECRET": secrets.token_urlsafe(48),
            "BA_URL": "http://127.0.0.1:{port}",
            "BA_COOKIE_CACHE": strategy,
        }
        log = RESULTS / "logs" / f"better-auth-{db}-{strategy or 'database'}.log"
        server = Server("better-auth", ["node", "server.mjs"], env, BA_DIR, log, args.pin)
        try:
            with running(server):
                reply = post_json(
                    server.port, "/api/auth/sign-up/email", {"name": "Bench", "email": EMAIL, "password": PASSWORD}
                )
                if reply.status != 200:
                    raise RuntimeError(f"sign-up answered {reply.status}: {reply.body[:300]!r}")
                probe = Load("/api/auth/get-session", {"cookie": cookie_header(reply.cookies())})
                bench.series(server, db, mode, [("baseline", AUTH_BASELINE), ("protected", probe)])
                if not strategy:
                    sign_in = sign_in_load(server.port)
                    bench.series(server, db, mode, [("sign-in", sign_in)], sign_in=True)
                    bench.stalls_of(server, db, mode, probe, sign_in)
        except Exception as exc:
            bench.failures.append(f"better-auth {db} {mode}: {exc}")
            bench.not_available("better-auth", db, mode, f"failed: {str(exc).splitlines()[0]}")


# --- report -------------------------------------------------------------------------------------------------------


def ratio(value: float, reference: float | None) -> str:
    return f"{value / reference:.2f}" if reference else "–"


def find(results: list[Result], **match: Any) -> Result | None:
    for result in results:
        if result.note:
            continue
        if all(getattr(result, key) == value for key, value in match.items()):
            return result
    return None


def baseline_of(results: list[Result], r: Result) -> Result | None:
    """The baseline a row is compared with: the same server run's unauthenticated route at the same place (the
    auth router's `/ok` for routes under /api/auth, else the app's plain `/`), at the same concurrency."""
    route = f"GET {AUTH_BASELINE.path}" if "/api/auth/" in r.route else f"GET {APP_BASELINE.path}"
    return find(results, server=r.server, db=r.db, mode=r.mode, route=route, concurrency=r.concurrency)


def sql_cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def hot_path_table(results: list[Result], db: str) -> list[str]:
    lines = [
        "| server | mode | route | c | req/s | × baseline | × fu-db | × fu-jwt | p50 ms | p99 ms "
        "| p99 × baseline | p99 × fu-db | SQL/req | writes/req |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        if r.db != db or r.kind == "sign-in":
            continue
        if r.note:
            lines.append(f"| {r.server} | {r.mode} | – | – | {r.note} | | | | | | | | | |")
            continue
        base = baseline_of(results, r)
        fu_db = find(
            results, server="fastapi-users", db=db, mode="DatabaseStrategy", kind=r.kind, concurrency=r.concurrency
        )
        fu_jwt = find(
            results, server="fastapi-users", db=db, mode="JWTStrategy", kind=r.kind, concurrency=r.concurrency
        )
        route = r.route + (f" ⚠ {r.errors} errors" if r.errors else "")
        cells = [
            r.server,
            r.mode,
            route,
            str(r.concurrency),
            f"{r.rps:.0f}",
            ratio(r.rps, base.rps if base else None) if r.kind != "baseline" else "1",
            ratio(r.rps, fu_db.rps if fu_db else None),
            ratio(r.rps, fu_jwt.rps if fu_jwt else None),
            f"{r.p50_ms:.2f}",
            f"{r.p99_ms:.2f}",
            ratio(r.p99_ms, base.p99_ms if base else None) if r.kind != "baseline" else "1",
            ratio(r.p99_ms, fu_db.p99_ms if fu_db else None),
            sql_cell(r.sql),
            sql_cell(r.writes),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def sign_in_table(results: list[Result]) -> list[str]:
    lines = [
        "| server | db | mode | c | sign-ins/s | × fu-db | p50 ms | p99 ms | SQL/req | writes/req |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        if r.kind != "sign-in" or r.note:
            continue
        fu_db = find(
            results, server="fastapi-users", db=r.db, mode="DatabaseStrategy", kind="sign-in", concurrency=r.concurrency
        )
        mode = r.mode + (f" ⚠ {r.errors} errors" if r.errors else "")
        cells = [r.server, r.db, mode, str(r.concurrency), f"{r.rps:.1f}", ratio(r.rps, fu_db.rps if fu_db else None)]
        cells += [f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}", sql_cell(r.sql), sql_cell(r.writes)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def finite(value: float, spec: str) -> str:
    """`value` formatted, or what an infinite latency means: no answer at all during the run."""
    return format(value, spec) if math.isfinite(value) else "no answer"


def stall_table(stalls: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| server | db | probe (c=1) | sign-ins at once | p99 idle ms | p99 under sign-ins ms | × idle "
        "| p50 idle → loaded ms | sign-ins/s meanwhile |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for s in stalls:
        errors = s["probe_errors"] + s["sign_in_errors"]
        cells = [s["server"], s["db"], s["probe"] + (f" ⚠ {errors} errors" if errors else ""), str(s["sign_ins"])]
        cells += [finite(s["idle_p99_ms"], ".2f"), finite(s["loaded_p99_ms"], ".2f"), finite(s["ratio"], ".1f")]
        cells += [f"{finite(s['idle_p50_ms'], '.2f')} → {finite(s['loaded_p50_ms'], '.2f')}"]
        cells.append(f"{s['sign_ins_per_s']:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def targets(results: list[Result], stalls: list[dict[str, Any]], databases: list[str]) -> list[str]:
    """The issue's targets, checked on the measured figures (reported, never asserted): one row per target and
    database, with the figure at each concurrency; met when met at every one."""
    lines = ["| target | db | measured | met |", "|---|---|---|---|"]
    fba = "fastapi-betterauth"
    levels = sorted({r.concurrency for r in results if r.concurrency})

    def row(server: str, db: str, mode: str, route: str, c: int) -> Result | None:
        return find(results, server=server, db=db, mode=mode, route=f"GET {route}", concurrency=c)

    def check(target: str, db: str, figures: list[tuple[int, str, bool]], *, info: bool = False) -> None:
        if not figures:
            return
        measured = "; ".join(f"c={c}: {figure}" for c, figure, _ in figures)
        verdict = "–" if info else ("yes" if all(met for _, _, met in figures) else "**no**")
        lines.append(f"| {target} | {db} | {measured} | {verdict} |")

    zero_io = ("cookie cache (compact)", "cookie cache (jwt)", "cookie cache (jwe)", "stateless (JWE, revocation off)")
    for db in databases:
        for mode in zero_io:
            for route, baseline in (("/me", "/"), ("/api/auth/get-session", "/api/auth/ok")):
                figures = []
                for c in levels:
                    hit, base = row(fba, db, mode, route, c), row(fba, db, mode, baseline, c)
                    if hit is not None and base is not None and hit.sql is not None:
                        share = hit.rps / base.rps
                        figures.append((c, f"{share:.2f}×, {hit.sql:.2f} SQL", share >= 0.8 and hit.sql < 0.005))
                check(f"{mode}: {route} ≥ 0.8× {baseline}, 0 SQL", db, figures)
        reads, versus_fu = [], []
        for c in levels:
            me = row(fba, db, "database session", "/me", c)
            if me is None or me.sql is None or me.writes is None:
                continue
            read = me.sql - me.writes
            reads.append((c, f"{read:.2f} reads, {me.writes:.2f} writes", abs(read - 1) < 0.005 and me.writes < 0.005))
            fu_me = row("fastapi-users", db, "DatabaseStrategy", "/me", c)
            if fu_me is not None:
                versus_fu.append((c, f"{me.rps / fu_me.rps:.2f}×", me.rps / fu_me.rps >= 3))
        check("database session: /me 1 SQL read, 0 writes", db, reads)
        check("database session: /me ≥ 3× fastapi-users DatabaseStrategy", db, versus_fu)
        for mode, info in (("database session", False), ("cookie cache (compact)", True)):
            figures = []
            for c in levels:
                ours = row(fba, db, mode, "/api/auth/get-session", c)
                theirs = row("better-auth", db, mode, "/api/auth/get-session", c)
                if ours is not None and theirs is not None:
                    figures.append((c, f"{ours.rps / theirs.rps:.2f}×", ours.rps >= theirs.rps))
            note = " (for information)" if info else ""
            check(f"{mode}: /get-session ≥ better-auth's{note}", db, figures, info=info)
        for s in stalls:
            if s["server"] == fba and s["db"] == db:
                # Issue 9 sets 3x idle under 20; issue 10 asks "within a few times" under 200, read here as 5x.
                limit = 3 if s["sign_ins"] == STALL_SIGN_INS[0] else 5
                target = f"/get-session p99 under {s['sign_ins']} sign-ins ≤ {limit}× idle"
                check(target, db, [(1, f"{finite(s['ratio'], '.1f')}×", s["ratio"] <= limit)])
    return lines


def machine(args: argparse.Namespace) -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    os_name = platform.platform()
    with contextlib.suppress(OSError):
        release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        os_name = release.get("PRETTY_NAME", os_name).strip('"')
    git = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    node = subprocess.run(["node", "--version"], capture_output=True, text=True) if shutil.which("node") else None
    wrk_version = subprocess.run([args.wrk_binary, "-v"], capture_output=True, text=True)
    fba_python, fu_python = venv_python(FBA_VENV), venv_python(FU_VENV)
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} CPUs",
        "memory": memory,
        "os": f"{os_name}, kernel {platform.release()}",
        "python": platform.python_version(),
        "node": node.stdout.strip() if node else "–",
        "postgresql": args.postgres_version or "–",
        "wrk": (wrk_version.stdout + wrk_version.stderr).split("Copyright")[0].strip(),
        "checkout": git.stdout.strip(),
        "fastapi-betterauth venv": ", ".join(
            f"{name} {installed_version(fba_python, name)}"
            for name in ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "sqlalchemy", "asyncpg", "aiosqlite")
        ),
        "better-auth": f"{BA_VERSION}, pg {BA_PG_VERSION}, Node's http server",
        "load": (
            f"wrk, 1 thread; each figure the best of {args.repeat} interleaved {args.duration}-second runs "
            f"(after a {args.warmup}-second warm-up), sign-ins one {args.sign_in_duration}-second run; "
            + (f"server pinned to CPU {SERVER_CPU}, wrk to CPU {CLIENT_CPU}" if args.pin else "no CPU pinning")
        ),
    }
    if fu_python.exists():
        info["fastapi-users venv"] = ", ".join(
            f"{name} {installed_version(fu_python, name)}"
            for name in ("fastapi-users", "fastapi-users-db-sqlalchemy", "fastapi", "uvicorn", "sqlalchemy", "pwdlib")
        )
    return info


def report(bench: Bench, args: argparse.Namespace, info: dict[str, str]) -> str:
    lines = [f"Run of {info['date']} (`{' '.join(['python3', 'bench/run.py', *args.argv])}`).", ""]
    lines += [f"- **{key}**: {value}" for key, value in info.items() if key != "date"]
    for db in args.databases:
        lines += ["", f"### Hot path, {db}", "", *hot_path_table(bench.results, db)]
    lines += ["", "### Sign-in", "", *sign_in_table(bench.results)]
    lines += ["", "### Requests during concurrent sign-ins", "", *stall_table(bench.stalls)]
    lines += ["", "### Targets", "", *targets(bench.results, bench.stalls, args.databases)]
    if bench.failures:
        lines += ["", "### Failures", "", *(f"- {failure.splitlines()[0]}" for failure in bench.failures)]
    return "\n".join(lines) + "\n"


def update_readme(markdown: str) -> None:
    text = README.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    README.write_text(text[:start] + "\n" + markdown + text[end:])


# --- main ---------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1-second runs after 1-second warm-ups (harness check)")
    parser.add_argument("--duration", type=int, default=None, help="seconds per measured run (default 2; quick 1)")
    parser.add_argument("--sign-in-duration", type=int, default=None, help="seconds per sign-in run (5; quick 2)")
    parser.add_argument("--repeat", type=int, default=None, help="passes, the fastest kept (default 2; quick 1)")
    parser.add_argument("--warmup", type=int, default=None, help="seconds of warm-up before each run (default 1)")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--servers", default="fba,fu,ba", help="comma-separated: fba, fu (fastapi-users), ba")
    parser.add_argument(
        "--modes", default="", help=f"fastapi-betterauth modes only: {', '.join(FBA_MODE_KEYS.values())}"
    )
    parser.add_argument("--concurrency", default="1,16", help="comma-separated connection counts (default 1,16)")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin server and wrk to CPUs")
    parser.add_argument("--refresh", action="store_true", help="reinstall the virtual environments (newest releases)")
    parser.add_argument("--update-readme", action="store_true", help="write the report into bench/README.md")
    args = parser.parse_args(argv)
    args.argv = argv
    args.duration = args.duration or (1 if args.quick else 2)
    args.repeat = args.repeat or (1 if args.quick else 2)
    args.sign_in_duration = args.sign_in_duration or (2 if args.quick else 5)
    args.warmup = args.warmup or 1
    args.databases = [db for db in args.databases.split(",") if db]
    args.servers = [server for server in args.servers.split(",") if server]
    args.modes = [mode for mode in args.modes.split(",") if mode]
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c]
    return args


def main() -> None:
    argv = sys.argv[1:]
    if sys.version_info < (3, 11):
        raise SystemExit(f"Python >= 3.11 is needed, this is {sys.version.split()[0]}")
    args = parse_args(argv)
    if os.environ.get(IN_VENV) != "1":
        python = ensure_fba_venv(args.refresh)
        os.environ[IN_VENV] = "1"
        os.execv(python, [str(python), __file__, *argv])
    if args.pin and (not shutil.which("taskset") or (os.cpu_count() or 1) < 2):
        print("taskset or a second CPU is missing: running without CPU pinning", flush=True)
        args.pin = False
    args.wrk_binary = ensure_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if "fu" in args.servers:
        ensure_fu_venv(args.refresh)
    if "ba" in args.servers:
        if shutil.which("node") and shutil.which("npm"):
            ensure_better_auth()
        else:
            print("Node/npm not found: better-auth is left out", flush=True)
            args.servers.remove("ba")
    args.postgres_version = ""
    if "postgres" in args.databases:
        problem = postgres_available()
        if problem:
            print(f"{problem}: the PostgreSQL rows are left out", flush=True)
            args.databases.remove("postgres")
        else:
            args.postgres_version = postgres_version()
    load_at_start = os.getloadavg()[0]
    bench = Bench(args, Wrk(args.wrk_binary, duration=args.duration, warmup=args.warmup, pin=args.pin))
    started = time.monotonic()
    for db in args.databases:
        # fastapi-users first: the others' ratios refer to it.
        for name, suite in (("fu", bench_fu), ("fba", bench_fba), ("ba", bench_ba)):
            if name in args.servers:
                suite(bench, db, args)
    if "postgres" in args.databases:
        asyncio.run(_postgres([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in BENCH_DATABASES]))
    info = machine(args)
    info["other work"] = f"1-minute load average {load_at_start:.2f} when the run started (before its own servers)"
    markdown = report(bench, args, info)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.md").write_text(markdown)
    raw = {"machine": info, "results": [asdict(r) for r in bench.results], "stalls": bench.stalls}
    (RESULTS / f"{stamp}.json").write_text(json.dumps(raw, indent=2))
    print("\n" + markdown)
    print(f"({time.monotonic() - started:.0f} s; report and raw figures in {RESULTS}/{stamp}.md and .json)")
    if args.update_readme:
        update_readme(markdown)
        print(f"bench/README.md updated between {README_START} and {README_END}")


if __name__ == "__main__":
    main()
