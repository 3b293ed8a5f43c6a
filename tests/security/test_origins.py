"""Trusted origins and redirect matching (docs/better-auth.md#trusted-origins), the origin check on unsafe requests
(docs/better-auth.md#origin-check; C3, C4)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx2 as httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.datastructures import Headers

from fastapi_betterauth import AuthError, AuthSettings, ErrorCode
from fastapi_betterauth.security.origins import OriginPolicy

from ..conftest import (
    BASE_URL,
    ORIGIN,
    PASSWORD,
    TEST_SECRET,
    AuthFactory,
    ClientFactory,
    build_app,
    set_cookies,
    sign_in,
    sign_up,
)

EVIL = "https://evil.example"
COOKIE = "__Secure-better-auth.session_token"


def policy(*trusted: str, **advanced: Any) -> OriginPolicy:
    settings = AuthSettings(
        url="https://app.example",
        trusted_origins=list(trusted),
        secret=TEST_SECRET,
        environment="test",
        advanced=advanced,
    )
    return OriginPolicy(settings)


def headers(values: Mapping[str, str]) -> Headers:
    """Request headers as the app sees them (case-insensitive names)."""
    return Headers(headers=dict(values))


def refused(check: Any, *args: Any, **kwargs: Any) -> AuthError:
    with pytest.raises(AuthError) as raised:
        check(*args, **kwargs)
    assert raised.value.status_code == 403
    return raised.value


# --- which origins are trusted -------------------------------------------------------------------------------------


def test_base_url_origin_is_trusted_exactly() -> None:
    origins = policy()
    assert origins.is_trusted_origin("https://app.example")
    assert origins.is_trusted_origin("https://APP.example"), "host names are case-insensitive"
    assert origins.is_trusted_url("https://app.example/dashboard?tab=1")
    for other in [
        "http://app.example",  # scheme
        "https://app.example:8443",  # port
        "https://app.example.evil.io",
        "https://evil.io/https://app.example",
        "https://app.example@evil.io",  # userinfo trick: the host is evil.io
        "https://sub.app.example",
        "app.example",
        "",
        "null",
    ]:
        assert not origins.is_trusted_origin(other), other


def test_trusted_origins_with_ports_and_schemes() -> None:
    origins = policy("http://localhost:3000", "https://admin.example")
    assert origins.is_trusted_origin("http://localhost:3000")
    assert origins.is_trusted_origin("https://admin.example")
    assert origins.is_trusted_origin("https://app.example"), "the base URL stays trusted"
    assert not origins.is_trusted_origin("http://localhost:3001")
    assert not origins.is_trusted_origin("http://localhost")
    assert not origins.is_trusted_origin("https://localhost:3000")
    assert not origins.is_trusted_origin("http://admin.example")


def test_host_wildcard_pattern() -> None:
    """`*.example.com` (no scheme) is matched against the host only."""
    origins = policy("*.example.com")
    assert origins.is_trusted_origin("https://a.example.com")
    assert origins.is_trusted_origin("https://login.example.com/path?x=1")
    assert origins.is_trusted_origin("http://a.example.com"), "a host pattern accepts either http scheme"
    for other in [
        "https://example.com",
        "https://example.com.evil.io",
        "https://a.example.com.evil.io",
        "https://evilexample.com",
        "https://evil.io/.example.com",
        "https://evil.io?.example.com",
        "javascript://a.example.com/%0aalert(1)",
        "ftp://a.example.com",
    ]:
        assert not origins.is_trusted_origin(other), other


def test_origin_wildcard_pattern() -> None:
    """`https://*.example.com` (with a scheme) is matched against the whole origin."""
    origins = policy("https://*.example.com")
    assert origins.is_trusted_origin("https://a.example.com")
    assert origins.is_trusted_url("https://a.example.com/after/login")
    for other in [
        "http://a.example.com",
        "https://a.example.com:8443",
        "https://example.com",
        "https://example.com.evil.io",
        "https://evil.io/x.example.com",
    ]:
        assert not origins.is_trusted_origin(other), other


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.io\\@a.example.com/",  # a browser reads `\` as `/`: the host is evil.io
        "https://evil.io\\.a.example.com/",
        "https://evil.io\\@x.corp.example/",
        "https://evil.io%2f.a.example.com/",
        "https://evil.io%5c.x.corp.example/",
        "https://user:pass@a.example.com/",
        "https://evil.io\\@partner.example/",
        "https://partner.example\\@evil.io/",
    ],
)
def test_urls_a_browser_reads_differently_are_never_trusted(url: str) -> None:
    """O5-style open redirect: urlsplit must not see a trusted host where a browser sees another one."""
    origins = policy("*.example.com", "https://*.corp.example", "https://partner.example")
    assert not origins.is_trusted_url(url)
    assert refused(origins.check_callback_url, url).code == ErrorCode.INVALID_CALLBACK_URL


def test_custom_scheme_authority_must_match_exactly() -> None:
    """docs/better-auth.md#trusted-origins (since 1.7): `myapp://callback` no longer matches `myapp://callback.attacker.tld`."""
    origins = policy("myapp://callback")
    assert origins.is_trusted_url("myapp://callback")
    assert origins.is_trusted_url("myapp://callback/deep/link?x=1")
    assert origins.is_trusted_url("MYAPP://callback"), "schemes are case-insensitive"
    for other in [
        "myapp://callback.attacker.tld",
        "myapp://attacker.tld",
        "myapp://callbackx",
        "otherapp://callback",
        "myapp:callback",
        "https://callback",
    ]:
        assert not origins.is_trusted_url(other), other


