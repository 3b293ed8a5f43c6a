"""Issue 10, Redis outage: the test's own redis-server is stopped (or frozen, or restarted empty).

Where sessions are also kept in the database (`redis_pair`), session checks fall back to it; where Redis is the only
copy (`redis_only_instance`), they fail fast: 503 within the configured timeout. Never a hang, never a sign-out
(no `null`, no 401, no cleared cookie), and the service is back within 1 s of Redis.
"""

from __future__ import annotations

import asyncio
import time
from functools import partial

import httpx2 as httpx
import pytest

from .browser import (
    PASSWORD,
    PROMPT,
    RECOVERY,
    SESSION_DATA,
    SESSION_TOKEN,
    Browser,
    Call,
    assert_answered_or_unavailable,
    assert_signed_in,
    assert_unavailable,
    new_email,
)
from .outage import (
    Findings,
    Load,
    Member,
    check_cache_back,
    check_cache_while_down,
    check_recovered,
    check_recovery,
    has_token,
    is_user,
    members,
)
from .servers import AppInstance, RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.resilience]

OUTAGE = 1.5


async def check_still_signed_in(findings: Findings, instances: list[AppInstance], before: list[Member]) -> None:
    for member in before:
        findings.check(f"{member.browser.name} keeps its cookie", has_token, member.browser)
        for instance in instances:
            for call in (await member.browser.me(instance), await member.browser.session(instance)):
                findings.check(f"{member.browser.name} after the outage", assert_signed_in, call, member.user_id)


async def test_a_storage_outage_falls_back_to_the_database(
    redis_pair: list[AppInstance], redis_server: RedisServer, http: httpx.AsyncClient
) -> None:
    """Sessions in Redis and in the table: with Redis down they are read from the table. Auth routes whose rate
    limit lives in Redis may answer 503 instead; nothing may sign anyone out."""
    instances = redis_pair
    findings = Findings()
    before = await members(http, instances, 4, "before")
    [probe] = await members(http, instances, 1, "probe")

    async with Load() as load:
        load.start(http, instances, before, sign_up_workers=1)
        await asyncio.sleep(0.5)
        stopping = time.monotonic()
        await asyncio.to_thread(redis_server.stop)
        down = time.monotonic()
        during: list[tuple[Browser, Call]] = []
        try:
            for instance in instances:
                for member in before[:2]:
                    call = await member.browser.me(instance)
                    findings.check(
                        f"{instance.name} /me from the database copy", assert_signed_in, call, member.user_id, PROMPT
                    )
                    call = await member.browser.session(instance)
                    findings.check(f"{instance.name} get-session", assert_answered_or_unavailable, call, member.user_id)
                browser = Browser(http, name=f"signed in on {instance.name} during the outage")
                call = await browser.post(
                    instance, "/api/auth/sign-in/email", {"email": probe.email, "password": PASSWORD}
                )
                findings.check(f"{instance.name} sign-in", assert_answered_or_unavailable, call)
                if call.status == 200:
                    during.append((browser, call))
            await asyncio.sleep(max(0.0, OUTAGE - (time.monotonic() - down)))
        finally:
            starting = time.monotonic()
            await asyncio.to_thread(redis_server.start)  # returns once Redis answers PING; the data set is the same
        back = time.monotonic()
        await check_recovery(findings, instances, before[0], probe, back, session_route="get-session")
    print(load.summary(stopping, starting))

    findings.check_each(
        "session checks under load (200 with the user or a prompt 503; never 401, null, 500 or a cleared cookie)",
        assert_answered_or_unavailable,
        load.check_cases(),
    )
    findings.check_each(
        "/me (a user route) while Redis was down: served from the database copy",
        lambda call, user_id: assert_signed_in(call, user_id, PROMPT),
        [(call, user_id) for call, user_id in load.check_cases(down, starting) if call.path == "/me"],
    )
    findings.check_each("sign-ups under load", assert_answered_or_unavailable, load.sign_up_cases())
    await check_still_signed_in(findings, instances, before)
    for browser, signed_in in during:
        # A session opened from the database copy while Redis was away must not vanish once Redis is back.
        user_id = signed_in.body["user"]["id"]
        for instance in instances:
            findings.check(f"{browser.name}, after the outage", assert_signed_in, await browser.me(instance), user_id)
    findings.done()


