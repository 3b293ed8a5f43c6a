"""The request limiter of the auth routes (docs/better-auth.md#rate-limiter; L3) over HTTP, on the default memory
storage and the test clock: defaults, better-auth's special rules, custom rules, the 429 answer, and what the key is
made of."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, Literal

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from starlette.requests import Request
from starlette.routing import Mount

from fastapi_betterauth import AuthSettings, ManualClock, RateLimitRule
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.errors import AuthError
from fastapi_betterauth.security.ratelimit import SIGN_IN_RULE, rate_limit_enabled

from ..conftest import BASE_URL, ORIGIN, PASSWORD, TEST_SECRET, AuthFactory, build_app, sign_in, sign_up
from .ratelimit_support import Servers, empty_rate_limit_table, limits_on

SIGN_IN = "/api/auth/sign-in/email"
TOO_MANY = {"code": "RATE_LIMITED", "message": "Too many requests. Please try again later."}


@pytest.fixture
async def serve(database: Database) -> AsyncIterator[Servers]:
    await empty_rate_limit_table(database)
    async with Servers.open() as servers:
        yield servers


async def wrong_sign_in(client: httpx.AsyncClient, email: str = "ann@example.com") -> httpx.Response:
    return await client.post(SIGN_IN, json={"email": email, "password": "wrong password"})


def assert_limited(response: httpx.Response, retry_after: int) -> None:
    assert response.status_code == 429
    assert response.json() == TOO_MANY
    assert response.headers["retry-after"] == str(retry_after)
    assert response.headers["x-retry-after"] == str(retry_after)


# --- defaults ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "enabled", "expected"),
    [
        ("production", None, True),
        ("test", None, True),
        ("development", None, False),
        ("development", True, True),
        ("production", False, False),
    ],
)
def test_on_by_default_outside_development(environment: Any, enabled: bool | None, expected: bool) -> None:
    settings = AuthSettings(secret=TEST_SECRET, environment=environment, rate_limit={"enabled": enabled})
    assert rate_limit_enabled(settings) is expected


def test_defaults_are_better_auths() -> None:
    options = AuthSettings().rate_limit
    assert (options.enabled, options.window, options.max, options.storage, options.custom_rules) == (
        None,
        10,
        100,
        None,
        {},
    )
    assert (options.account.max_failures, options.account.max_failures_all_networks) == (10, 100)


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_RATE_LIMIT__ENABLED", "true")
    monkeypatch.setenv("BETTER_AUTH_RATE_LIMIT__WINDOW", "60")
    monkeypatch.setenv("BETTER_AUTH_RATE_LIMIT__STORAGE", "database")
    monkeypatch.setenv(
        "BETTER_AUTH_RATE_LIMIT__CUSTOM_RULES", '{"/sign-in/email": {"window": 30, "max": 5}, "/get-session": false}'
    )
    monkeypatch.setenv("BETTER_AUTH_RATE_LIMIT__ACCOUNT__WINDOW", "PT5M")
    options = AuthSettings().rate_limit
    assert options.enabled is True
    assert options.window == 60
    assert options.storage == "database"
    assert options.custom_rules == {"/sign-in/email": RateLimitRule(window=30, max=5), "/get-session": False}
    assert options.account.window == timedelta(minutes=5)


async def test_off_in_development_by_default(make_auth: AuthFactory, serve: Servers) -> None:
    client = await serve.client(make_auth(environment="development", rate_limit={}))
    for _ in range(6):
        assert (await wrong_sign_in(client)).status_code == 401


# --- better-auth's rules and the 429 ----------------------------------------------------------------------------------


async def test_sign_in_allows_3_per_10_seconds_then_answers_429_with_retry_after(
    make_auth: AuthFactory, serve: Servers, clock: ManualClock
) -> None:
    client = await serve.client(make_auth(rate_limit=limits_on(account={"enabled": False})))
    for _ in range(3):
        assert (await wrong_sign_in(client)).status_code == 401
    assert_limited(await wrong_sign_in(client), 10)
    clock.advance(timedelta(seconds=4))
    assert_limited(await wrong_sign_in(client), 6)
    clock.advance(timedelta(seconds=5, milliseconds=500))
    assert_limited(await wrong_sign_in(client), 1)  # rounded up, never 0
    clock.advance(timedelta(milliseconds=500))
    assert (await wrong_sign_in(client)).status_code == 401  # a new window


SPECIAL_RULES = [
    ("POST", "/sign-up/email", {"name": "Ann", "email": "not an email", "password": PASSWORD}, 10),
    ("POST", "/change-password", {"currentPassword": PASSWORD, "newPassword": "another passphrase"}, 10),
    ("POST", "/change-email", {"newEmail": "new@example.com"}, 10),
    ("POST", "/request-password-reset", {"email": "ann@example.com"}, 60),
    ("POST", "/forget-password", {"email": "ann@example.com"}, 60),
    ("POST", "/send-verification-email", {"email": "ann@example.com"}, 60),
]


@pytest.mark.parametrize(("method", "path", "body", "window"), SPECIAL_RULES, ids=[rule[1] for rule in SPECIAL_RULES])
async def test_special_rules(
    make_auth: AuthFactory, serve: Servers, method: str, path: str, body: dict[str, Any], window: int
) -> None:
    client = await serve.client(make_auth(rate_limit=limits_on()))
    for _ in range(3):
        assert (await client.request(method, f"/api/auth{path}", json=body)).status_code != 429
    assert_limited(await client.request(method, f"/api/auth{path}", json=body), window)


async def test_other_routes_get_the_global_rule(make_auth: AuthFactory, serve: Servers, clock: ManualClock) -> None:
    client = await serve.client(make_auth(rate_limit=limits_on(window=60, max=5)))
    for _ in range(5):
        assert (await client.get("/api/auth/get-session")).status_code == 200
    assert_limited(await client.get("/api/auth/get-session"), 60)
    assert (await client.post("/api/auth/sign-out")).status_code == 200  # another route, another bucket
    clock.advance(timedelta(seconds=60))
    assert (await client.get("/api/auth/get-session")).status_code == 200


async def test_routes_outside_the_auth_router_are_not_limited(make_auth: AuthFactory, serve: Servers) -> None:
    client = await serve.client(make_auth(rate_limit=limits_on(max=1)))
    for _ in range(3):
        assert (await client.get("/maybe")).status_code == 200


# --- the key: client network + route ----------------------------------------------------------------------------------


async def test_buckets_are_per_client(make_auth: AuthFactory, serve: Servers) -> None:
    auth = make_auth(rate_limit=limits_on(account={"enabled": False}))
    first, second = await serve.client(auth, "198.51.100.1"), await serve.client(auth, "198.51.100.2")
    for _ in range(3):
        await wrong_sign_in(first)
    assert (await wrong_sign_in(first)).status_code == 429
    assert (await wrong_sign_in(second)).status_code == 401
    assert (await sign_up(first)).status_code == 200  # /sign-up/email has its own bucket


async def test_ipv6_clients_are_grouped_by_64(make_auth: AuthFactory, serve: Servers) -> None:
    auth = make_auth(rate_limit=limits_on(account={"enabled": False}))
    same_network = [await serve.client(auth, f"2001:db8:0:7::{n}") for n in (1, 2, 3)]
    for client in same_network:
        assert (await wrong_sign_in(client)).status_code == 401
    assert (await wrong_sign_in(await serve.client(auth, "2001:db8:0:7:ffff::9"))).status_code == 429
    assert (await wrong_sign_in(await serve.client(auth, "2001:db8:0:8::1"))).status_code == 401


async def test_spoofed_forwarded_for_does_not_change_the_key(make_auth: AuthFactory, serve: Servers) -> None:
    """L3: without trusted proxies, X-Forwarded-For is not believed, so rotating it opens no new bucket."""
    client = await serve.client(make_auth(rate_limit=limits_on(account={"enabled": False})))
    for n in range(3):
        response = await client.post(
            SIGN_IN, json={"email": "a@example.com", "password": "x"}, headers={"x-forwarded-for": f"203.0.113.{n}"}
        )
        assert response.status_code == 401
    refused = await client.post(
        SIGN_IN, json={"email": "a@example.com", "password": "x"}, headers={"x-forwarded-for": "203.0.113.99"}
    )
    assert refused.status_code == 429


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_bucket(
    make_auth: AuthFactory, serve: Servers
) -> None:
    auth = make_auth(
        rate_limit=limits_on(account={"enabled": False}), advanced={"ip_address": {"trusted_proxies": ["10.0.0.0/8"]}}
    )
    proxy = await serve.client(auth, "10.0.0.2")

    async def via_proxy(forwarded_for: str) -> int:
        body = {"email": "a@example.com", "password": "x"}
        return (await proxy.post(SIGN_IN, json=body, headers={"x-forwarded-for": forwarded_for})).status_code

    assert [await via_proxy("203.0.113.5") for _ in range(4)] == [401, 401, 401, 429]
    assert await via_proxy("203.0.113.6") == 401
    # A value the client prepended itself is not the hop the proxy saw: still 203.0.113.5's bucket.
    assert await via_proxy("192.0.2.1, 203.0.113.5") == 429


async def test_one_ip_against_many_accounts_is_stopped(make_auth: AuthFactory, serve: Servers) -> None:
    """L3: credential stuffing from one address runs into the per-IP limit whatever the accounts."""
    client = await serve.client(make_auth(rate_limit=limits_on()))
    statuses = [(await wrong_sign_in(client, f"user{n}@example.com")).status_code for n in range(50)]
    assert statuses[:3] == [401, 401, 401]
    assert set(statuses[3:]) == {429}


async def test_path_parameters_share_the_routes_bucket(make_auth: AuthFactory, serve: Servers) -> None:
    """Made-up reset tokens do not open fresh buckets: the key holds the route, `/reset-password/{token}`."""
    rules = {"/reset-password/*": {"window": 10, "max": 2}}
    client = await serve.client(make_auth(rate_limit=limits_on(custom_rules=rules)))
    assert (await client.get("/api/auth/reset-password/aaa?callbackURL=")).status_code == 200
    assert (await client.get("/api/auth/reset-password/bbb?callbackURL=")).status_code == 200
    assert (await client.get("/api/auth/reset-password/ccc?callbackURL=")).status_code == 429


async def test_without_ip_tracking_nothing_is_limited(make_auth: AuthFactory, serve: Servers) -> None:
    """As better-auth: without client addresses every client would share one bucket."""
    auth = make_auth(
        rate_limit=limits_on(account={"enabled": False}), advanced={"ip_address": {"disable_ip_tracking": True}}
    )
    client = await serve.client(auth)
    assert {(await wrong_sign_in(client)).status_code for _ in range(5)} == {401}


async def test_requests_without_a_client_address_share_one_bucket_per_route(
    make_auth: AuthFactory, caplog: pytest.LogCaptureFixture
) -> None:
    auth = make_auth(rate_limit=limits_on(window=10, max=1))

    def request(path: str) -> Request:
        return Request({"type": "http", "method": "GET", "path": path, "headers": [], "client": None})

    await auth.rate_limiter(request("/api/auth/get-session"))
    with pytest.raises(AuthError) as refused:
        await auth.rate_limiter(request("/api/auth/get-session"))
    assert refused.value.status_code == 429
    assert "without a client IP" in caplog.text


# --- custom rules -----------------------------------------------------------------------------------------------------


async def test_custom_rule_for_an_exact_path(make_auth: AuthFactory, serve: Servers) -> None:
    rules = {"/sign-in/email": {"window": 60, "max": 1}}
    client = await serve.client(make_auth(rate_limit=limits_on(custom_rules=rules, account={"enabled": False})))
    assert (await wrong_sign_in(client)).status_code == 401
    assert_limited(await wrong_sign_in(client), 60)


async def test_custom_rule_with_wildcards(make_auth: AuthFactory, serve: Servers) -> None:
    rules = {"/get-*": {"window": 30, "max": 2}, "/**": {"window": 30, "max": 50}}
    client = await serve.client(make_auth(rate_limit=limits_on(custom_rules=rules)))
    for _ in range(2):
        assert (await client.get("/api/auth/get-session")).status_code == 200
    assert_limited(await client.get("/api/auth/get-session"), 30)
    # `**` crosses `/`, and overrides the special rule of /sign-up (3 per 10 s).
    for _ in range(5):
        assert (await sign_up(client, email="not an email")).status_code == 400


async def test_false_turns_a_route_off(make_auth: AuthFactory, serve: Servers) -> None:
    rules = {"/sign-in/email": False}
    client = await serve.client(make_auth(rate_limit=limits_on(custom_rules=rules, account={"enabled": False})))
    assert {(await wrong_sign_in(client)).status_code for _ in range(10)} == {401}


async def test_an_exact_rule_wins_over_patterns_and_code_wins_over_settings(
    make_auth: AuthFactory, serve: Servers
) -> None:
    settings_rules = {"/get-session": {"window": 10, "max": 1}, "/get-*": False}
    auth = make_auth(
        rate_limit=limits_on(custom_rules=settings_rules),
        rate_limit_rules={"/get-session": RateLimitRule(window=10, max=2)},
    )
    client = await serve.client(auth)
    assert [(await client.get("/api/auth/get-session")).status_code for _ in range(3)] == [200, 200, 429]


async def test_callable_rules_decide_per_request(make_auth: AuthFactory, serve: Servers) -> None:
    seen: list[RateLimitRule] = []

    def by_header(request: Request, current: RateLimitRule) -> RateLimitRule | Literal[False]:
        seen.append(current)
        return False if request.headers.get("x-internal") == "yes" else RateLimitRule(window=5, max=1)

    async def stricter(request: Request, current: RateLimitRule) -> RateLimitRule:
        seen.append(current)
        return RateLimitRule(window=current.window, max=1)

    auth = make_auth(
        rate_limit=limits_on(account={"enabled": False}),
        rate_limit_rules={"/get-session": by_header, "/sign-in/*": stricter},
    )
    client = await serve.client(auth)
    for _ in range(3):
        assert (await client.get("/api/auth/get-session", headers={"x-internal": "yes"})).status_code == 200
    assert (await client.get("/api/auth/get-session")).status_code == 200
    assert_limited(await client.get("/api/auth/get-session"), 5)
    assert (await wrong_sign_in(client)).status_code == 401
    assert_limited(await wrong_sign_in(client), 10)
    assert seen[0] == RateLimitRule(window=10, max=100)  # the global rule, the callable's starting point
    assert seen[-1] == SIGN_IN_RULE  # better-auth's special rule for /sign-in


def test_rule_paths_are_relative_to_the_base_path(make_auth: AuthFactory) -> None:
    with pytest.raises(ValueError, match="start with '/'"):
        make_auth(rate_limit=limits_on(custom_rules={"sign-in/email": False}))


# --- server-side calls ------------------------------------------------------------------------------------------------


async def test_server_side_calls_are_not_limited(make_auth: AuthFactory, serve: Servers) -> None:
    auth = make_auth(rate_limit=limits_on(account={"max_failures": 3}))
    client = await serve.client(auth)
    await auth.api.sign_up_email(name="Ann", email="ann@example.com", password=PASSWORD)
    for _ in range(5):
        with pytest.raises(AuthError) as failed:
            await auth.api.sign_in_email(email="ann@example.com", password="wrong password")
        assert failed.value.status_code == 401
    for _ in range(4):
        await auth.email_password.sign_in(email="ann@example.com", password=PASSWORD)
    assert (await sign_in(client)).status_code == 200  # neither the route's nor the account's counters moved


async def test_rules_apply_when_the_app_is_mounted_under_a_prefix(make_auth: AuthFactory) -> None:
    auth = make_auth(rate_limit=limits_on(account={"enabled": False}))
    outer = FastAPI(lifespan=auth.lifespan, routes=[Mount("/service", app=build_app(auth))])
    async with LifespanManager(outer) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("198.51.100.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN) as client:
            body = {"email": "a@example.com", "password": "x"}
            statuses = [(await client.post(f"/service{SIGN_IN}", json=body)).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]  # the /sign-in rule, found under the mount
