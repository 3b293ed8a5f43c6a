"""Talking to the instances over loopback HTTP like separate browsers behind one load balancer, and the checks the
issue asks of every answer: a dependency failure is a prompt 503 with a code, never `null`, never a sign-out."""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx2 as httpx

from .servers import AppInstance

PUBLIC_URL = "http://localhost:8000"
"""BETTER_AUTH_URL of every instance: the one public address they all serve (as behind a load balancer)."""
ORIGIN = {"origin": PUBLIC_URL}
COOKIE_PREFIX = "better-auth."
SESSION_TOKEN = f"{COOKIE_PREFIX}session_token"
SESSION_DATA = f"{COOKIE_PREFIX}session_data"
PASSWORD = "correct horse battery"

PROMPT = 5.0
"""Seconds a request may take while a dependency is down or frozen. What it catches is a hang: a frozen database
without the configured 1 s statement timeout holds a request for the package default of 10 s (asyncpg's own: for
ever), a frozen Redis without its timeout for ever, and the clients give up at 15 s. What it allows: the slowest
legitimate path, a pooled connection's ping timing out (1 s) and a new connection timing out (1 s), or a sign-up
waiting for its password hash behind the 40 of a burst, plus a machine busy with other jobs (3 s measured over that
on a 2-core box beside two CPU-bound processes; with 3 s of bound in all, such a run failed 1 time in 3). That the
configured 1 s timeouts reach the driver is checked without a clock, in tests/test_outages.py."""
RECOVERY = 1.0
"""Seconds after the dependency is back (its start command returned) within which a request sent to every instance
is answered normally; that answer itself must come within PROMPT (outage.py `check_recovered`)."""
POLL = 0.05


def http_client(timeout: float = 15.0) -> httpx.AsyncClient:
    """One connection pool for all browsers. It keeps no cookies (each `Browser` sends its own) and ignores proxy
    settings from the environment (everything is loopback). `timeout`: far beyond PROMPT, so a hang shows up as a slow
    answer, then as an error."""
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        trust_env=False,
        cookies=no_cookies,
        # Idle connections are dropped long before uvicorn would close them (its --timeout-keep-alive, 15 s here), as a
        # load balancer does: else a request can race the server's close and fail without any fault of the app.
        limits=httpx.Limits(max_connections=500, max_keepalive_connections=100, keepalive_expiry=2.0),
    )


_addresses = itertools.count(1)