def test_custom_scheme_path_nesting_after_normalisation() -> None:
    origins = policy("myapp://host/app")
    assert origins.is_trusted_url("myapp://host/app")
    assert origins.is_trusted_url("myapp://host/app/")
    assert origins.is_trusted_url("myapp://host/app/inner/page")
    assert origins.is_trusted_url("myapp://host/app/x/../y"), "`..` inside the allowed path stays inside"
    for other in [
        "myapp://host/apple",  # a prefix, not a nested path
        "myapp://host/other",
        "myapp://host/",
        "myapp://host",
        "myapp://host/app/../admin",
        "myapp://host/app/%2e%2e/admin",  # percent-decoded before resolving
        "myapp://host/app/%2E%2E/%2E%2E/etc",
        "myapp://evil/app",
    ]:
        assert not origins.is_trusted_url(other), other


def test_custom_scheme_without_authority_accepts_any_authority() -> None:
    origins = policy("wallet://")
    assert origins.is_trusted_url("wallet://anything/at/all")
    assert not origins.is_trusted_url("walletx://anything")


@pytest.mark.parametrize("path", ["/", "/dashboard", "/a/b?x=1", "/a/b?next=%2Fhome&y=2", "/user@home/x-y_z.html"])
def test_safe_relative_callback_urls(path: str) -> None:
    assert policy().is_trusted_url(path)
    assert not policy().is_trusted_url(path, allow_relative=False)


@pytest.mark.parametrize(
    "path",
    [
        "//evil.com",
        "///evil.com",
        "/\\evil.com",
        "/%2fevil.com",
        "/%2Fevil.com",
        "/%5cevil.com",
        "/%5Cevil.com",
        "/x#frag",
        "/\t/evil.com",  # browsers drop tabs: this would become //evil.com
        "/ /evil.com",
        "/x?y=<script>",
        "dashboard",
        "javascript:alert(1)",
    ],
)
def test_unsafe_relative_callback_urls(path: str) -> None:
    assert not policy().is_trusted_url(path)


