"""Password storage (docs/design.md#password-hashes, docs/better-auth.md#password-hashing): argon2id for new hashes
(P6), transparent rehash of better-auth scrypt, old argon2 and bcrypt hashes on sign-in (P7), NFKC normalisation (P3),
no truncation (P2), code-point lengths (P1), and hashing off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import sys
import threading
import time
import unicodedata
from collections.abc import Awaitable, Callable
from functools import cache
from typing import TypeVar

import argon2
import bcrypt
import httpx2 as httpx
import pytest
from sqlalchemy import update
from sqlmodel import select

from fastapi_betterauth.crypto.passwords import PasswordHasher, available_cpus
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Account, User

from ..conftest import PASSWORD, ConfiguredClientFactory, sign_in, sign_up

pytestmark = pytest.mark.real_password_hashing  # what is tested here is the hashing itself, at its real cost

CURRENT_ARGON2 = re.compile(r"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$")
SCRYPT = re.compile(r"^[0-9a-f]{32}:[0-9a-f]{128}$")
_T = TypeVar("_T")


def nfkc(password: str) -> bytes:
    return unicodedata.normalize("NFKC", password).encode()


def scrypt_key(password: str, salt_hex: str) -> str:
    """better-auth's scrypt (docs/better-auth.md#password-hashing), computed independently of the package."""
    key = hashlib.scrypt(nfkc(password), salt=salt_hex.encode(), n=16384, r=16, p=1, dklen=64, maxmem=2**26 + 2**20)
    return key.hex()


def better_auth_scrypt_hash(password: str) -> str:
    salt_hex = secrets.token_hex(16)
    return f"{salt_hex}:{scrypt_key(password, salt_hex)}"


@cache
def old_argon2_hash(password: str) -> str:
    """argon2id with the parameters of an older deployment (slow: made once per run)."""
    return argon2.PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(nfkc(password))


@cache
def bcrypt_hash(password: str) -> str:
    """A legacy bcrypt hash: bcrypt only ever saw the first 72 bytes."""
    return bcrypt.hashpw(nfkc(password)[:72], bcrypt.gensalt(rounds=10)).decode()


def is_current_argon2_of(stored: str, password: str) -> bool:
    if not CURRENT_ARGON2.match(stored):
        return False
    try:
        return argon2.PasswordHasher().verify(stored, nfkc(password))
    except argon2.exceptions.VerificationError:
        return False


async def stored_hash(database: Database, email: str = "ann@example.com") -> str:
    async with database.session() as db:
        statement = select(Account.password).join(User, Account.user_id == User.id).where(User.email == email)  # type: ignore[arg-type]
        value = (await db.exec(statement)).one()
    assert value is not None
    return value


async def set_stored_hash(database: Database, stored: str, email: str = "ann@example.com") -> None:
    async with database.session() as db, db.begin():
        user_id = (await db.exec(select(User.id).where(User.email == email))).one()
        await db.exec(update(Account).where(Account.user_id == user_id).values(password=stored))  # type: ignore[arg-type]


