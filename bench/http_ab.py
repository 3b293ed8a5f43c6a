"""Interleaved A/B of two checkouts over HTTP at concurrency 1, for a busy machine where wrk runs swing too much.

Both checkouts' bench/app.py run side by side as bench/run.py starts them (uvicorn, one worker, pinned to CPU 0;
uvloop and httptools when importable), each on a fresh SQLite file with the same mode. One keep-alive client, pinned
to CPU 1, sends one request of each route of each server in turn (the order of the routes rotating, so that none is
always the first after a switch), and keeps per round each route's median latency. It reports each route as a ratio
of `/` in the same round (at concurrency 1 that is the ratio of throughputs): median and range over the rounds.

    .venv/bin/python bench/http_ab.py --against /tmp/main-checkout --mode cc-compact --rounds 6 --batch 300

`--python` runs the servers with another interpreter (one with `uvicorn[standard]`, e.g. bench/run.py's venv-fba),
`--path` adds folders to their `PYTHONPATH` (e.g. a `pip install --target` of uvloop and httptools).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from inprocess import MODES, ROUTES

ROOT = Path(__file__).resolve().parent.parent
PIN = {0, 1} <= os.sched_getaffinity(0)
"""Servers on CPU 0 and the client on CPU 1, when both are ours to use."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(checkout: Path, args: argparse.Namespace, folder: str) -> tuple[subprocess.Popen[bytes], int, str]:
    """The checkout's benchmark app, serving, with one user signed up: the process, its port, its `Cookie`."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([*args.path, str(checkout)]),
        "BETTER_AUTH_ENVIRONMENT": "production",
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(48),
        "BETTER_AUTH_URL": f"http://127.0.0.1:{port}",
        "BETTER_AUTH_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/{port}.db",
        "BETTER_AUTH_RATE_LIMIT__ENABLED": "false",
        **MODES[args.mode],
    }
    argv = [args.python, "-m", "uvicorn", "app:counted_app", "--app-dir", "bench", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(["taskset", "-c", "0", *argv] if PIN else argv, cwd=checkout, env=env)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    body = json.dumps({"name": "Bench", "email": "bench@example.com", "password": "correct horse battery"}).encode()
    headers = {"content-type": "application/json", "origin": f"http://127.0.0.1:{port}"}
    sign_up = urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/sign-up/email", body, headers)
    with urllib.request.urlopen(sign_up) as answer:  # noqa: S310 (http://127.0.0.1 above)
        cookies = [value.split(";", 1)[0] for name, value in answer.headers.items() if name.lower() == "set-cookie"]
    return process, port, "; ".join(cookie for cookie in cookies if not cookie.endswith("="))


class Connection:
    """One keep-alive connection to a server, with its requests prepared."""

    def __init__(self, port: int, cookie: str) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port))
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.requests = {
            route: f"GET {route} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n\r\n".encode()
            for route in ROUTES
        }
        self.buffer = b""

    def get(self, route: str) -> None:
        """One request, and its whole answer read (it must be a 200)."""
        self.socket.sendall(self.requests[route])
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self.buffer += self.socket.recv(65536)
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        if not head[0].startswith("HTTP/1.1 200"):
            raise SystemExit(f"{route}: {head[0]}")
        length = next(int(line.split(":", 1)[1]) for line in head if line.lower().startswith("content-length:"))
        total = end + 4 + length
        while len(self.buffer) < total:
            self.buffer += self.socket.recv(65536)
        self.buffer = self.buffer[total:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", type=Path, required=True, help="the other checkout")
    parser.add_argument("--mode", choices=sorted(MODES), default="cc-compact")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--batch", type=int, default=300, help="requests per route per server per round")
    parser.add_argument("--python", default=sys.executable, help="the servers' interpreter")
    parser.add_argument("--path", action="append", default=[], help="a folder added to the servers' PYTHONPATH")
    args = parser.parse_args()
    checkouts = {"this checkout": ROOT, f"--against {args.against}": args.against.resolve()}
    with tempfile.TemporaryDirectory() as folder:
        servers = {label: start(checkout, args, folder) for label, checkout in checkouts.items()}
        try:
            if PIN:
                os.sched_setaffinity(0, {1})
            connections = {label: Connection(port, cookie) for label, (_, port, cookie) in servers.items()}
            for _ in range(300):  # warm-up
                for connection in connections.values():
                    for route in ROUTES:
                        connection.get(route)
            medians: dict[str, dict[str, list[float]]] = {label: {r: [] for r in ROUTES} for label in servers}
            for _ in range(args.rounds):
                samples: dict[str, dict[str, list[float]]] = {label: {r: [] for r in ROUTES} for label in servers}
                for index in range(args.batch):
                    order = ROUTES[index % len(ROUTES) :] + ROUTES[: index % len(ROUTES)]
                    for label, connection in connections.items():
                        for route in order:
                            start_time = time.perf_counter()
                            connection.get(route)
                            samples[label][route].append(time.perf_counter() - start_time)
                for label, routes in samples.items():
                    for route, values in routes.items():
                        medians[label][route].append(statistics.median(values) * 1e6)
            for label, routes in medians.items():
                print(f"{label} ({args.mode}):")
                for route, values in routes.items():
                    ratios = [base / value for base, value in zip(routes["/"], values, strict=True)]
                    print(
                        f"  {route:<18} {statistics.median(values):7.1f} µs   × /: median "
                        f"{statistics.median(ratios):.2f}, range {min(ratios):.2f}–{max(ratios):.2f}"
                    )
            print(f"load average after: {' '.join(f'{load:.1f}' for load in os.getloadavg())}")
        finally:
            for process, _, _ in servers.values():
                process.terminate()
                process.wait()


if __name__ == "__main__":
    main()
