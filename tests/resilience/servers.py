"""Real processes for the resilience tests: a throwaway PostgreSQL cluster, a throwaway redis-server and instances of
the example app under uvicorn. Each can be stopped and started again (and frozen with SIGSTOP) while the others run.

Nothing here is pytest-specific but `missing()`, which says why a binary is unavailable. Every process is started by
the test run itself and ended by it: the fixtures stop them in `finally`, an `atexit` hook catches what an interrupted
run left, and the app processes get SIGTERM if the test process dies (`PR_SET_PDEATHSIG`).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx2 as httpx
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

REPO = Path(__file__).resolve().parents[2]
PG_USER = "postgres"
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _popen(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
    """Popen; a child started from the main thread is sent SIGTERM if the test process dies. (Not from other
    threads: the signal follows the thread that forked, and `asyncio.to_thread` workers come and go.)"""
    if threading.current_thread() is threading.main_thread() and sys.platform.startswith("linux"):
        kwargs["preexec_fn"] = _die_with_parent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork() in a multi-threaded process
        return subprocess.Popen(args, **kwargs)  # type: ignore[call-overload,no-any-return]


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


_cleanups: list[Callable[[], None]] = []


def temporary_directory(prefix: str) -> Path:
    """A new directory under the system temp dir, removed at exit at the latest."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    _cleanups.append(lambda: shutil.rmtree(path, ignore_errors=True))
    return path


@atexit.register
def _cleanup_leftovers() -> None:
    """Whatever a fixture could not stop (an interrupted run): stop it now."""
    while _cleanups:
        with contextlib.suppress(Exception):
            _cleanups.pop()()


# --- PostgreSQL ---


def postgres_bindir() -> Path | None:
    """The directory of `initdb` and `pg_ctl`: the newest /usr/lib/postgresql/<version>/bin, else PATH."""
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        versions = sorted(
            (entry for entry in root.iterdir() if (entry / "bin" / "pg_ctl").is_file() and entry.name.isdigit()),
            key=lambda entry: int(entry.name),
        )
        if versions:
            return versions[-1] / "bin"
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    return None


def postgres_missing() -> str | None:
    """Why a throwaway cluster cannot be made here, or None."""
    if postgres_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(PG_USER)
        except KeyError:
            return f"running as root and there is no {PG_USER!r} user to run PostgreSQL as"
    return None


class PostgresCluster:
    """`initdb` into a temp dir, `pg_ctl start -w` on a free loopback port. As root the cluster runs as `postgres`.

    `stop()` is a fast shutdown (clients disconnected, transactions rolled back); `stop(mode="immediate")` is a
    crash. `freeze()` SIGSTOPs the postmaster and every backend: connections stay open, nothing answers.
    """

    def __init__(self) -> None:
        bindir = postgres_bindir()
        assert bindir is not None
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="fba-resilience-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._as_user: dict[str, object] = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam(PG_USER)
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        self.frozen = False
        _cleanups.append(self.destroy)

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.root,
            capture_output=True,
            timeout=timeout,
            **self._as_user,  # type: ignore[arg-type]
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{output}\n{_tail(self.log)}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", PG_USER, "-A", "trust", "-E", "UTF8", "--no-locale", "-N")
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": "300",
            "shared_buffers": "32MB",
            "fsync": "off",  # throwaway data; crash safety of the server is not what is tested
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "log_min_messages": "warning",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("".join(f"{key} = {value}\n" for key, value in settings.items()))

    def start(self) -> None:
        """Returns once the server accepts connections (`pg_ctl start -w`)."""
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60")

    def stop(self, mode: str = "fast") -> None:
        self.thaw()
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")

    @property
    def running(self) -> bool:
        return self.postmaster_pid() is not None

    def postmaster_pid(self) -> int | None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def _processes(self) -> list[int]:
        """The postmaster and its children (backends, background workers)."""
        postmaster = self.postmaster_pid()
        if postmaster is None:
            return []
        pids = [postmaster]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                pids.append(int(entry.name))
        return pids

    def freeze(self) -> None:
        """Every process of the cluster stops answering (SIGSTOP); connections stay open."""
        self.frozen = True
        for pid in self._processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if not self.frozen:
            return
        for pid in self._processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = False

    def ensure_up(self) -> None:
        """Running and answering, whatever a failed test left behind."""
        self.thaw()
        if not self.running:
            self.start()

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def log_tail(self) -> str:
        return _tail(self.log)

    def destroy(self) -> None:
        try:
            self.thaw()
            if self.running:
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            with contextlib.suppress(ValueError):
                _cleanups.remove(self.destroy)


