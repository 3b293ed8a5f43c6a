"""C7: a cookie planted by a sibling subdomain (same name, wider `Domain`) cannot replace the app's own, and the
`__Host-` prefix (`advanced.host_prefix_cookies`) keeps such cookies from being set at all."""

from __future__ import annotations

from datetime import timedelta

import httpx2 as httpx
import pytest
from pydantic import ValidationError

from fastapi_betterauth import ManualClock
from fastapi_betterauth.cookies import parse_cookies
from fastapi_betterauth.settings import AuthSettings

from ..conftest import ORIGIN, ConfiguredClientFactory, set_cookies, sign_in, sign_up

TOKEN = "__Secure-better-auth.session_token"
DATA = "__Secure-better-auth.session_data"
DONT_REMEMBER = "__Secure-better-auth.dont_remember"
HOST = {"advanced": {"host_prefix_cookies": True}}


def pair(response: httpx.Response, name: str) -> str:
    """`name=value` of a cookie the response sets, as a browser sends it back."""
    return set_cookies(response)[name].split(";", 1)[0]


async def session_email(client: httpx.AsyncClient, cookie: str) -> str | None:
    body = (await client.get("/api/auth/get-session", headers={**ORIGIN, "cookie": cookie})).json()
    return None if body is None else str(body["user"]["email"])


def test_the_first_cookie_of_a_name_wins() -> None:
    """C7: RFC 6265 §5.4 sends the more specific cookie first; Starlette's parser would keep the last."""
    assert parse_cookies("a=1; b=2; a=3", "b=4; c=5") == {"a": "1", "b": "2", "c": "5"}
    assert parse_cookies('q="x y"; =bare') == {"q": "x y", "": "bare"}


async def test_a_tossed_session_token_does_not_replace_the_own_one(
    make_configured_client: ConfiguredClientFactory,
) -> None:
    """C7: with two session cookies, the first (the app's own) is the session, not the attacker's later one."""
    client = await make_configured_client()
    victim = pair(await sign_up(client, "ann@example.com"), TOKEN)
    attacker = pair(await sign_up(client, "eve@example.com"), TOKEN)
    assert await session_email(client, f"{victim}; {attacker}") == "ann@example.com"
    assert await session_email(client, f"{attacker}; {victim}") == "eve@example.com"


async def test_a_tossed_stateless_session_does_not_replace_the_own_one(
    make_configured_client: ConfiguredClientFactory,
) -> None:
    """C7: the `session_data` cookie (the stateless session, or the cookie cache) is read first-wins too."""
    client = await make_configured_client(session={"store": "stateless"})
    ann = await sign_up(client, "ann@example.com")
    eve = await sign_up(client, "eve@example.com")
    cookie = f"{pair(ann, TOKEN)}; {pair(ann, DATA)}; {pair(eve, DATA)}"
    assert await session_email(client, cookie) == "ann@example.com"


async def test_a_tossed_dont_remember_cookie_is_ignored(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    """C7: a second `dont_remember` cookie cannot turn a browser-session sign-in into a remembered, sliding one."""
    client = await make_configured_client(session={"update_age": 3600})
    await sign_up(client)
    signed_in = await sign_in(client, rememberMe=False)
    cookie = f"{pair(signed_in, TOKEN)}; {pair(signed_in, DONT_REMEMBER)}; {DONT_REMEMBER}=planted"
    clock.advance(timedelta(hours=2))
    response = await client.get("/api/auth/get-session", headers={**ORIGIN, "cookie": cookie})
    assert response.json()["session"]["expiresAt"] == "2026-11-23T12:00:00.000Z"
    assert "Max-Age" not in set_cookies(response).get(TOKEN, "")


async def test_host_prefix_cookies_are_named_and_written_as_host_cookies(
    make_configured_client: ConfiguredClientFactory,
) -> None:
    """C7: `advanced.host_prefix_cookies` names every auth cookie `__Host-...`, with Secure, Path=/ and no Domain;
    they are read back and sign-out clears them."""
    client = await make_configured_client(**HOST)
    written = set_cookies(await sign_up(client))
    header = written["__Host-better-auth.session_token"]
    assert header.split("; ")[1:] == ["Max-Age=604800", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"]
    assert not any(name.startswith("__Secure-") for name in written)
    assert (await client.get("/api/auth/get-session")).json()["user"]["email"] == "ann@example.com"
    cleared = set_cookies(await client.post("/api/auth/sign-out"))
    assert set(cleared) == {f"__Host-better-auth.{name}" for name in ("session_token", "session_data", "dont_remember")}
    assert all("Max-Age=0" in value and "Secure" in value for value in cleared.values())
    assert (await client.get("/api/auth/get-session")).json() is None


async def test_host_prefix_cookies_are_secure_even_on_http(make_configured_client: ConfiguredClientFactory) -> None:
    """C7: `__Host-` cookies without Secure are dropped by browsers, so the prefix always brings Secure."""
    client = await make_configured_client(
        url="http://localhost:8000", headers={"origin": "http://localhost:8000"}, **HOST
    )
    header = set_cookies(await sign_up(client))["__Host-better-auth.session_token"]
    assert "; Secure" in header
    assert "Domain" not in header


def test_host_prefix_with_insecure_cookies_stops_start_up() -> None:
    """C7: `host_prefix_cookies` with `use_secure_cookies=false` is a contradiction refused at start-up."""
    with pytest.raises(ValidationError, match="host_prefix_cookies"):
        AuthSettings(advanced={"host_prefix_cookies": True, "use_secure_cookies": False})
