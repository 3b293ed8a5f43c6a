"""Throttling of failed sign-ins per account (L2, L4; L1 for what a 429 reveals), over HTTP on the test clock.

The per-IP rule of /sign-in/email (3 per 10 s) is turned off here, so only the account counters speak: at most 3
failures per (email, network), 7 per email over all networks, in 10-minute windows.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from fastapi_betterauth import BetterAuth, ManualClock
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.errors import AuthError
from fastapi_betterauth.security.ratelimit.account import MESSAGE

from ..conftest import PASSWORD, AuthFactory, sign_in
from .ratelimit_support import Servers, empty_rate_limit_table, limits_on

EMAIL = "ann@example.com"
NEW_PASSWORD = "a brand new passphrase"
WINDOW = 600
THROTTLED = {"code": "RATE_LIMITED", "message": MESSAGE}
HOME, ATTACKER, ELSEWHERE = "203.0.113.10", "198.51.100.66", "192.0.2.44"


@pytest.fixture
async def serve(database: Database) -> AsyncIterator[Servers]:
    await empty_rate_limit_table(database)
    async with Servers.open() as servers:
        yield servers


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox.jsonl"


def throttled_auth(make_auth: AuthFactory, outbox: Path, storage: str = "memory", **account: Any) -> BetterAuth:
    options = {"max_failures": 3, "max_failures_all_networks": 7, "window": WINDOW, **account}
    return make_auth(
        rate_limit=limits_on(storage=storage, custom_rules={"/sign-in/email": False}, account=options),
        email={"outbox": str(outbox)},
    )


async def with_user(auth: BetterAuth) -> BetterAuth:
    await auth.api.sign_up_email(name="Ann", email=EMAIL, password=PASSWORD)
    return auth


async def wrong(client: httpx.AsyncClient, email: str = EMAIL) -> int:
    return (await sign_in(client, email, "wrong password")).status_code


def assert_throttled(response: httpx.Response, retry_after: int) -> None:
    assert response.status_code == 429
    assert response.json() == THROTTLED
    assert response.headers["retry-after"] == response.headers["x-retry-after"] == str(retry_after)


@pytest.mark.parametrize("storage", ["memory", "database"])
async def test_failures_from_one_network_are_throttled_until_the_window_ends(
    make_auth: AuthFactory,
    serve: Servers,
    outbox: Path,
    clock: ManualClock,
    storage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """L2: N failures, then 429 with Retry-After, even for the right password; after the window, allowed again."""
    client = await serve.client(await with_user(throttled_auth(make_auth, outbox, storage)))
    assert [await wrong(client) for _ in range(3)] == [401, 401, 401]
    with caplog.at_level(logging.INFO, logger="fastapi_betterauth.audit"):
        assert_throttled(await sign_in(client), WINDOW)
    assert "auth.sign_in.throttled scope=network" in caplog.text
    assert EMAIL not in caplog.text
    clock.advance(timedelta(seconds=WINDOW - 1))
    assert_throttled(await sign_in(client), 1)
    clock.advance(timedelta(seconds=1))
    assert (await sign_in(client)).status_code == 200


async def test_a_success_resets_the_count(make_auth: AuthFactory, serve: Servers, outbox: Path) -> None:
    """L2: only consecutive failures count."""
    client = await serve.client(await with_user(throttled_auth(make_auth, outbox)))
    assert [await wrong(client) for _ in range(2)] == [401, 401]
    assert (await sign_in(client)).status_code == 200
    assert [await wrong(client) for _ in range(4)] == [401, 401, 401, 429]


async def test_unknown_emails_are_throttled_alike(make_auth: AuthFactory, serve: Servers, outbox: Path) -> None:
    """L1: a 429 does not tell whether the account exists."""
    client = await serve.client(await with_user(throttled_auth(make_auth, outbox)))
    answers = {}
    for email in (EMAIL, "nobody@example.com"):
        assert [await wrong(client, email) for _ in range(3)] == [401, 401, 401]
        refused = await sign_in(client, email, "wrong password")
        answers[email] = (refused.status_code, refused.json(), refused.headers["retry-after"])
    assert answers[EMAIL] == answers["nobody@example.com"]


async def test_parallel_guesses_cannot_slip_through(make_auth: AuthFactory, serve: Servers, outbox: Path) -> None:
    """Attempts are counted before the password is checked: a burst gets exactly N verdicts."""
    client = await serve.client(await with_user(throttled_auth(make_auth, outbox)))
    statuses = await asyncio.gather(*(wrong(client) for _ in range(12)))
    assert sorted(statuses) == [401] * 3 + [429] * 9


async def test_an_attackers_network_does_not_lock_out_the_owner(
    make_auth: AuthFactory, serve: Servers, outbox: Path
) -> None:
    """L4: the attacker's network is refused; the owner, elsewhere, is not even delayed."""
    auth = await with_user(throttled_auth(make_auth, outbox))
    attacker, owner = await serve.client(auth, ATTACKER), await serve.client(auth, HOME)
    assert [await wrong(attacker) for _ in range(5)] == [401, 401, 401, 429, 429]
    assert (await sign_in(owner)).status_code == 200
    assert (await sign_in(attacker)).status_code == 429  # the owner's success does not free the attacker