async def max_loop_gap(work: Awaitable[_T]) -> tuple[_T, float, float]:
    """Run `work` while a coroutine ticks every 5 ms; return its result, the longest gap between ticks (how long
    the event loop was blocked at most) and how long `work` took."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            gaps.append(time.perf_counter() - start)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.02)
    start = time.perf_counter()
    try:
        result = await work
    finally:
        duration = time.perf_counter() - start
        done.set()
        await ticker
    return result, max(gaps), duration


async def test_new_hashes_are_argon2id_with_owasp_parameters(client: httpx.AsyncClient, database: Database) -> None:
    """P6: argon2id m=19456 t=2 p=1, with a unique salt: the same password gives two different hashes."""
    assert (await sign_up(client)).status_code == 200
    assert (await sign_up(client, email="bob@example.com")).status_code == 200

    ann, bob = await stored_hash(database), await stored_hash(database, "bob@example.com")

    assert CURRENT_ARGON2.match(ann), ann
    assert CURRENT_ARGON2.match(bob), bob
    assert ann != bob
    assert ann.split("$")[4] != bob.split("$")[4]  # different salts
    assert is_current_argon2_of(ann, PASSWORD)
    assert not is_current_argon2_of(ann, PASSWORD + "!")


LEGACY_HASHES: dict[str, Callable[[str], str]] = {
    "better-auth-scrypt": better_auth_scrypt_hash,
    "argon2id-m65536-t3-p4": old_argon2_hash,
    "bcrypt": bcrypt_hash,
}


@pytest.mark.parametrize("kind", list(LEGACY_HASHES))
async def test_legacy_hashes_are_upgraded_on_sign_in(client: httpx.AsyncClient, database: Database, kind: str) -> None:
    """P7: a user imported with a better-auth scrypt, older argon2id or bcrypt hash signs in, and the stored hash
    becomes the current argon2id. The slow old argon2 verification runs off the event loop."""
    assert (await sign_up(client)).status_code == 200
    legacy = LEGACY_HASHES[kind](PASSWORD)
    await set_stored_hash(database, legacy)

    wrong = await sign_in(client, password="wrong password")
    assert wrong.status_code == 401
    assert await stored_hash(database) == legacy  # a failed attempt changes nothing

    response, gap, duration = await max_loop_gap(sign_in(client))

    assert response.status_code == 200, response.text
    upgraded = await stored_hash(database)
    assert upgraded != legacy
    assert is_current_argon2_of(upgraded, PASSWORD)
    if kind == "argon2id-m65536-t3-p4":
        # This verification alone takes hundreds of ms: on the event loop, it would stall the loop for most of the
        # request (the faster legacy hashes do not make that difference measurable).
        assert gap < duration / 2, (gap, duration)
    # Once current, the hash is left alone.
    assert (await sign_in(client)).status_code == 200
    assert await stored_hash(database) == upgraded


async def test_bcrypt_keeps_its_72_byte_semantics_until_upgraded(client: httpx.AsyncClient, database: Database) -> None:
    """P7: with a bcrypt hash, a 100-byte password whose first 72 bytes match signs in (what bcrypt always did); the
    upgrade hashes the whole password, and from then on the 72-byte prefix alone no longer works (P2)."""
    password = "b" * 72 + "-the rest bcrypt never saw-"
    assert len(password.encode()) == 99
    assert (await sign_up(client, password="placeholder password")).status_code == 200
    await set_stored_hash(database, bcrypt_hash(password))

    assert (await sign_in(client, password=password)).status_code == 200

    assert is_current_argon2_of(await stored_hash(database), password)
    assert (await sign_in(client, password=password[:72])).status_code == 401
    assert (await sign_in(client, password=password)).status_code == 200


async def test_better_auth_scrypt_hasher_writes_nodes_format(
    make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    """docs/design.md#password-hashes: with `password_hasher="better-auth-scrypt"` new hashes are the ones a Node
    better-auth app verifies, and sign-in keeps them (moving argon2id hashes to scrypt is checked in
    `test_verify_reports_when_to_rehash`)."""
    client = await make_configured_client(email_and_password={"password_hasher": "better-auth-scrypt"})
    assert (await sign_up(client)).status_code == 200

    stored = await stored_hash(database)

    assert SCRYPT.match(stored), stored
    salt_hex, key_hex = stored.split(":")
    assert scrypt_key(PASSWORD, salt_hex) == key_hex
    assert (await sign_in(client)).status_code == 200
    assert await stored_hash(database) == stored


@pytest.mark.parametrize(
    ("signed_up_with", "signed_in_with"),
    [
        (unicodedata.normalize("NFC", "Pässwörd-lang-genug"), unicodedata.normalize("NFD", "Pässwörd-lang-genug")),
        (unicodedata.normalize("NFD", "Pässwörd-lang-genug"), unicodedata.normalize("NFC", "Pässwörd-lang-genug")),
        ("".join(chr(ord(c) + 0xFEE0) for c in "password123"), "password123"),  # fullwidth forms: NFKC → ASCII
    ],
    ids=["nfc-then-nfd", "nfd-then-nfc", "fullwidth-then-ascii"],
)
async def test_passwords_are_nfkc_normalised(
    client: httpx.AsyncClient, signed_up_with: str, signed_in_with: str
) -> None:
    """P3: Unicode is accepted and compared after NFKC normalisation."""
    assert signed_up_with != signed_in_with
    assert (await sign_up(client, password=signed_up_with)).status_code == 200

    assert (await sign_in(client, password=signed_in_with)).status_code == 200
    assert (await sign_in(client, password=signed_in_with[:-1])).status_code == 401


async def test_the_whole_128_character_password_counts(client: httpx.AsyncClient) -> None:
    """P2: no truncation, in characters or in bytes."""
    password = ("ä-correct-horse-battery-staple-" * 5)[:128]
    assert len(password) == 128
    assert (await sign_up(client, password=password)).status_code == 200

    assert (await sign_in(client, password=password)).status_code == 200
    for wrong in (password[:127], password[:72], password[:-1] + "X", password.encode()[:72].decode()):
        assert (await sign_in(client, password=wrong)).status_code == 401


async def test_lengths_count_characters_not_bytes(client: httpx.AsyncClient) -> None:
    """P1: eight emoji (32 UTF-8 bytes) are an acceptable password; seven accented letters (14 bytes) are too short."""
    too_short = await sign_up(client, password="é" * 7)
    assert too_short.status_code == 400
    assert too_short.json()["code"] == "PASSWORD_TOO_SHORT"

    assert (await sign_up(client, password="😀🔑🐴🔋📎🦄🌵🎉")).status_code == 200
    assert (await sign_in(client, password="😀🔑🐴🔋📎🦄🌵🎉")).status_code == 200


# Unit tests of the hasher itself.


async def test_hashing_runs_off_the_event_loop() -> None:
    """A slow verification (argon2 with 64 MiB, t=3, plus the rehash) leaves the event loop free: the longest pause
    of a 5 ms ticker stays far below the verification's own time, which it would match if it ran on the loop."""
    hasher = PasswordHasher()
    stored = old_argon2_hash(PASSWORD)

    outcome, gap, duration = await max_loop_gap(hasher.verify(PASSWORD, stored))

    assert outcome.valid
    assert outcome.new_hash is not None
    assert duration > 0.05
    assert gap < duration / 2, (gap, duration)


