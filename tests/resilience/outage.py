"""Tools of the outage tests: background load that records every answer, polling for recovery, a look into the
database for lost or half-written rows, and `Findings`, which collects every broken promise of one scenario so a
single run reports all of them (an outage scenario is expensive; stopping at the first failed check hides the rest).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx2 as httpx

from .browser import (
    PASSWORD,
    POLL,
    PROMPT,
    RECOVERY,
    SESSION_TOKEN,
    Browser,
    Call,
    assert_answered_or_unavailable,
    assert_signed_in,
    assert_unavailable,
    new_email,
)
from .servers import AppInstance, PostgresCluster

DATABASE = "auth"
CACHE_MAX_AGE = 2
"""Seconds the cache instances believe their `session_data` cookie: short, so a test can outlive it."""


class Findings:
    """Soft assertions: `check(label, assertion, *args)` records a failed assertion and goes on; `done()` fails the
    test with all of them."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.seen: list[str] = []

    def check(self, label: str, assertion: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        self.seen.extend(f"{label}: {arg}" for arg in args if isinstance(arg, Call))
        try:
            assertion(*args, **kwargs)
        except AssertionError as exc:
            self.problems.append(f"{label}: {exc}")
            return False
        return True

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def check_each(self, label: str, assertion: Callable[..., Any], cases: Iterable[tuple[Any, ...]]) -> None:
        """`assertion(*case)` for every case (a call first, then any more arguments); reports how many failed, the
        statuses of all, and the first few failures."""
        failed: list[str] = []
        statuses: Counter[str] = Counter()
        total = 0
        for case in cases:
            total += 1
            statuses[str(case[0].status)] += 1
            try:
                assertion(*case)
            except AssertionError as exc:
                failed.append(str(exc))
        if failed:
            shown = "\n    ".join(failed[:5])
            self.problems.append(
                f"{label}: {len(failed)} of {total} answers broke the rule (statuses {dict(statuses)}), "
                f"e.g.\n    {shown}"
            )

    def done(self) -> None:
        """Print the checked answers (pytest shows them with -rP or on failure); fail with every problem found."""
        print("checked answers:\n  " + "\n  ".join(self.seen))
        assert not self.problems, f"{len(self.problems)} problem(s):\n- " + "\n- ".join(self.problems)


# --- users that exist before the outage ---


@dataclass
class Member:
    """A user signed in in its own browser before the outage."""

    browser: Browser
    email: str
    user_id: str
    token: str


async def members(http: httpx.AsyncClient, instances: list[AppInstance], count: int, prefix: str) -> list[Member]:
    """`count` users signed up on the instances in turn, each in its own browser."""
    found = []
    for index in range(count):
        browser = Browser(http, name=f"{prefix}-{index}")
        email = new_email(prefix)
        call = await browser.sign_up(instances[index % len(instances)], email)
        found.append(Member(browser, email, call.body["user"]["id"], call.body["token"]))
    return found


# --- background load ---


@dataclass
class Load:
    """Requests kept going in the background until `stop()`: session checks by signed-in members (GET /me and
    GET /get-session, alternating over the instances) and sign-ups of new users. Every answer is kept."""

    checks: list[tuple[Member, Call]] = field(default_factory=list)
    sign_ups: list[tuple[str, Call]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(
        self, http: httpx.AsyncClient, instances: list[AppInstance], checkers: list[Member], sign_up_workers: int = 1
    ) -> None:
        for member in checkers:
            self._tasks.append(asyncio.create_task(self._check(member, instances)))
        for worker in range(sign_up_workers):
            self._tasks.append(asyncio.create_task(self._sign_up(http, instances, worker)))

    def burst_of_sign_ups(self, http: httpx.AsyncClient, instances: list[AppInstance], count: int) -> None:
        """`count` sign-ups at once, in the background: their password hashes queue up, so their transactions reach
        the database one after another over the next few hundred milliseconds, and some are open at any moment."""
        for index in range(count):
            self._tasks.append(asyncio.create_task(self._sign_up_once(http, instances[index % len(instances)])))

    async def _sign_up_once(self, http: httpx.AsyncClient, instance: AppInstance) -> None:
        email = new_email("burst")
        body = {"name": "Burst", "email": email, "password": PASSWORD}
        self.sign_ups.append((email, await Browser(http).post(instance, "/api/auth/sign-up/email", body)))

    async def stop(self) -> None:
        """Let the requests in flight finish, send no more. Idempotent."""
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def __aenter__(self) -> Load:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()  # also when the test failed half-way: no request is left running

    async def _check(self, member: Member, instances: list[AppInstance]) -> None:
        turn = 0
        while not self._stop.is_set():
            instance = instances[turn % len(instances)]
            path = "/me" if turn % 4 < 2 else "/api/auth/get-session"
            turn += 1
            self.checks.append((member, await member.browser.get(instance, path, keep=False)))
            await asyncio.sleep(0.02)

    async def _sign_up(self, http: httpx.AsyncClient, instances: list[AppInstance], worker: int) -> None:
        turn = worker
        while not self._stop.is_set():
            email = new_email("load")
            body = {"name": "Load", "email": email, "password": PASSWORD}
            call = await Browser(http).post(instances[turn % len(instances)], "/api/auth/sign-up/email", body)
            turn += 1
            self.sign_ups.append((email, call))
            await asyncio.sleep(0.05)

    def check_cases(self, start: float = 0.0, end: float = float("inf")) -> list[tuple[Call, str]]:
        """(call, the user it should find) of the session checks sent between `start` and `end`."""
        return [(call, member.user_id) for member, call in self.checks if start <= call.started <= end]

    def summary(self, start: float, end: float) -> str:
        """Statuses by request, before / during / after the outage (printed: pytest shows it with -rP or on failure)."""
        phases: dict[str, Counter[str]] = {}
        for _, call in [*self.checks, *self.sign_ups]:
            phase = "before" if call.started < start else "during" if call.started <= end else "after"
            key = f"{call.method} {call.path} {phase}"
            phases.setdefault(key, Counter())[str(call.status)] += 1
        slowest = max((call.elapsed for _, call in [*self.checks, *self.sign_ups]), default=0.0)
        lines = [f"  {key}: {dict(counts)}" for key, counts in sorted(phases.items())]
        return "load, statuses by request and phase:\n" + "\n".join(lines) + f"\n  slowest answer: {slowest:.3f}s"

    def sign_up_cases(self) -> list[tuple[Call]]:
        return [(call,) for _, call in self.sign_ups]


# --- recovery ---


async def recovery_time(
    attempt: Callable[[], Awaitable[Call]], ok: Callable[[Call], bool], since: float, give_up: float = 5.0
) -> tuple[float | None, Call | None]:
    """Seconds from `since` until the instance answered normally, and the last attempt; None if no attempt (repeated
    every 50 ms) did within `give_up` seconds (then the last failure tells why).

    The time counted is when the first successful request was *sent*: from then on the instance was back. How long
    that request then took is the machine's load, bounded separately (PROMPT, see `check_recovered`); counting it
    here made a sign-in that hashed a password on a busy machine look like a slow recovery."""
    last = None
    while time.monotonic() - since < give_up:
        last = await attempt()
        if ok(last):
            return last.started - since, last
        await asyncio.sleep(POLL)
    return None, last


async def check_recovered(
    findings: Findings, label: str, attempt: Callable[[], Awaitable[Call]], ok: Callable[[Call], bool], since: float
) -> None:
    """`label` is normal again within RECOVERY of `since`: a request sent by then answered normally, within PROMPT.
    A service that stays broken (503s, 500s, sign-outs, a restart needed) fails the first bound, one whose first
    normal answer hangs the second."""
    took, last = await recovery_time(attempt, ok, since)
    if took is None:
        findings.fail(f"{label}: no normal answer within 5 s (bound {RECOVERY}s); last: {last}")
    elif took > RECOVERY:
        findings.fail(f"{label}: normal only for requests sent {took:.2f}s after (bound {RECOVERY}s); last: {last}")
    else:
        assert last is not None
        print(f"{label}: normal for a request sent {took:.2f}s after, answered in {last.elapsed:.2f}s")
        if last.elapsed >= PROMPT:
            findings.fail(f"{label}: the first normal answer took {last.elapsed:.2f}s (bound {PROMPT}s): {last}")


def is_user(user_id: str) -> Callable[[Call], bool]:
    def ok(call: Call) -> bool:
        if call.status != 200 or not isinstance(call.body, dict):
            return False
        found = call.body["user"]["id"] if "user" in call.body else call.body.get("id")
        return bool(found == user_id)

    return ok


def is_status(status: int) -> Callable[[Call], bool]:
    return lambda call: call.status == status


# --- the database, seen directly ---


async def query(postgres: PostgresCluster, statement: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(postgres.dsn(DATABASE), timeout=10)
    try:
        rows: list[asyncpg.Record] = await connection.fetch(statement, *args)
        return rows
    finally:
        await connection.close()


async def snapshot(postgres: PostgresCluster, user_ids: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of these users: the user, its accounts, its sessions."""
    return {
        table: [
            tuple(row)
            for row in await query(
                postgres, f"SELECT * FROM {table} WHERE {column} = ANY($1::text[]) ORDER BY id", user_ids
            )
        ]
        for table, column in (('"user"', "id"), ("account", '"userId"'), ("session", '"userId"'))
    }


def assert_same_rows(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> None:
    for table in before:
        lost = [row for row in before[table] if row not in after[table]]
        added = [row for row in after[table] if row not in before[table]]
        assert not lost, f"{table}: rows lost or changed {lost[:3]}"
        assert not added, f"{table}: rows added or changed {added[:3]}"


async def half_written(postgres: PostgresCluster) -> list[str]:
    """Rows that only make sense with others that are missing: a user without its credential account (sign-up is
    one transaction), accounts or sessions of no user."""
    checks = {
        "users without a credential account": (
            'SELECT u.email FROM "user" u WHERE NOT EXISTS '
            '(SELECT 1 FROM account a WHERE a."userId" = u.id AND a."providerId" = \'credential\')'
        ),
        "accounts of no user": (
            'SELECT a.id FROM account a WHERE NOT EXISTS (SELECT 1 FROM "user" u WHERE u.id = a."userId")'
        ),
        "sessions of no user": (
            'SELECT s.id FROM session s WHERE NOT EXISTS (SELECT 1 FROM "user" u WHERE u.id = s."userId")'
        ),
    }
    problems = []
    for label, statement in checks.items():
        rows = await query(postgres, statement)
        if rows:
            problems.append(f"{len(rows)} {label}: {[tuple(row) for row in rows[:5]]}")
    return problems


async def sign_ups_as_answered(postgres: PostgresCluster, sign_ups: list[tuple[str, Call]]) -> list[str]:
    """Each sign-up that answered 200 left its user and session; one that answered 503 ("nothing was changed")
    left no user."""
    emails = [email for email, _ in sign_ups]
    users = {
        row["email"]: row["id"]
        for row in await query(postgres, 'SELECT id, email FROM "user" WHERE email = ANY($1::text[])', emails)
    }
    tokens = {
        row["token"]
        for row in await query(
            postgres, 'SELECT token FROM session WHERE "userId" = ANY($1::text[])', list(users.values())
        )
    }
    problems = []
    for email, call in sign_ups:
        if call.status == 200:
            if email not in users:
                problems.append(f"answered 200 but the user is missing: {call}")
            elif call.body.get("token") not in tokens:
                problems.append(f"answered 200 but the session row is missing: {call}")
        elif call.status == 503 and email in users:
            problems.append(f"answered 503 ('nothing was changed') but the user was created: {call}")
    return problems


async def check_recovery(
    findings: Findings,
    instances: list[AppInstance],
    member: Member,
    probe: Member,
    back: float,
    *,
    session_route: str = "/me",
) -> None:
    """Within RECOVERY of `back`, every instance signs in (a database write) and answers `member`'s session on
    `session_route` (`/me` or `get-session`)."""

    async def sign_in(instance: AppInstance) -> Call:
        body = {"email": probe.email, "password": PASSWORD}
        return await Browser(member.browser.http).post(instance, "/api/auth/sign-in/email", body, keep=False)

    def session_of(instance: AppInstance) -> Awaitable[Call]:
        return member.browser.me(instance) if session_route == "/me" else member.browser.session(instance)

    async def watch(instance: AppInstance, what: str) -> None:
        label = f"{instance.name} {what}"
        if what == "sign-in":
            await check_recovered(findings, label, lambda: sign_in(instance), is_status(200), back)
        else:
            await check_recovered(findings, label, lambda: session_of(instance), is_user(member.user_id), back)

    await asyncio.gather(*(watch(instance, what) for instance in instances for what in ("sign-in", session_route)))


def has_token(browser: Browser) -> None:
    assert SESSION_TOKEN in browser.cookies, f"{browser.name} lost its session cookie"


async def check_cache_while_down(
    findings: Findings,
    instance: AppInstance,
    browser: Browser,
    http: httpx.AsyncClient,
    email: str,
    user_id: str,
    signed_at: float,
) -> None:
    """With the session store down behind the cookie cache: a fresh cached copy may answer; the token alone, a
    sign-in and (once it has expired) the cached copy get 503."""
    for path in ("/me", "/api/auth/get-session"):
        call = await browser.get(instance, path)
        findings.check(f"{path} with a fresh cached copy", assert_answered_or_unavailable, call, user_id)
        call = await browser.get(instance, path, only=(SESSION_TOKEN,))
        findings.check(f"{path} with the session token alone", assert_unavailable, call)
    call = await Browser(http).post(instance, "/api/auth/sign-in/email", {"email": email, "password": PASSWORD})
    findings.check("sign-in", assert_unavailable, call)
    await asyncio.sleep(max(0.0, CACHE_MAX_AGE + 0.5 - (time.monotonic() - signed_at)))
    for path in ("/me", "/api/auth/get-session"):
        call = await browser.get(instance, path)
        findings.check(f"{path} with an expired cached copy", assert_unavailable, call)


async def check_cache_back(
    findings: Findings, instance: AppInstance, browser: Browser, user_id: str, back: float
) -> None:
    """Within RECOVERY of `back` the session answers again, and its cookie was never dropped."""
    await check_recovered(findings, f"{instance.name} /me", lambda: browser.me(instance), is_user(user_id), back)
    findings.check("the session cookie is kept", has_token, browser)
    findings.check("the session is served again", assert_signed_in, await browser.session(instance), user_id)
