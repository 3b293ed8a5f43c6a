"""In-process A/B timing of the hot path: the benchmark app called as ASGI, no network, no load generator.

On a busy machine absolute figures drift from one second to the next, so this script never compares figures taken
far apart: it sends one request of each route in turn, times each, and per round (`--batch` requests of each route)
keeps each route's median time; it reports each route's throughput as a ratio of `GET /` in the same round (median
and range over the rounds). With `--against DIR` it also runs
the same measurement from another checkout (e.g. a worktree of main) in a child process, the two alternating, so a
change is judged by ratios taken side by side.

    .venv/bin/python bench/inprocess.py --mode cc-compact
    .venv/bin/python bench/inprocess.py --mode cc-compact --against /path/to/main-worktree --pairs 3
    .venv/bin/python bench/inprocess.py --mode cc-compact --profile me    # cProfile of /me, top 30 by own time
    .venv/bin/python bench/inprocess.py --floors    # also routes that show where FastAPI's own cost goes

Modes: `db`, `cc-compact`, `cc-jwt`, `cc-jwe`, `stateless-off` (as in bench/run.py). The app is bench/app.py
(example_app.main unchanged) on a fresh SQLite file, production settings, rate limiter off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import Depends, Request, Response

MODES: dict[str, dict[str, str]] = {
    "db": {},
    "cc-compact": {"BETTER_AUTH_SESSION__COOKIE_CACHE__ENABLED": "true"},
    "cc-jwt": {
        "BETTER_AUTH_SESSION__COOKIE_CACHE__ENABLED": "true",
        "BETTER_AUTH_SESSION__COOKIE_CACHE__STRATEGY": "jwt",
    },
    "cc-jwe": {
        "BETTER_AUTH_SESSION__COOKIE_CACHE__ENABLED": "true",
        "BETTER_AUTH_SESSION__COOKIE_CACHE__STRATEGY": "jwe",
    },
    "stateless-off": {"BETTER_AUTH_SESSION__STORE": "stateless", "BETTER_AUTH_SESSION__STATELESS__REVOCATION": "off"},
}
ROUTES = ("/", "/bench/deps-floor", "/me")
FLOORS = ("/inprocess/no-dependency", "/inprocess/function", "/inprocess/provider-alone")
"""With `--floors`: where FastAPI's cost under `/me` goes. A route taking the request and no dependency; one plain
`async def` dependency; `/bench/deps-floor`'s provider class again, declared last like the other two."""

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def configure(mode: str, folder: str) -> None:
    """The benchmark app's environment, set before it is imported (it reads its settings at import)."""
    os.environ.update(
        {
            "BETTER_AUTH_ENVIRONMENT": "production",
            "BETTER_AUTH_SECRET": secrets.token_urlsafe(48),
            "BETTER_AUTH_URL": "http://127.0.0.1:8000",
            "BETTER_AUTH_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/bench.db",
            "BETTER_AUTH_RATE_LIMIT__ENABLED": "false",
            **MODES[mode],
        }
    )