# --- Redis ---


def redis_missing() -> str | None:
    return None if shutil.which("redis-server") else "redis-server is not installed"


class RedisServer:
    """A redis-server child process on a free loopback port, no persistence of its own.

    `stop()` saves the data set and shuts down, so `start()` brings back the same keys (an outage: a restart, a
    failover, a network cut). `stop(keep_data=False)` kills it and loses every key (a loss). `freeze()` SIGSTOPs it.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="fba-resilience-redis-"))
        self.log = self.root / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.frozen = False
        _cleanups.append(self.destroy)

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def client(self) -> redis.Redis:
        no_retries = Retry(NoBackoff(), 0)
        return redis.Redis(
            host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2, retry=no_retries
        )

    def start(self) -> None:
        """Returns once the server answers PING."""
        assert self.process is None or self.process.poll() is not None, "already running"
        args = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(self.root),
            "--dbfilename",
            "dump.rdb",
        ]
        with self.log.open("ab") as output:
            self.process = _popen(args, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}:\n{_tail(self.log)}")
            try:
                with self.client() as client:
                    if client.ping():
                        return
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer within 30 s:\n{_tail(self.log)}")
            time.sleep(0.02)

    def stop(self, *, keep_data: bool = True) -> None:
        self.thaw()
        process = self.process
        if process is None or process.poll() is not None:
            return
        if keep_data:
            # A raw command: redis-py would retry the connection the server closes, for seconds.
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
                conn.sendall(b"SHUTDOWN SAVE\r\n")
                conn.recv(1024)
        else:
            (self.root / "dump.rdb").unlink(missing_ok=True)
            process.kill()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def freeze(self) -> None:
        assert self.process is not None
        self.frozen = True
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.frozen and self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
        self.frozen = False

    def ensure_up(self) -> None:
        self.thaw()
        if not self.running:
            self.start()

    def log_tail(self) -> str:
        return _tail(self.log)

    def destroy(self) -> None:
        try:
            self.thaw()
            if self.process is not None and self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            with contextlib.suppress(ValueError):
                _cleanups.remove(self.destroy)


# --- The example app ---


def clean_environment() -> dict[str, str]:
    """This process's environment without any auth setting that could leak into an instance."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith("BETTER_AUTH_") and key.upper() not in ("DATABASE_URL", "AUTH_SECRET")
    }


def migrate(database_url: str) -> None:
    """`python -m fastapi_betterauth migrate`, as a deployment would run it before starting instances."""
    env = {**clean_environment(), "BETTER_AUTH_DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "fastapi_betterauth", "migrate"], cwd=REPO, env=env, capture_output=True, timeout=120
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace")
        raise RuntimeError(f"migrate failed ({result.returncode}):\n{output}")


class AppInstance:
    """`uvicorn example_app.main:app` on a free loopback port, with `env` on top of a clean environment. Its
    stdout and stderr go to a log file; the process must never exit on its own (`exited()` says whether it did)."""

    def __init__(self, name: str, env: Mapping[str, str], workdir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir / name
        self.workdir.mkdir(parents=True)  # the working directory: no stray .env is read
        self.log = self.workdir / "uvicorn.log"
        self.env = {**clean_environment(), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **env}
        self.process: subprocess.Popen[bytes] | None = None
        self.stopped_by_us = False
        _cleanups.append(self.stop)

    def __repr__(self) -> str:
        return f"<{self.name} {self.base_url}>"

    def start(self) -> None:
        args = [sys.executable, "-m", "uvicorn", "example_app.main:app", "--host", "127.0.0.1"]
        args += ["--port", str(self.port), "--no-access-log", "--timeout-graceful-shutdown", "5"]
        args += ["--timeout-keep-alive", "15"]  # longer than the clients keep idle connections (browser.py)
        with self.log.open("ab") as output:
            self.process = _popen(
                args, cwd=self.workdir, env=self.env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )

    def wait_until_up(self, timeout: float = 60) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode} at start:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/api/auth/ok", timeout=2, trust_env=False).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer /api/auth/ok within {timeout} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def exited(self) -> int | None:
        """The exit status if the process ended without being asked to, else None."""
        if self.process is None or self.stopped_by_us:
            return None
        return self.process.poll()

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int) -> str:
        try:
            with self.log.open("rb") as log:
                log.seek(offset)
                return log.read().decode(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return _tail(self.log, lines)

    def stop(self) -> None:
        process = self.process
        if process is None:
            return
        self.stopped_by_us = True
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        with contextlib.suppress(ValueError):
            _cleanups.remove(self.stop)
