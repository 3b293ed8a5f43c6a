"""Revoked sessions stay revoked across instances (docs/security.md S12): sign-outs on one instance racing reads of
the same sessions on the other leave none of them valid, in every way of keeping sessions.

With sessions in Redis and the `session` table, a read on the second instance that missed Redis between the sign-out's
removal there and its deletion of the row copied the row back into Redis, with a fresh 7-day TTL: 6 and 13 of 30
signed-out sessions stayed valid on both instances. The deterministic interleavings are in
tests/sessions/test_storage_races.py; this is the same race between two real processes.
"""

from __future__ import annotations

import asyncio

import httpx2 as httpx
import pytest

from .browser import Browser, Call, assert_signed_out, new_email
from .servers import AppInstance

pytestmark = [pytest.mark.slow, pytest.mark.resilience]

SESSIONS = 30
READS = 10
SPREAD = 0.02
"""Each sign-out is sent with READS reads of its session on the other instance, spread over SPREAD seconds."""


@pytest.fixture(params=["database", "redis", "redis_only", "stateless"])
def any_pair(request: pytest.FixtureRequest) -> list[AppInstance]:
    """Sessions in the database; in Redis with a database copy; in Redis only; stateless with revocations in Redis."""
    instances: list[AppInstance] = request.getfixturevalue(f"{request.param}_pair")
    return instances


async def test_sign_outs_racing_reads_on_the_other_instance_all_stay_signed_out(
    any_pair: list[AppInstance], http: httpx.AsyncClient
) -> None:
    a, b = any_pair
    email = new_email("race")
    first = Browser(http, name="session 0")
    user_id = (await first.sign_up(a, email)).body["user"]["id"]
    browsers = [first]
    for start in range(1, SESSIONS, 10):  # signed in a few at a time: each sign-in hashes a password
        batch = [Browser(http, name=f"session {n}") for n in range(start, min(start + 10, SESSIONS))]
        await asyncio.gather(*(browser.sign_in(a, email) for browser in batch))
        browsers += batch
    for browser in browsers:
        assert (await browser.me(b)).status == 200  # every session known on both instances before the race
    copies = [browser.copy(f"{browser.name}, copied") for browser in browsers]

    async def read(copy: Browser, instance: AppInstance = b) -> Call:
        return await copy.call(instance, "GET", "/api/auth/get-session", keep=False)

    async def read_after(copy: Browser, delay: float) -> Call:
        await asyncio.sleep(delay)
        return await read(copy)

    signed_out: list[Call] = []
    reads: list[Call] = []
    for browser, copy in zip(browsers, copies, strict=True):
        # One session at a time, its sign-out sent with reads spread over the few milliseconds it takes: the reads
        # that matter are those between the sign-out's removal from Redis and its deletion of the row.
        signing_out, *reading = await asyncio.gather(
            browser.post(a, "/api/auth/sign-out"), *(read_after(copy, SPREAD * k / READS) for k in range(READS))
        )
        signed_out.append(signing_out)
        reads += reading
    assert all(call.status == 200 for call in signed_out), [str(call) for call in signed_out if call.status != 200]
    assert all(call.status == 200 for call in reads), [str(call) for call in reads if call.status != 200]

    survivors = []
    for copy in copies:
        for instance in (a, b):
            answer = (
                await read(copy) if instance is b else await copy.call(a, "GET", "/api/auth/get-session", keep=False)
            )
            if answer.status != 200 or answer.body is not None:
                survivors.append(str(answer))
    assert survivors == [], f"{len(survivors)} answers of {SESSIONS} signed-out sessions of {user_id}: {survivors}"
    for copy in copies[:3]:
        assert_signed_out(await copy.me(a))
        assert_signed_out(await copy.me(b))