def test_check_callback_url() -> None:
    origins = policy("https://partner.example")
    origins.check_callback_url(None)
    origins.check_callback_url("/dashboard")
    origins.check_callback_url("https://partner.example/welcome")
    error = refused(origins.check_callback_url, "https://evil.example/steal")
    assert error.code == ErrorCode.INVALID_CALLBACK_URL
    error = refused(origins.check_callback_url, "//evil.example")
    assert error.code == ErrorCode.INVALID_CALLBACK_URL
    # disable_origin_check turns the callback URL check off.
    policy(disable_origin_check=True).check_callback_url("https://evil.example/steal")


# --- check_request: cookie-carrying unsafe requests (C3) -------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "get"])
def test_safe_methods_are_never_checked(method: str) -> None:
    origins = policy()
    origins.check_request(method, headers({"cookie": "a=b", "origin": EVIL}))
    origins.check_request(method, headers({"cookie": "a=b", "sec-fetch-site": "cross-site"}), login_form=True)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "post"])
def test_cookie_without_origin_is_refused(method: str) -> None:
    """C3: MISSING_OR_NULL_ORIGIN when a cookie comes without Origin/Referer, or with `Origin: null`."""
    origins = policy()
    for sent in ({"cookie": "a=b"}, {"cookie": "a=b", "origin": "null"}, {"cookie": "a=b", "origin": ""}):
        error = refused(origins.check_request, method, headers(sent))
        assert error.code == ErrorCode.MISSING_OR_NULL_ORIGIN
        assert error.message == "Missing or null Origin"


def test_cookie_with_foreign_origin_is_refused() -> None:
    """C3: a foreign Origin on a cookie-carrying POST is INVALID_ORIGIN."""
    origins = policy("https://partner.example")
    for origin in (EVIL, "https://app.example.evil.io", "http://app.example", "https://partner.example:444"):
        error = refused(origins.check_request, "POST", headers({"Cookie": "a=b", "Origin": origin}))
        assert error.code == ErrorCode.INVALID_ORIGIN, origin
        assert error.message == "Invalid origin"


def test_cookie_with_trusted_origin_passes() -> None:
    origins = policy("https://partner.example")
    origins.check_request("POST", headers({"cookie": "a=b", "origin": "https://app.example"}))
    origins.check_request("DELETE", headers({"cookie": "a=b", "origin": "https://partner.example"}))


def test_referer_stands_in_for_origin() -> None:
    origins = policy()
    origins.check_request("POST", headers({"cookie": "a=b", "referer": "https://app.example/settings?tab=2"}))
    error = refused(origins.check_request, "POST", headers({"cookie": "a=b", "referer": f"{EVIL}/page"}))
    assert error.code == ErrorCode.INVALID_ORIGIN
    # Origin, when sent, is what counts: a trusted Referer does not rescue a foreign Origin.
    sent = {"cookie": "a=b", "origin": EVIL, "referer": "https://app.example/"}
    assert refused(origins.check_request, "POST", headers(sent)).code == ErrorCode.INVALID_ORIGIN


def test_without_cookie_a_non_login_request_is_not_checked() -> None:
    """Without a Cookie header there is no ambient credential to abuse (docs/better-auth.md#origin-check)."""
    policy().check_request("POST", headers({"origin": EVIL, "sec-fetch-site": "cross-site"}))


# --- check_request: login forms (C4) -------------------------------------------------------------------------------


def test_login_form_cross_site_navigation_is_blocked() -> None:
    """C4: a cross-site form post that would sign someone in is refused, whatever Origin it claims."""
    origins = policy()
    for origin in ({}, {"origin": EVIL}, {"origin": "https://app.example"}):
        sent = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", **origin}
        error = refused(origins.check_request, "POST", headers(sent), login_form=True)
        assert error.code == ErrorCode.CROSS_SITE_NAVIGATION_LOGIN_BLOCKED


