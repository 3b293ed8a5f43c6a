"""Password hashing: argon2id through passlib's `CryptContext` (provided by libpass), in worker threads of its own.

New hashes are argon2id (m=19456 KiB, t=2, p=1, OWASP's minimum). Verification also accepts better-auth's scrypt
format (`<saltHex>:<keyHex>`) and legacy bcrypt, and reports when a stored hash should be replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import secrets
import sys
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, TypeVar

import passlib
from passlib.context import CryptContext

HasherName = Literal["argon2id", "better-auth-scrypt"]
_T = TypeVar("_T")

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_DKLEN = 16384, 16, 1, 64
_SCRYPT_MAXMEM = 128 * _SCRYPT_N * _SCRYPT_R * 2


def _check_passlib_is_libpass() -> None:
    # libpass and the abandoned passlib 1.7.4 install the same `passlib` package; the old one breaks bcrypt 5.
    major, minor = (int(part) for part in passlib.__version__.split(".")[:2])
    if (major, minor) < (1, 9):
        raise RuntimeError(
            f"passlib {passlib.__version__} is installed over libpass: run "
            "`pip uninstall -y passlib libpass && pip install 'libpass[argon2,bcrypt]>=1.9.3'`."
        )


_check_passlib_is_libpass()


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking a password: whether it matched, and a replacement hash when one is due."""

    valid: bool
    new_hash: str | None = None


def _normalize(password: str) -> bytes:
    return unicodedata.normalize("NFKC", password).encode()


def _scrypt_key(password: str, salt_hex: str) -> bytes:
    # better-auth uses the hex text itself as the salt, not the bytes it encodes.
    return hashlib.scrypt(
        _normalize(password),
        salt=salt_hex.encode(),
        n=_SCRYPT_N,
        r=_SCRYPT_R,
        p=_SCRYPT_P,
        dklen=_SCRYPT_DKLEN,
        maxmem=_SCRYPT_MAXMEM,
    )


def _scrypt_hash(password: str) -> str:
    salt_hex = secrets.token_hex(16)
    return f"{salt_hex}:{_scrypt_key(password, salt_hex).hex()}"


def _scrypt_verify(password: str, stored: str) -> bool:
    salt_hex, _, key_hex = stored.partition(":")
    key = _scrypt_key(password, salt_hex)
    # Bytes, not str: compare_digest raises on non-ASCII text, and a corrupt stored hash must just not match.
    return hmac.compare_digest(key.hex().encode(), key_hex.lower().encode())


def _is_scrypt_hash(stored: str) -> bool:
    salt_hex, sep, key_hex = stored.partition(":")
    return bool(sep) and len(salt_hex) == 32 and len(key_hex) == 128


def available_cpus() -> int:
    """The CPUs this process may run on: its affinity mask where there is one (taskset, cpusets), else all."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # no sched_getaffinity outside Linux
        return os.cpu_count() or 1


def lower_thread_priority(increment: int) -> None:
    """Raise the calling thread's nice value by `increment` (at most to 19), on Linux, where niceness belongs to each
    thread. Elsewhere, or where it is refused, nothing happens. It cannot be undone without privileges, so only
    threads that do nothing else may call it."""
    if increment <= 0 or not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + increment))


class PasswordHasher:
    """Hashes and verifies passwords off the event loop, in a pool of `concurrency` threads of its own.

    The threads run `nice` steps below the rest of the process (Linux): when hashing and request handling want the
    same CPU, requests win it, so a burst of sign-ins slows sign-ins down rather than every session check.
    """

    def __init__(self, algorithm: HasherName = "argon2id", concurrency: int = 0, *, nice: int = 19) -> None:
        self.algorithm: HasherName = algorithm
        self._concurrency = concurrency or available_cpus()
        self._nice = nice
        self._pool: ThreadPoolExecutor | None = None
        self._context = CryptContext(
            schemes=["argon2", "bcrypt"],
            deprecated=["bcrypt"],
            argon2__type="ID",
            argon2__memory_cost=19456,
            argon2__rounds=2,
            argon2__parallelism=1,
        )
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        return await self._run(self._hash_sync, password)

    async def verify(self, password: str, stored: str) -> Verification:
        """Check `password` against `stored`; malformed or unknown hashes are a mismatch, never an error."""
        return await self._run(self._verify_sync, password, stored)

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of a real verification, for callers that have no hash (unknown user)."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(16))
        await self.verify(password, self._dummy_hash)

    def _hash_sync(self, password: str) -> str:
        if self.algorithm == "better-auth-scrypt":
            return _scrypt_hash(password)
        return str(self._context.hash(_normalize(password)))

    def _verify_sync(self, password: str, stored: str) -> Verification:
        if _is_scrypt_hash(stored):
            valid = _scrypt_verify(password, stored)
            rehash = valid and self.algorithm != "better-auth-scrypt"
            return Verification(valid, self._hash_sync(password) if rehash else None)
        secret = _normalize(password)
        if stored.startswith("$2"):
            secret = secret[:72]  # bcrypt hashes were made from the first 72 bytes only
        try:
            valid = bool(self._context.verify(secret, stored))
        except (ValueError, TypeError):
            return Verification(False)
        if not valid:
            return Verification(False)
        outdated = self.algorithm == "better-auth-scrypt" or self._context.needs_update(stored)
        return Verification(True, self._hash_sync(password) if outdated else None)

    def close(self) -> None:
        """Let the pool's threads end once their work is done (a later hash starts a new pool)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    async def _run(self, func: Callable[..., _T], *args: str) -> _T:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                self._concurrency,
                thread_name_prefix="password-hashing",
                initializer=lower_thread_priority,
                initargs=(self._nice,),
            )
        return await asyncio.get_running_loop().run_in_executor(self._pool, func, *args)