def scope_of(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def call(app: App, scope: dict[str, Any], body: bytes = b"") -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """One request: status, headers, body."""
    sent = False
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message.get("headers", [])
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["headers"], answer["body"]


async def sign_up(app: App) -> bytes:
    """A new user's `Cookie` header (session token and, in cookie-cache modes, its copy)."""
    body = json.dumps({"email": "bench@example.com", "password": "correct horse battery", "name": "Bench"}).encode()
    headers = [(b"content-type", b"application/json"), (b"origin", b"http://127.0.0.1:8000")]
    status, answer_headers, text = await call(app, scope_of("POST", "/api/auth/sign-up/email", headers), body)
    if status != 200:
        raise SystemExit(f"sign-up failed: {status} {text!r}")
    cookies = [value.split(b";", 1)[0] for name, value in answer_headers if name == b"set-cookie"]
    return b"; ".join(cookie for cookie in cookies if not cookie.endswith(b"="))


def add_floors(app: Any) -> None:
    """The `FLOORS` routes (declared last, as `/bench/deps-floor` is after `/me`)."""
    from fastapi_betterauth.security.schemes import SessionCookieScheme

    user = {"id": "0" * 32}

    class Alone(SessionCookieScheme):
        async def __call__(self, request: Request, response: Response) -> dict[str, Any]:
            return user

    async def function(request: Request) -> dict[str, Any]:
        return user

    # Defaults, not `Annotated`: annotations cannot see this function's locals.
    by_function, by_provider = Depends(function), Depends(Alone())

    @app.get(FLOORS[0], include_in_schema=False)
    async def no_dependency(request: Request) -> dict[str, Any]:
        return dict(user)

    @app.get(FLOORS[1], include_in_schema=False)
    async def one_function(found: dict[str, Any] = by_function) -> dict[str, Any]:
        return dict(found)

    @app.get(FLOORS[2], include_in_schema=False)
    async def provider_alone(found: dict[str, Any] = by_provider) -> dict[str, Any]:
        return dict(found)


async def measure(
    mode: str, rounds: int, batch: int, profile: str | None, floors: bool = False
) -> dict[str, list[float]]:
    """The median µs per request of each route, one figure per round."""
    sys.path[:0] = [str(Path.cwd()), str(Path.cwd() / "bench")]
    from app import app  # bench/app.py
    from asgi_lifespan import LifespanManager

    routes = ROUTES + FLOORS if floors else ROUTES
    if floors:
        add_floors(app)
    timings: dict[str, list[float]] = {route: [] for route in routes}
    async with LifespanManager(app):
        cookie = await sign_up(app)
        scopes = {route: scope_of("GET", route, [(b"cookie", cookie)]) for route in routes}
        for route, scope in scopes.items():  # warm-up, and a check that each answers 200
            status, _, text = await call(app, dict(scope))
            if status != 200:
                raise SystemExit(f"{route}: {status} {text!r}")
        if profile is not None:
            await _profile(app, scopes["/" + profile.lstrip("/")], batch * rounds)
            return timings
        clock = time.perf_counter
        for _ in range(rounds):
            # One request of each route in turn: whatever else runs on the machine slows them all alike.
            samples: dict[str, list[float]] = {route: [] for route in scopes}
            for _ in range(batch):
                for route, scope in scopes.items():
                    start = clock()
                    await call(app, dict(scope))
                    samples[route].append(clock() - start)
            for route, values in samples.items():
                timings[route].append(statistics.median(values) * 1e6)
    return timings


async def _profile(app: App, scope: dict[str, Any], count: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        await call(app, dict(scope))
    profiler.disable()
    pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(int(os.environ.get("TOP", "30")))


def ratios(timings: dict[str, list[float]]) -> dict[str, list[float]]:
    """Throughput of each route ÷ that of `/`, round by round."""
    base = timings["/"]
    return {route: [b / t for b, t in zip(base, values, strict=True)] for route, values in timings.items()}


def child(args: argparse.Namespace) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        configure(args.mode, folder)
        return asyncio.run(measure(args.mode, args.rounds, args.batch, args.profile, args.floors))


def run_in(checkout: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    """The measurement made by `checkout`'s code (this script, run there as a child process)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--mode", args.mode]
    command += ["--rounds", str(args.rounds), "--batch", str(args.batch)] + (["--floors"] if args.floors else [])
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    result = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, check=True)
    timings: dict[str, list[float]] = json.loads(result.stdout.strip().splitlines()[-1])
    return timings


def summary(label: str, timings: dict[str, list[float]]) -> str:
    lines = [f"{label}:"]
    for route, values in ratios(timings).items():
        micro = timings[route]
        lines.append(
            f"  {route:<18} {statistics.median(micro):7.1f} µs (best round {min(micro):6.1f})   × /: median "
            f"{statistics.median(values):.2f}, range {min(values):.2f}–{max(values):.2f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=sorted(MODES), default="cc-compact")
    parser.add_argument("--rounds", type=int, default=15, help="rounds of batches, each route in turn")
    parser.add_argument("--batch", type=int, default=300, help="requests per route per round")
    parser.add_argument("--against", type=Path, help="another checkout, measured alternately with this one")
    parser.add_argument("--pairs", type=int, default=3, help="with --against: how many times each one runs")
    parser.add_argument("--profile", metavar="ROUTE", help="cProfile this route (e.g. me) instead of timing")
    parser.add_argument("--floors", action="store_true", help="also time the FLOORS routes (see their docstring)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    if args.profile is not None:
        child(args)
        return
    here = Path(__file__).resolve().parent.parent
    checkouts = [("this checkout", here)]
    if args.against is not None:
        checkouts.append((f"--against {args.against}", args.against.resolve()))
    for index in range(args.pairs if args.against is not None else 1):
        for label, checkout in checkouts:
            print(summary(f"[{index + 1}] {label} ({args.mode})", run_in(checkout, args)), flush=True)


if __name__ == "__main__":
    main()