def fresh_ip() -> str:
    """A client address of its own (sent as X-Forwarded-For from the trusted loopback proxy): rate limits count per
    client network, and the tests must not trip each other's limits unless they mean to."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def new_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


@dataclass
class Call:
    """One request and its answer (`status` None: no HTTP answer at all, see `error`)."""

    instance: str
    method: str
    path: str
    started: float
    elapsed: float
    status: int | None = None
    body: Any = None
    text: str = ""
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    error: str | None = None

    @property
    def set_cookies(self) -> list[str]:
        return self.headers.get_list("set-cookie")

    @property
    def cleared_cookies(self) -> list[str]:
        """The session cookies this answer deletes (empty value, `Max-Age=0` or an expiry in the past)."""
        return [
            header.split("=", 1)[0] for header in self.set_cookies if _is_session_cookie(header) and _clears(header)
        ]

    def __str__(self) -> str:
        answer = f"{self.status} {self.text[:300]!r}" if self.status is not None else f"no answer: {self.error}"
        cookies = f" set-cookie={self.set_cookies}" if self.set_cookies else ""
        return f"{self.method} {self.instance}{self.path} -> {answer} in {self.elapsed:.3f}s{cookies}"


def _is_session_cookie(header: str) -> bool:
    name = header.split("=", 1)[0].strip()
    return name.removeprefix("__Secure-").removeprefix("__Host-").startswith(f"{COOKIE_PREFIX}session_")


def _clears(header: str) -> bool:
    value, *attributes = (part.strip() for part in header.split(";"))
    if value.split("=", 1)[1] == "":
        return True
    for attribute in attributes:
        key, _, setting = attribute.partition("=")
        if key.lower() == "max-age" and setting.strip().lstrip("-").isdigit() and int(setting) <= 0:
            return True
        if key.lower() == "expires" and "1970" in setting:
            return True
    return False


class Browser:
    """A user agent with its own cookie jar. Every request goes to the instance it is given (one load balancer,
    several instances), sends the cookies the browser holds and keeps those the answer sets or deletes."""

    def __init__(self, http: httpx.AsyncClient, *, ip: str | None = None, name: str = "browser") -> None:
        self.http = http
        self.ip = ip
        self.name = name
        self.cookies: dict[str, str] = {}

    def copy(self, name: str = "copy") -> Browser:
        """Another browser holding the same cookies (a copied cookie, or the same user agent later)."""
        other = Browser(self.http, ip=self.ip, name=name)
        other.cookies = dict(self.cookies)
        return other

    async def call(
        self,
        instance: AppInstance,
        method: str,
        path: str,
        *,
        json: Any = None,
        only: tuple[str, ...] | None = None,
        keep: bool = True,
    ) -> Call:
        """`only`: send just these cookies; `keep=False`: do not store what the answer sets."""
        sent = {name: value for name, value in self.cookies.items() if only is None or name in only}
        headers = {**ORIGIN, "x-forwarded-for": self.ip or fresh_ip()}
        if sent:
            headers["cookie"] = "; ".join(f"{name}={value}" for name, value in sent.items())
        started = time.monotonic()
        try:
            response = await self.http.request(method, f"{instance.base_url}{path}", json=json, headers=headers)
        except httpx.HTTPError as exc:
            return Call(instance.name, method, path, started, time.monotonic() - started, error=repr(exc))
        elapsed = time.monotonic() - started
        try:
            body = response.json()
        except ValueError:
            body = None
        call = Call(instance.name, method, path, started, elapsed, response.status_code, body, response.text)
        call.headers = response.headers
        if keep:
            for header in call.set_cookies:
                name, value = header.split(";", 1)[0].split("=", 1)
                if _clears(header):
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value
        return call

    async def get(self, instance: AppInstance, path: str, **kwargs: Any) -> Call:
        return await self.call(instance, "GET", path, **kwargs)

    async def post(self, instance: AppInstance, path: str, json: Any = None, **kwargs: Any) -> Call:
        return await self.call(instance, "POST", path, json={} if json is None else json, **kwargs)

    async def sign_up(self, instance: AppInstance, email: str, password: str = PASSWORD) -> Call:
        call = await self.post(
            instance, "/api/auth/sign-up/email", {"name": "Ann", "email": email, "password": password}
        )
        assert call.status == 200, f"{self.name}: sign-up failed: {call}"
        assert SESSION_TOKEN in self.cookies, f"{self.name}: sign-up set no session cookie: {call}"
        return call

    async def sign_in(self, instance: AppInstance, email: str, password: str = PASSWORD) -> Call:
        call = await self.post(instance, "/api/auth/sign-in/email", {"email": email, "password": password})
        assert call.status == 200, f"{self.name}: sign-in failed: {call}"
        assert SESSION_TOKEN in self.cookies, f"{self.name}: sign-in set no session cookie: {call}"
        return call

    async def session(self, instance: AppInstance) -> Call:
        return await self.get(instance, "/api/auth/get-session")

    async def me(self, instance: AppInstance) -> Call:
        return await self.get(instance, "/me")


# --- what every answer must look like ---


def assert_not_a_sign_out(call: Call) -> None:
    """Whatever went wrong, the browser keeps its session cookies."""
    assert not call.cleared_cookies, (
        f"a dependency failure cleared the session cookie(s) {call.cleared_cookies}: {call}"
    )


def assert_unavailable(call: Call, bound: float = PROMPT) -> None:
    """The outage answer: 503 `{code: SERVICE_UNAVAILABLE, message}`, `Retry-After: 1`, promptly, cookies kept."""
    assert call.status is not None, f"no answer (hang or crash?): {call}"
    assert call.status == 503, f"expected 503 SERVICE_UNAVAILABLE: {call}"
    assert isinstance(call.body, dict), f"503 without a JSON object body: {call}"
    assert call.body.get("code") == "SERVICE_UNAVAILABLE", f"503 with the wrong code: {call}"
    assert isinstance(call.body.get("message"), str), f"503 without a message: {call}"
    assert set(call.body) == {"code", "message"}, f"503 body is not {{code, message}}: {call}"
    assert call.headers.get("retry-after") == "1", f"503 without Retry-After: 1: {call}"
    assert_not_a_sign_out(call)
    assert call.elapsed < bound, f"the 503 took {call.elapsed:.2f}s (bound {bound}s): {call}"


def assert_signed_in(call: Call, user_id: str, bound: float | None = None) -> None:
    """The session is there: `/me` answers the user, `get-session` the session (never `null`)."""
    assert call.status == 200, f"expected the signed-in user {user_id}: {call}"
    assert isinstance(call.body, dict), f"expected a session, got {call.body!r}: {call}"
    found = call.body["user"]["id"] if "user" in call.body else call.body.get("id")
    assert found == user_id, f"expected user {user_id}: {call}"
    assert_not_a_sign_out(call)
    if bound is not None:
        assert call.elapsed < bound, f"took {call.elapsed:.2f}s (bound {bound}s): {call}"


def assert_signed_out(call: Call) -> None:
    """The session is gone: `/me` is 401 UNAUTHORIZED, `get-session` is `null`."""
    if call.path == "/api/auth/get-session":
        assert call.status == 200, f"expected null (no session): {call}"
        assert call.body is None, f"the session is still valid: {call}"
    else:
        assert call.status == 401, f"the session is still valid: {call}"
        assert call.body == {"code": "UNAUTHORIZED", "message": "Unauthorized"}, str(call)


def assert_answered_or_unavailable(call: Call, user_id: str | None = None, bound: float = PROMPT) -> None:
    """During an outage: the normal answer, or the outage answer. Never a hang, a 500, a 401, `null`, a sign-out."""
    assert call.status is not None, f"no answer (hang or crash?): {call}"
    if call.status == 503:
        assert_unavailable(call, bound)
        return
    assert call.status == 200, f"expected 200 or 503 SERVICE_UNAVAILABLE: {call}"
    if user_id is not None:
        assert_signed_in(call, user_id)
    assert_not_a_sign_out(call)
    assert call.elapsed < bound, f"took {call.elapsed:.2f}s (bound {bound}s): {call}"
