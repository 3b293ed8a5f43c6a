"""The client IP (docs/better-auth.md#client-ip): forwarding headers are believed only from trusted proxies (L3)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.datastructures import Headers
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from fastapi_betterauth import IPAddressSettings
from fastapi_betterauth.security.client_ip import ClientIPResolver

from ..conftest import BASE_URL, ORIGIN, AuthFactory, build_app, sign_up

PROXIES = ["10.0.0.0/8"]


def resolve(peer: str | None, sent: dict[str, str] | None = None, **settings: Any) -> str | None:
    return ClientIPResolver(IPAddressSettings(**settings)).resolve(peer, Headers(headers=sent or {}))


# --- without trusted proxies ---------------------------------------------------------------------------------------


def test_forwarded_headers_ignored_without_trusted_proxies() -> None:
    """L3: a spoofed X-Forwarded-For without a trusted-proxy config changes nothing."""
    assert resolve("203.0.113.7", {"x-forwarded-for": "1.2.3.4"}) == "203.0.113.7"
    assert resolve("203.0.113.7", {"X-Forwarded-For": "1.2.3.4, 5.6.7.8"}) == "203.0.113.7"
    assert resolve("10.0.0.1", {"x-forwarded-for": "1.2.3.4"}) == "10.0.0.1", "even from a private address"
    assert resolve("203.0.113.7") == "203.0.113.7"


def test_peer_addresses_are_normalised() -> None:
    assert resolve("::ffff:1.2.3.4") == "1.2.3.4", "IPv4-mapped IPv6 becomes IPv4"
    assert resolve("2001:DB8:0:0::1") == "2001:db8::1"
    assert resolve(None) is None
    assert resolve("") is None
    assert resolve("testclient") is None, "not an IP address"


# --- with trusted proxies ------------------------------------------------------------------------------------------


def test_client_behind_a_trusted_proxy_chain() -> None:
    """The chain is walked right to left, skipping trusted hops; the first untrusted hop is the client."""
    sent = {"x-forwarded-for": "1.2.3.4, 10.0.0.2"}
    assert resolve("10.0.0.1", sent, trusted_proxies=PROXIES) == "1.2.3.4"
    sent = {"x-forwarded-for": "6.6.6.6, 1.2.3.4, 10.0.0.2"}
    assert resolve("10.0.0.1", sent, trusted_proxies=PROXIES) == "1.2.3.4", "a forged left part is not the client"
    assert resolve("10.0.0.1", {"x-forwarded-for": "1.2.3.4"}, trusted_proxies=PROXIES) == "1.2.3.4"
    assert resolve("10.0.0.1", {"x-forwarded-for": " 1.2.3.4 ,10.0.0.2 "}, trusted_proxies=PROXIES) == "1.2.3.4"


def test_trusted_proxy_list_of_single_addresses_and_ipv6() -> None:
    settings = {"trusted_proxies": ["192.0.2.10", "fd00::/8"]}
    assert resolve("192.0.2.10", {"x-forwarded-for": "1.2.3.4"}, **settings) == "1.2.3.4"
    assert resolve("192.0.2.11", {"x-forwarded-for": "1.2.3.4"}, **settings) == "192.0.2.11"
    assert resolve("fd00::1", {"x-forwarded-for": "2001:db8::5, fd12::1"}, **settings) == "2001:db8::5"
    assert resolve("::ffff:192.0.2.10", {"x-forwarded-for": "1.2.3.4"}, **settings) == "1.2.3.4", "mapped peer"
    assert resolve("192.0.2.10", {"x-forwarded-for": "::ffff:1.2.3.4"}, **settings) == "1.2.3.4", "mapped hop"


@pytest.mark.parametrize(
    "chain",
    ["garbage", "1.2.3.4, garbage, 10.0.0.2", "1.2.3.4, , 10.0.0.2", "1.2.3.4:5678", "1.2.3.4, 10.0.0.2, unknown"],
)
def test_malformed_hop_gives_no_ip(chain: str) -> None:
    assert resolve("10.0.0.1", {"x-forwarded-for": chain}, trusted_proxies=PROXIES) is None


def test_malformed_hop_left_of_the_client_does_not_matter() -> None:
    sent = {"x-forwarded-for": "garbage, 1.2.3.4, 10.0.0.2"}
    assert resolve("10.0.0.1", sent, trusted_proxies=PROXIES) == "1.2.3.4"


def test_peer_that_is_not_a_trusted_proxy_is_the_client() -> None:
    sent = {"x-forwarded-for": "1.2.3.4, 10.0.0.2"}
    assert resolve("203.0.113.7", sent, trusted_proxies=PROXIES) == "203.0.113.7"
    assert resolve("11.0.0.1", sent, trusted_proxies=PROXIES) == "11.0.0.1"


def test_trusted_proxy_without_forwarding_header_is_the_client() -> None:
    assert resolve("10.0.0.1", {}, trusted_proxies=PROXIES) == "10.0.0.1"
    assert resolve("10.0.0.1", {"x-forwarded-for": ""}, trusted_proxies=PROXIES) == "10.0.0.1"


def test_configured_headers_only_and_in_order() -> None:
    settings = {"trusted_proxies": PROXIES, "ip_address_headers": ["X-Real-IP", "x-forwarded-for"]}
    assert resolve("10.0.0.1", {"x-real-ip": "1.2.3.4", "x-forwarded-for": "5.6.7.8"}, **settings) == "1.2.3.4"
    assert resolve("10.0.0.1", {"x-forwarded-for": "5.6.7.8"}, **settings) == "5.6.7.8"
    only_real_ip = {"trusted_proxies": PROXIES, "ip_address_headers": ["x-real-ip"]}
    assert resolve("10.0.0.1", {"x-forwarded-for": "5.6.7.8"}, **only_real_ip) == "10.0.0.1"


def test_disable_ip_tracking() -> None:
    assert resolve("203.0.113.7", disable_ip_tracking=True) is None
    sent = {"x-forwarded-for": "1.2.3.4"}
    assert resolve("10.0.0.1", sent, trusted_proxies=PROXIES, disable_ip_tracking=True) is None


# --- through the app -----------------------------------------------------------------------------------------------

PeerClientFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def client_from(make_auth: AuthFactory) -> AsyncIterator[PeerClientFactory]:
    """`await client_from("203.0.113.7", advanced=...)`: a browser at that address, on an app with these options."""
    async with AsyncExitStack() as stack:

        async def new_client(peer: str, **overrides: Any) -> httpx.AsyncClient:
            app = build_app(make_auth(**overrides))
            manager = await stack.enter_async_context(LifespanManager(app))
            transport = httpx.ASGITransport(app=manager.app, client=(peer, 52000))
            client = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN)
            return await stack.enter_async_context(client)

        yield new_client


async def session_ip(client: httpx.AsyncClient) -> str | None:
    body = (await client.get("/api/auth/get-session")).json()
    assert body is not None
    ip: str | None = body["session"]["ipAddress"]
    return ip


async def test_session_records_the_peer_address(client: httpx.AsyncClient) -> None:
    assert (await sign_up(client)).status_code == 200
    assert await session_ip(client) == "127.0.0.1"


async def test_spoofed_forwarded_for_does_not_change_the_session_ip(client_from: PeerClientFactory) -> None:
    """L3: without trusted proxies, the recorded IP is the connection's, whatever X-Forwarded-For says."""
    client = await client_from("203.0.113.7")
    client.headers["x-forwarded-for"] = "1.2.3.4"
    client.headers["x-real-ip"] = "1.2.3.4"
    assert (await sign_up(client)).status_code == 200
    assert await session_ip(client) == "203.0.113.7"