def test_hashes_run_at_once_on_as_many_threads_as_the_process_has_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process pinned to one CPU (taskset, a cpuset) hashes one password at a time: more threads would only
    share that CPU with the event loop, and slow every other request down (bench/README.md)."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {3}, raising=False)
    assert available_cpus() == 1
    assert PasswordHasher()._concurrency == 1
    assert PasswordHasher(concurrency=4)._concurrency == 4
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    assert available_cpus() == (os.cpu_count() or 1)


def own_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads have a nice value of their own on Linux")
async def test_hashing_threads_run_below_the_rest_of_the_process() -> None:
    """When hashing and request handling want the same CPU, requests win it (bench/README.md: the p99 of session
    checks during a burst of sign-ins). The event loop's own thread keeps its priority."""
    process = own_nice()
    lowered = PasswordHasher(nice=7)
    same = PasswordHasher(nice=0)
    try:
        assert await lowered._run(own_nice) == min(19, process + 7)
        assert await same._run(own_nice) == process
        assert (await lowered.verify(PASSWORD, await lowered.hash(PASSWORD))).valid
        assert own_nice() == process
    finally:
        lowered.close()
        same.close()


async def test_no_more_hashes_run_at_once_than_the_pool_has_threads() -> None:
    hasher = PasswordHasher(concurrency=2)
    running, peak, lock = 0, 0, threading.Lock()

    def work(_: str) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    await asyncio.gather(*(hasher._run(work, "x") for _ in range(8)))
    assert peak == 2
    hasher.close()
    assert (await hasher.verify(PASSWORD, await hasher.hash(PASSWORD))).valid  # a new pool after close()
    hasher.close()


async def test_verify_reports_when_to_rehash() -> None:
    hasher = PasswordHasher()
    current = await hasher.hash(PASSWORD)

    assert CURRENT_ARGON2.match(current)
    assert (await hasher.verify(PASSWORD, current)).valid
    assert (await hasher.verify(PASSWORD, current)).new_hash is None
    assert not (await hasher.verify("wrong password", current)).valid

    scrypt = better_auth_scrypt_hash(PASSWORD)
    upgraded = await hasher.verify(PASSWORD, scrypt)
    assert upgraded.valid
    assert upgraded.new_hash is not None
    assert is_current_argon2_of(upgraded.new_hash, PASSWORD)

    node = PasswordHasher("better-auth-scrypt")
    kept = await node.verify(PASSWORD, scrypt)
    assert kept.valid
    assert kept.new_hash is None
    moved = await node.verify(PASSWORD, current)
    assert moved.valid
    assert moved.new_hash is not None
    assert SCRYPT.match(moved.new_hash)
    salt_hex, key_hex = moved.new_hash.split(":")
    assert scrypt_key(PASSWORD, salt_hex) == key_hex


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "garbage",
        ":",
        "abc:def",
        "$argon2id$",
        "$argon2id$v=19$m=19456,t=2,p=1$bad",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$",
        "$2b$10$short",
        "$2b$99$" + "a" * 21 + "." + "a" * 31,
        "$1$abc$def",
        "$pbkdf2-sha256$29000$abc$def",
        "a" * 32 + ":" + "z" * 128,
        "a" * 32 + ":" + "é" * 128,
        "é" * 32 + ":" + "a" * 128,
        "A" * 32 + ":" + "0" * 128,
    ],
)
async def test_a_malformed_stored_hash_is_a_mismatch_not_an_error(stored: str) -> None:
    outcome = await PasswordHasher().verify(PASSWORD, stored)

    assert outcome.valid is False
    assert outcome.new_hash is None