def test_login_form_fetch_metadata_without_origin_is_refused() -> None:
    origins = policy()
    for sent in (
        {"sec-fetch-site": "same-origin"},
        {"sec-fetch-mode": "cors"},
        {"sec-fetch-site": "cross-site", "sec-fetch-mode": "cors"},
        {"sec-fetch-site": "same-origin", "origin": "null"},
    ):
        error = refused(origins.check_request, "POST", headers(sent), login_form=True)
        assert error.code == ErrorCode.MISSING_OR_NULL_ORIGIN, sent


def test_login_form_foreign_origin_is_refused() -> None:
    origins = policy()
    for sent in (
        {"origin": EVIL},
        {"referer": f"{EVIL}/login"},
        {"sec-fetch-site": "cross-site", "sec-fetch-mode": "cors", "origin": EVIL},
    ):
        error = refused(origins.check_request, "POST", headers(sent), login_form=True)
        assert error.code == ErrorCode.INVALID_ORIGIN, sent


def test_login_form_same_origin_and_server_to_server_pass() -> None:
    origins = policy()
    same_site = {"sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", "origin": "https://app.example"}
    origins.check_request("POST", headers(same_site), login_form=True)
    origins.check_request("POST", headers({"origin": "https://app.example"}), login_form=True)
    origins.check_request("POST", headers({}), login_form=True)  # curl, server-to-server
    origins.check_request("POST", headers({"user-agent": "curl/8"}), login_form=True)


def test_login_form_with_cookie_gets_the_full_check() -> None:
    origins = policy()
    error = refused(origins.check_request, "POST", headers({"cookie": "x=1"}), login_form=True)
    assert error.code == ErrorCode.MISSING_OR_NULL_ORIGIN


def test_disable_csrf_check_turns_the_request_checks_off() -> None:
    origins = policy(disable_csrf_check=True)
    origins.check_request("POST", headers({"cookie": "a=b", "origin": EVIL}))
    origins.check_request("POST", headers({"cookie": "a=b"}))
    navigate = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"}
    origins.check_request("POST", headers(navigate), login_form=True)
    # ...but not the callback URL check, which is disable_origin_check's.
    assert refused(origins.check_callback_url, EVIL).code == ErrorCode.INVALID_CALLBACK_URL


def test_disable_origin_check_keeps_the_csrf_check() -> None:
    """Unlike better-auth's deprecated fallback, disable_origin_check alone never turns CSRF protection off."""
    origins = policy(disable_origin_check=True)
    error = refused(origins.check_request, "POST", headers({"cookie": "a=b", "origin": EVIL}))
    assert error.code == ErrorCode.INVALID_ORIGIN


# --- over HTTP ----------------------------------------------------------------------------------------------------


async def session_of(client: httpx.AsyncClient) -> Any:
    response = await client.get("/api/auth/get-session")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("path", ["/api/auth/sign-out", "/profile"])
async def test_foreign_origin_with_session_cookie_is_refused(client: httpx.AsyncClient, path: str) -> None:
    """C3: a cookie-authenticated POST from a foreign origin is refused and changes nothing."""
    assert (await sign_up(client)).status_code == 200
    before = await session_of(client)
    assert before is not None

    response = await client.post(path, headers={"origin": EVIL})
    assert response.status_code == 403
    assert response.json() == {"code": "INVALID_ORIGIN", "message": "Invalid origin"}
    assert COOKIE not in set_cookies(response), "the session cookie is not cleared"

    after = await session_of(client)
    assert after is not None
    assert after["session"]["id"] == before["session"]["id"]
    assert (await client.post("/profile")).status_code == 200, "the app's own origin still works"


