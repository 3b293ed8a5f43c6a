"""Login CSRF by Fetch Metadata (better-auth 1.7's `formCsrfMiddleware`, docs/better-auth.md#origin-check; C3, C4).

Only `/sign-in/email` and `/sign-up/email` accept HTML form posts, and only they are checked when the request carries
no cookie: a browser announces itself with `Sec-Fetch-Site`, `Sec-Fetch-Mode` or `Sec-Fetch-Dest`, and then a
cross-site top-level navigation is refused (403 `CROSS_SITE_NAVIGATION_LOGIN_BLOCKED`) and any other request must
come from a trusted `Origin`/`Referer`. Without Fetch Metadata a sent `Origin`/`Referer` is still checked; without
any of them (curl, a server) the request passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx2 as httpx
import pytest
from starlette.datastructures import Headers

from fastapi_betterauth import AuthError, AuthSettings, ErrorCode
from fastapi_betterauth.security.origins import OriginPolicy

from ..conftest import BASE_URL, PASSWORD, ClientFactory, set_cookies, sign_up

APP = "https://app.example"
EVIL = "https://evil.example"
BLOCKED = {
    "code": "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
    "message": "Cross-site navigation login blocked. This request appears to be a CSRF attack.",
}
NAVIGATE = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}
FORM = {"email": "ann@example.com", "password": PASSWORD}


def policy() -> OriginPolicy:
    return OriginPolicy(AuthSettings(url=APP, secret="x" * 40, environment="test"))


def check(sent: Mapping[str, str], *, url: str | None = None) -> str | None:
    """The error code of a cookie-less login form post with these headers, or None when it passes."""
    try:
        policy().check_request("POST", Headers(headers=dict(sent)), login_form=True, url=url)
    except AuthError as error:
        return error.code if error.status_code == 403 else f"status {error.status_code}"
    return None


# --- the rule ------------------------------------------------------------------------------------------------------


def test_any_fetch_metadata_header_makes_the_origin_mandatory() -> None:
    """C4: `Sec-Fetch-Dest` alone marks a browser as much as `-Site` or `-Mode` do."""
    for header in ("sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest"):
        assert check({header: "same-origin"}) == ErrorCode.MISSING_OR_NULL_ORIGIN, header
        assert check({header: "same-origin", "origin": APP}) is None, header
        assert check({header: "same-origin", "origin": EVIL}) == ErrorCode.INVALID_ORIGIN, header
    assert check({"sec-fetch-dest": "document", "referer": f"{APP}/login"}) is None


def test_blank_fetch_metadata_headers_count_as_absent() -> None:
    assert check({"sec-fetch-site": " ", "sec-fetch-mode": "", "sec-fetch-dest": ""}) is None
    assert check({"sec-fetch-dest": "", "origin": EVIL}) == ErrorCode.INVALID_ORIGIN


def test_cross_site_navigation_is_blocked_whatever_the_origin() -> None:
    """C4: the navigation rule comes first, so a trusted-looking Origin does not help."""
    for extra in ({}, {"origin": APP}, {"origin": EVIL}, {"sec-fetch-dest": "iframe"}):
        assert check({"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", **extra}) == BLOCKED["code"]
    # Other cross-site requests (fetch, no-cors) fall to the origin check.
    assert check({"sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors"}) == ErrorCode.MISSING_OR_NULL_ORIGIN
    assert check({"sec-fetch-site": "same-site", "sec-fetch-mode": "navigate", "origin": APP}) is None


def test_empty_origin_without_fetch_metadata_is_not_checked() -> None:
    """As better-auth: an empty `Origin` is no origin, and a request without any browser marker passes."""
    assert check({"origin": ""}) is None
    assert check({"origin": "", "referer": f"{EVIL}/"}) == ErrorCode.INVALID_ORIGIN


def test_null_origin_of_a_same_origin_request_is_the_request_url() -> None:
    """C3: a browser that withholds the origin (`Origin: null`) but vouches `Sec-Fetch-Site: same-origin` is checked
    against the address the request was sent to (better-auth 1.7); every other `null` is refused."""
    same_origin_null = {"origin": "null", "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate"}
    assert check(same_origin_null, url=f"{APP}/api/auth/sign-in/email") is None
    assert check(same_origin_null, url="https://other.example/api/auth/sign-in/email") == ErrorCode.INVALID_ORIGIN
    assert check(same_origin_null) == ErrorCode.MISSING_OR_NULL_ORIGIN  # no request URL known
    cross_site_null = {"origin": "null", "sec-fetch-site": "same-site"}
    assert check(cross_site_null, url=f"{APP}/api/auth/sign-in/email") == ErrorCode.MISSING_OR_NULL_ORIGIN
    # The same inference applies to cookie-carrying requests.
    with_cookie = Headers(headers={"cookie": "a=b", "origin": "null", "sec-fetch-site": "same-origin"})
    policy().check_request("POST", with_cookie, url=f"{APP}/api/auth/sign-out")


# --- over HTTP ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/auth/sign-in/email", "/api/auth/sign-up/email"])
async def test_cross_site_form_navigation_to_sign_in_and_sign_up_is_blocked(
    make_client: ClientFactory, path: str
) -> None:
    """C4: an attacker's page auto-submitting a form (signing the victim into the attacker's account) is refused
    before the body is read, and nothing is created or set."""
    owner = make_client()
    assert (await sign_up(owner, email="mallory@example.com")).status_code == 200
    victim = make_client(headers=NAVIGATE)  # a top-level form post carries no Origin check without cookies

    body = {"name": "Mallory", "email": "mallory@example.com", "password": PASSWORD}
    response = await victim.post(path, data=body)

    assert response.status_code == 403
    assert response.json() == BLOCKED
    assert "set-cookie" not in response.headers


async def test_same_origin_null_form_post_signs_in(make_client: ClientFactory) -> None:
    """A form on the app's own page under `Referrer-Policy: no-referrer` arrives with `Origin: null`."""
    await sign_up(make_client())
    browser = make_client(headers={"origin": "null", "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate"})

    response = await browser.post("/api/auth/sign-in/email", data=FORM)

    assert response.status_code == 200, response.text
    assert set_cookies(response)