async def test_session_ip_behind_a_trusted_proxy(client_from: PeerClientFactory) -> None:
    options = {"advanced": {"ip_address": {"trusted_proxies": PROXIES}}}
    client = await client_from("10.0.0.1", **options)
    client.headers["x-forwarded-for"] = "6.6.6.6, 198.51.100.9, 10.0.0.2"
    assert (await sign_up(client)).status_code == 200
    assert await session_ip(client) == "198.51.100.9"


async def test_session_ip_not_recorded_when_tracking_is_disabled(client_from: PeerClientFactory) -> None:
    client = await client_from("203.0.113.7", advanced={"ip_address": {"disable_ip_tracking": True}})
    assert (await sign_up(client)).status_code == 200
    assert await session_ip(client) == "", "like better-auth, no IP is stored as an empty string"


def test_invalid_trusted_proxy_is_refused_at_start_up() -> None:
    """A typo in trusted_proxies stops configuration loading instead of failing every request later."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not an IP address or CIDR"):
        IPAddressSettings(trusted_proxies=["10.0.0.0/8", "proxy.internal"])


# --- deployments where forwarding headers are misplaced (logged once) ----------------------------------------------

WARNINGS = "fastapi_betterauth"


@pytest.fixture
async def behind_uvicorn(make_auth: AuthFactory) -> AsyncIterator[PeerClientFactory]:
    """`await behind_uvicorn(**options)`: a browser whose requests reach the app through uvicorn's proxy-headers
    middleware with its defaults (X-Forwarded-For trusted from 127.0.0.1), from a proxy on 127.0.0.1."""
    async with AsyncExitStack() as stack:

        async def new_client(**overrides: Any) -> httpx.AsyncClient:
            app = build_app(make_auth(**overrides))
            manager = await stack.enter_async_context(LifespanManager(app))
            server = ProxyHeadersMiddleware(manager.app)  # type: ignore[arg-type]
            transport = httpx.ASGITransport(app=server, client=("127.0.0.1", 52000))  # type: ignore[arg-type]
            client = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN)
            return await stack.enter_async_context(client)

        yield new_client


def ip_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == WARNINGS and "X-Forwarded-For" in r.getMessage()]


async def test_a_server_that_takes_the_client_from_forwarded_for_is_reported_once(
    behind_uvicorn: PeerClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """L3: uvicorn's defaults behind a local proxy let a forged X-Forwarded-For pick the client address (and rate-limit
    bucket); the first request that shows it logs one warning naming what to change."""
    client = await behind_uvicorn()
    client.headers["x-forwarded-for"] = "198.51.100.4"
    assert (await sign_up(client)).status_code == 200
    assert await session_ip(client) == "198.51.100.4"  # what the server made of the header
    [warning] = ip_warnings(caplog)
    assert "198.51.100.4" in warning
    assert "--no-proxy-headers" in warning
    assert "advanced.ip_address.trusted_proxies" in warning
    await sign_up(client, email="bo@example.com")
    assert len(ip_warnings(caplog)) == 1


async def test_forwarded_for_from_a_local_proxy_without_trusted_proxies_is_reported(
    client_from: PeerClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """L3: a local proxy's header ignored for want of `trusted_proxies` puts every client in one bucket: warned."""
    client = await client_from("127.0.0.1")
    client.headers["x-forwarded-for"] = "198.51.100.4"
    assert (await sign_up(client)).status_code == 200
    [warning] = ip_warnings(caplog)
    assert "advanced.ip_address.trusted_proxies" in warning
    assert "127.0.0.1" in warning


async def test_sound_deployments_are_not_reported(
    client_from: PeerClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A listed proxy's header is believed as configured; a direct client's forged header is ignored; no header at
    all says nothing: no warning."""
    behind_proxy = await client_from("127.0.0.1", advanced={"ip_address": {"trusted_proxies": ["127.0.0.1"]}})
    behind_proxy.headers["x-forwarded-for"] = "198.51.100.4"
    assert (await sign_up(behind_proxy)).status_code == 200
    assert await session_ip(behind_proxy) == "198.51.100.4"
    direct = await client_from("203.0.113.7")
    direct.headers["x-forwarded-for"] = "198.51.100.4"
    assert (await sign_up(direct, email="bo@example.com")).status_code == 200
    local = await client_from("127.0.0.1")
    assert (await sign_up(local, email="cy@example.com")).status_code == 200
    assert ip_warnings(caplog) == []