async def exhaust_all_networks(auth: BetterAuth, serve: Servers, counted: int = 0) -> None:
    """Failures from fresh networks, 3 per network, until the all-networks cap (7) is reached; `counted` failures
    are on the account already. The next attempt from a fresh network is refused."""
    remaining, network = 7 - counted, 0
    while remaining:
        network += 1
        tries = min(3, remaining)
        bot = await serve.client(auth, f"198.51.100.{network}")
        assert [await wrong(bot) for _ in range(tries)] == [401] * tries
        remaining -= tries
    assert await wrong(await serve.client(auth, "198.51.100.99")) == 429


async def test_during_a_distributed_attack_known_networks_still_sign_in(
    make_auth: AuthFactory, serve: Servers, outbox: Path
) -> None:
    """L4: a network the owner signed in from lately is exempt from the all-networks cap."""
    auth = await with_user(throttled_auth(make_auth, outbox))
    home = await serve.client(auth, HOME)
    assert (await sign_in(home)).status_code == 200
    await exhaust_all_networks(auth, serve)
    assert (await sign_in(home)).status_code == 200


async def test_during_a_distributed_attack_new_networks_are_only_delayed(
    make_auth: AuthFactory, serve: Servers, outbox: Path, clock: ManualClock
) -> None:
    """L4: a network never used before waits at most one window, with Retry-After saying how long."""
    auth = await with_user(throttled_auth(make_auth, outbox))
    clock.advance(timedelta(seconds=1))
    await exhaust_all_networks(auth, serve)
    clock.advance(timedelta(seconds=100))
    traveller = await serve.client(auth, ELSEWHERE)
    refused = await sign_in(traveller)
    assert_throttled(refused, WINDOW - 100)
    clock.advance(timedelta(seconds=int(refused.headers["retry-after"])))
    assert (await sign_in(traveller)).status_code == 200


async def test_known_networks_expire(make_auth: AuthFactory, serve: Servers, outbox: Path, clock: ManualClock) -> None:
    auth = await with_user(throttled_auth(make_auth, outbox, known_network_ttl=3600))
    home = await serve.client(auth, HOME)
    assert (await sign_in(home)).status_code == 200
    clock.advance(timedelta(seconds=3600))
    await exhaust_all_networks(auth, serve)
    assert (await sign_in(home)).status_code == 429


async def request_reset_token(client: httpx.AsyncClient, auth: BetterAuth, outbox: Path) -> str:
    sent = await client.post("/api/auth/request-password-reset", json={"email": EMAIL})
    assert sent.status_code == 200
    await auth.drain()
    lines = (await asyncio.to_thread(outbox.read_text)).splitlines()
    messages = [json.loads(line) for line in lines]
    token: str = [message for message in messages if message["type"] == "reset-password"][-1]["token"]
    return token


async def test_password_reset_works_while_the_account_is_throttled(
    make_auth: AuthFactory, serve: Servers, outbox: Path
) -> None:
    """L4: the owner, refused after too many failures of their own and during an attack on the account, resets the
    password by email and signs in at once; the attacker's networks stay refused."""
    auth = await with_user(throttled_auth(make_auth, outbox))
    owner = await serve.client(auth, HOME)
    assert [await wrong(owner) for _ in range(4)] == [401, 401, 401, 429]
    await exhaust_all_networks(auth, serve, counted=3)
    token = await request_reset_token(owner, auth, outbox)
    reset = await owner.post("/api/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD})
    assert reset.status_code == 200
    assert (await sign_in(owner, EMAIL, NEW_PASSWORD)).status_code == 200
    assert (await sign_in(await serve.client(auth, "198.51.100.1"), EMAIL, NEW_PASSWORD)).status_code == 429


async def test_server_side_sign_ins_are_not_counted(make_auth: AuthFactory, serve: Servers, outbox: Path) -> None:
    auth = await with_user(throttled_auth(make_auth, outbox))
    for _ in range(10):
        with pytest.raises(AuthError):
            await auth.api.sign_in_email(email=EMAIL, password="wrong password")
    client = await serve.client(auth)
    assert [await wrong(client) for _ in range(4)] == [401, 401, 401, 429]


async def test_account_throttling_can_be_turned_off(make_auth: AuthFactory, serve: Servers, outbox: Path) -> None:
    client = await serve.client(await with_user(throttled_auth(make_auth, outbox, enabled=False)))
    assert {await wrong(client) for _ in range(8)} == {401}
    assert (await sign_in(client)).status_code == 200