@pytest.mark.parametrize("path", ["/api/auth/sign-out", "/profile"])
async def test_missing_origin_with_session_cookie_is_refused(make_client: ClientFactory, path: str) -> None:
    """C3: a cookie-authenticated POST with neither Origin nor Referer is refused (MISSING_OR_NULL_ORIGIN)."""
    client = make_client(headers={})
    assert (await sign_up(client)).status_code == 200, "a sign-up without Origin nor cookie is allowed (curl)"
    assert COOKIE in client.cookies

    response = await client.post(path)
    assert response.status_code == 403
    assert response.json() == {"code": "MISSING_OR_NULL_ORIGIN", "message": "Missing or null Origin"}
    response = await client.post(path, headers={"origin": "null"})
    assert response.json()["code"] == "MISSING_OR_NULL_ORIGIN"

    assert (await session_of(client)) is not None, "the session survived"
    response = await client.post(path, headers={"referer": f"{BASE_URL}/account"})
    assert response.status_code == 200, "a trusted Referer stands in for Origin"


async def test_sign_out_from_own_origin_works(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await client.post("/api/auth/sign-out")
    assert response.status_code == 200
    assert await session_of(client) is None


async def test_cross_site_login_form_post_is_blocked(make_client: ClientFactory) -> None:
    """C4: a cross-site navigation (HTML form) to sign-in is refused, and no session cookie is set."""
    owner = make_client()
    await sign_up(owner)
    browser = make_client(headers={})
    form = {"email": "ann@example.com", "password": PASSWORD}
    navigate = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}
    response = await browser.post("/api/auth/sign-in/email", data=form, headers=navigate)
    assert response.status_code == 403
    assert response.json()["code"] == "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"
    assert not response.headers.get_list("set-cookie")

    response = await browser.post("/api/auth/sign-in/email", data=form, headers={"origin": EVIL})
    assert response.status_code == 403
    assert response.json()["code"] == "INVALID_ORIGIN"
    assert not response.headers.get_list("set-cookie")

    response = await browser.post("/api/auth/sign-up/email", json={"name": "M", **form}, headers={"origin": EVIL})
    assert response.status_code == 403
    assert response.json()["code"] == "INVALID_ORIGIN"

    # The same form from the app's own pages works.
    same_origin = {"sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate", "origin": BASE_URL}
    response = await browser.post("/api/auth/sign-in/email", data=form, headers=same_origin)
    assert response.status_code == 200, response.text
    assert COOKIE in set_cookies(response)


async def test_get_requests_are_not_origin_checked(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    response = await client.get("/me", headers={"origin": EVIL})
    assert response.status_code == 200


@pytest.fixture
async def wildcard_client(make_auth: AuthFactory) -> AsyncIterator[httpx.AsyncClient]:
    """A browser on an app that trusts `*.example.com`."""
    app = build_app(make_auth(trusted_origins=["*.example.com"]))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=ORIGIN) as client:
            yield client


async def test_callback_url_checked_against_wildcard_origins(wildcard_client: httpx.AsyncClient) -> None:
    """O5: sign-in and sign-up refuse a callbackURL outside the trusted origins, including parser-confusion tricks."""
    assert (await sign_up(wildcard_client)).status_code == 200
    for url in ["https://evil.io/", "https://evil.io\\@a.example.com/", "//evil.io", "/\\evil.io"]:
        response = await sign_in(wildcard_client, callbackURL=url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "INVALID_CALLBACK_URL"
        assert "location" not in response.headers
        response = await sign_up(wildcard_client, email="new@example.com", callbackURL=url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "INVALID_CALLBACK_URL"

    response = await sign_in(wildcard_client, callbackURL="https://shop.example.com/welcome")
    assert response.status_code == 200, response.text
    assert response.json()["url"] == "https://shop.example.com/welcome"
    # A page on a trusted subdomain may also post with the session cookie.
    response = await wildcard_client.post("/profile", headers={"origin": "https://shop.example.com"})
    assert response.status_code == 200


def test_header_names_are_case_insensitive_for_plain_mappings() -> None:
    """C3: server-side callers passing `{"Cookie": ...}` get the same check as a request's headers."""
    checked = policy()
    with pytest.raises(AuthError) as caught:
        checked.check_request("POST", {"Cookie": "a=b", "Origin": "https://evil.example"})
    assert caught.value.code == "INVALID_ORIGIN"