async def test_a_storage_outage_without_a_database_copy_fails_fast(
    redis_only_instance: AppInstance, redis_server: RedisServer, http: httpx.AsyncClient
) -> None:
    """Sessions only in Redis, behind the cookie cache: without Redis a session check is a prompt 503 (a fresh
    cached copy may still answer), and the cookies stay."""
    instance = redis_only_instance
    findings = Findings()
    browser = Browser(http, name="redis only")
    email = new_email("redis-only")
    signed_up = await browser.sign_up(instance, email)
    signed_at = time.monotonic()
    user_id = signed_up.body["user"]["id"]
    assert SESSION_DATA in browser.cookies, f"no cookie cache: {signed_up}"

    await asyncio.to_thread(redis_server.stop)
    try:
        await check_cache_while_down(findings, instance, browser, http, email, user_id, signed_at)
    finally:
        await asyncio.to_thread(redis_server.start)
    await check_cache_back(findings, instance, browser, user_id, time.monotonic())
    findings.done()


async def test_a_sign_up_during_a_storage_outage_leaves_nothing(
    redis_only_pair: list[AppInstance], redis_server: RedisServer, http: httpx.AsyncClient
) -> None:
    """L10: with Redis stopped, a sign-up (rate limits in the database, so the sign-up itself meets the outage) is a
    prompt 503 and creates no user: once Redis is back, the same sign-up succeeds, on either instance. It used to
    commit the user before the session write failed, and the retry answered that the address was taken."""
    a, b = redis_only_pair
    email = new_email("atomic")
    body = {"name": "Ann", "email": email, "password": PASSWORD}
    await asyncio.to_thread(redis_server.stop)
    try:
        assert_unavailable(await Browser(http, name="during the outage").post(a, "/api/auth/sign-up/email", body))
    finally:
        await asyncio.to_thread(redis_server.start)
    back = time.monotonic()
    browser = Browser(http, name="retrying")
    retried = await browser.post(b, "/api/auth/sign-up/email", body)
    while retried.status == 503 and time.monotonic() - back < RECOVERY + PROMPT:  # the instance reconnecting
        await asyncio.sleep(0.1)
        retried = await browser.post(b, "/api/auth/sign-up/email", body)
    assert retried.status == 200, f"the retried sign-up failed: {retried}"
    assert_signed_in(await browser.me(a), retried.body["user"]["id"])


async def test_a_frozen_storage_is_a_timeout_not_a_hang(
    redis_pair: list[AppInstance],
    redis_only_instance: AppInstance,
    redis_server: RedisServer,
    http: httpx.AsyncClient,
) -> None:
    """SIGSTOP on redis-server: connections stay open and nothing answers, so only `storage_timeout` ends a wait.
    With a database copy the session is then read from the table; without one the answer is a 503."""
    findings = Findings()
    paired = await members(http, redis_pair, 2, "frozen")
    [alone] = await members(http, [redis_only_instance], 1, "frozen-alone")
    [probe] = await members(http, redis_pair, 1, "probe")

    redis_server.freeze()
    try:
        cases = [(member, instance) for member in paired for instance in redis_pair]
        calls = await asyncio.gather(
            *(member.browser.me(instance) for member, instance in cases),
            alone.browser.get(redis_only_instance, "/me", only=(SESSION_TOKEN,)),
        )
        for call, (member, _) in zip(calls, cases, strict=False):
            findings.check(
                f"{call.instance} /me from the database copy", assert_signed_in, call, member.user_id, PROMPT
            )
        findings.check("redis-only /me", assert_unavailable, calls[-1])
    finally:
        redis_server.thaw()
    back = time.monotonic()

    await asyncio.gather(  # at once: each is timed from `back`
        check_recovery(findings, redis_pair, paired[0], probe, back, session_route="get-session"),
        check_recovered(
            findings, "redis-only /me", lambda: alone.browser.me(redis_only_instance), is_user(alone.user_id), back
        ),
    )
    await check_still_signed_in(findings, redis_pair, paired)
    findings.done()


async def test_losing_the_storage_signs_nobody_out_with_a_database_copy(
    redis_pair: list[AppInstance], redis_server: RedisServer, http: httpx.AsyncClient
) -> None:
    """Redis comes back empty (no persistence, a new node): sessions kept in the table too are still valid (the
    README: storage is warmed from the table after a loss)."""
    findings = Findings()
    before = await members(http, redis_pair, 2, "lost")
    await asyncio.to_thread(redis_server.stop, keep_data=False)
    await asyncio.to_thread(redis_server.start)
    back = time.monotonic()
    # All at once, each from `back`: one after another, the last would start late by the time the others took.
    await asyncio.gather(
        *(
            check_recovered(
                findings,
                f"{member.browser.name} signed in on {instance.name} after the loss",
                partial(member.browser.me, instance),
                is_user(member.user_id),
                back,
            )
            for member in before
            for instance in redis_pair
        )
    )
    await check_still_signed_in(findings, redis_pair, before)
    findings.done()
