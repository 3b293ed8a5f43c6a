"""The example site's account pages in Chromium: sign-up, sign-out, a refused sign-in, password reset and email
verification through the development outbox, with a screenshot of each page among the test artifacts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx2 as httpx
import pytest

from ..browser import screenshot
from .helpers import PASSWORD, Site, browser_context, new_email, outbox_link, sign_in, sign_up

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("example_site")]

COOKIE = "better-auth.session_token"


def test_sign_up_shows_the_user_then_sign_out_ends_the_session(chromium: Browser, site: Site) -> None:
    """The forms post to the site, which calls the auth routes with the browser's Origin: the session cookie the
    browser gets is the library's own, HttpOnly (docs/security.md S1)."""
    email = new_email("ann")
    with browser_context(chromium, site) as context:
        page = context.new_page()
        page.goto("/")
        screenshot(page, "site-home-signed-out")
        page.goto("/sign-up")
        screenshot(page, "site-sign-up")
        sign_up(page, email, name="Ann Example")
        assert page.locator("#user-email").inner_text() == email
        assert "Welcome! Your account is ready." in page.inner_text("main")
        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        assert cookies[COOKIE]["httpOnly"] is True
        assert COOKIE not in page.evaluate("document.cookie")
        screenshot(page, "site-home-signed-in")

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/?notice=signed-out")
        assert "You are signed out." in page.inner_text("main")
        assert page.locator("nav").get_by_role("link", name="Sign in", exact=True).count() == 1
        assert COOKIE not in {cookie["name"] for cookie in context.cookies()}
        page.goto("/sessions")
        assert page.url.endswith("/sign-in"), "the signed-in pages send a signed-out browser to sign in"


def test_wrong_password_shows_the_error_and_keeps_the_email(chromium: Browser, site: Site) -> None:
    email = new_email("bob")
    with browser_context(chromium, site) as context:
        page = context.new_page()
        sign_up(page, email)
        context.clear_cookies()
        sign_in(page, email, "not the password")
        assert page.get_by_role("alert").inner_text() == "Invalid email or password"
        assert page.get_by_label("Email").input_value() == email
        assert COOKIE not in {cookie["name"] for cookie in context.cookies()}
        screenshot(page, "site-sign-in-error")

        sign_in(page, email)
        page.wait_for_url(site.base_url + "/")
        assert page.locator("#user-email").inner_text() == email


def test_forgotten_password_reset_through_the_outbox(chromium: Browser, site: Site) -> None:
    """The reset link from the email goes through the auth route (which checks the token) to the site's form; the
    new password works and the old one no longer does."""
    email, new_password = new_email("cara"), "a brand new passphrase"
    with browser_context(chromium, site) as context:
        page = context.new_page()
        sign_up(page, email)
        context.clear_cookies()

        page.goto("/sign-in")
        page.get_by_role("link", name="Forgot your password?").click()
        page.get_by_label("Email").fill(email)
        screenshot(page, "site-forgot-password")
        page.get_by_role("button", name="Send the link").click()
        page.wait_for_url("**/sign-in?notice=reset-sent")

        link = outbox_link(page, "reset-password", email)
        screenshot(page, "site-outbox")
        page.goto(link)
        page.wait_for_url("**/reset-password?token=*")
        screenshot(page, "site-reset-password")
        page.get_by_label("New password").fill(new_password)
        page.get_by_role("button", name="Change password").click()
        page.wait_for_url("**/sign-in?notice=password-reset")

        sign_in(page, email, PASSWORD)
        assert page.get_by_role("alert").inner_text() == "Invalid email or password"
        sign_in(page, email, new_password)
        page.wait_for_url(site.base_url + "/")
        assert page.locator("#user-email").inner_text() == email

        page.goto(link)  # a reset link works once
        page.wait_for_url("**/reset-password?*error=INVALID_TOKEN*")
        assert "invalid or has expired" in page.get_by_role("alert").inner_text()


def test_email_verification_through_the_outbox(chromium: Browser, site: Site) -> None:
    email = new_email("dan")
    with browser_context(chromium, site) as context:
        page = context.new_page()
        sign_up(page, email)
        assert page.locator("#email-status").inner_text() == "Your email address is not verified yet."
        page.get_by_role("button", name="Send a verification link").click()
        page.wait_for_url("**/?notice=verification-sent")

        link = outbox_link(page, "verify-email", email)
        page.goto(link)
        page.wait_for_url("**/?notice=verified")
        assert page.locator("#email-status").inner_text() == "Your email address is verified."
        screenshot(page, "site-email-verified")


def test_outbox_page_is_for_development_only(site: Site) -> None:
    """In development it lists the emails; it is absent in production (tests/test_example_app.py runs production
    too)."""
    answer = httpx.get(site.base_url + "/dev/outbox", timeout=10)
    assert answer.status_code == 200
    assert "Development outbox" in answer.text


def test_a_form_posted_from_another_site_changes_nothing(site: Site) -> None:
    """The site's handlers forward the browser's Origin to the auth routes, so a cross-site form post is refused as
    a cross-site fetch would be (docs/security.md C3, C4): no sign-out, no sign-in, no API key."""
    email = new_email("csrf")
    with httpx.Client(base_url=site.base_url, timeout=10, headers={"origin": site.base_url}) as browser:
        form = {"name": "Csrf", "email": email, "password": PASSWORD}
        assert browser.post("/sign-up", data=form).status_code == 303
        evil = {"origin": "https://evil.example"}
        refused = browser.post("/sign-out", headers=evil)
        assert refused.status_code == 403
        assert 'role="alert"' in refused.text
        assert browser.post("/api-keys", data={"name": "stolen"}, headers=evil).status_code == 403
        assert "stolen" not in browser.get("/api-keys").text
        assert browser.get("/api/auth/get-session").json()["user"]["email"] == email, "still signed in"
    with httpx.Client(base_url=site.base_url, timeout=10) as attacker:
        login = attacker.post("/sign-in", data={"email": email, "password": PASSWORD}, headers=evil)
        assert login.status_code == 403
        assert COOKIE not in attacker.cookies