async def test_same_origin_null_with_session_cookie_passes_the_origin_check(make_client: ClientFactory) -> None:
    """C3: the inference holds for cookie-carrying requests; a cross-site `null` is still refused."""
    client = make_client()
    await sign_up(client)

    refused = await client.post("/api/auth/revoke-other-sessions", headers={"origin": "null"})
    assert refused.json()["code"] == "MISSING_OR_NULL_ORIGIN"
    null_same_origin = {"origin": "null", "sec-fetch-site": "same-origin"}
    response = await client.post("/api/auth/revoke-other-sessions", headers=null_same_origin)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/request-password-reset", {"email": "ann@example.com"}),
        ("/api/auth/reset-password", {"token": "nope", "newPassword": PASSWORD}),
        ("/api/auth/send-verification-email", {"email": "ann@example.com"}),
    ],
)
async def test_only_sign_in_and_sign_up_get_the_login_check(
    make_client: ClientFactory, path: str, body: dict[str, Any]
) -> None:
    """As in better-auth, the cookie-less Fetch Metadata check guards the two login endpoints only: other routes
    rely on the cookie-bound origin check (none here) or on their emailed token."""
    client = make_client(headers=NAVIGATE)
    response = await client.post(path, json=body)
    assert response.json().get("code") != BLOCKED["code"], response.text


async def test_fetch_metadata_from_the_own_origin_signs_in(make_client: ClientFactory) -> None:
    await sign_up(make_client())
    fetch = {"sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty", "origin": BASE_URL}
    browser = make_client(headers=fetch)

    response = await browser.post("/api/auth/sign-in/email", json=FORM)

    assert response.status_code == 200, response.text


async def test_curl_without_browser_headers_signs_in(make_client: ClientFactory) -> None:
    """No Fetch Metadata, no Origin, no cookie: a server or curl, which no other site can drive."""
    await sign_up(make_client())
    client: httpx.AsyncClient = make_client(headers={})
    response = await client.post("/api/auth/sign-in/email", data=FORM)
    assert response.status_code == 200, response.text
