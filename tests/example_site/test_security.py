"""The example site's security pages in Chromium: sessions with revoke, API keys, two-factor authentication."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from ..browser import screenshot
from .helpers import PASSWORD, Site, browser_context, new_email, sign_in, sign_up, totp

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("example_site")]


def test_revoking_the_other_session_signs_that_browser_out(chromium: Browser, site: Site) -> None:
    email = new_email("eve")
    with browser_context(chromium, site) as laptop_context, browser_context(chromium, site) as phone_context:
        laptop, phone = laptop_context.new_page(), phone_context.new_page()
        sign_up(laptop, email)
        sign_in(phone, email)
        phone.wait_for_url(site.base_url + "/")

        laptop.goto("/sessions")
        rows = laptop.locator("#sessions tbody tr")
        assert rows.count() == 2
        assert laptop.locator("#sessions tr.current").count() == 1
        screenshot(laptop, "site-sessions")
        laptop.locator("#sessions tr.other").get_by_role("button", name="Sign out").click()
        laptop.wait_for_url("**/sessions?notice=session-revoked")
        assert laptop.locator("#sessions tbody tr").count() == 1

        phone.goto("/")
        assert phone.locator("#user-email").count() == 0, "the revoked browser is signed out"
        phone.goto("/sessions")
        assert phone.url.endswith("/sign-in")
        laptop.goto("/")
        assert laptop.locator("#user-email").inner_text() == email, "this browser stays signed in"


def test_sign_out_every_other_session(chromium: Browser, site: Site) -> None:
    email = new_email("fay")
    with browser_context(chromium, site) as first, browser_context(chromium, site) as second:
        laptop = first.new_page()
        sign_up(laptop, email)
        for _ in range(2):
            second.clear_cookies()
            phone = second.new_page()
            sign_in(phone, email)
            phone.wait_for_url(site.base_url + "/")
        laptop.goto("/sessions")
        assert laptop.locator("#sessions tbody tr").count() == 3
        laptop.get_by_role("button", name="Sign out every other session").click()
        laptop.wait_for_url("**/sessions?notice=sessions-revoked")
        assert laptop.locator("#sessions tbody tr").count() == 1


def test_api_keys_create_show_once_use_and_delete(chromium: Browser, site: Site) -> None:
    email = new_email("gus")
    with browser_context(chromium, site) as context:
        page = context.new_page()
        sign_up(page, email)
        page.get_by_role("link", name="API keys").click()
        page.get_by_label("Name").fill("ci-deploy")
        page.get_by_role("button", name="Create a key").click()
        key = page.locator("#new-key-value").inner_text().strip()
        assert len(key) >= 32
        screenshot(page, "site-api-key-created")
        rows = page.locator("#keys tbody tr")
        assert rows.count() == 1
        assert rows.first.locator("td").first.inner_text() == "ci-deploy"
        assert key[:6] in rows.first.inner_text()

        page.goto("/api-keys")
        assert page.locator("#new-key").count() == 0, "the key is shown once, on creation"
        assert key not in page.content()

        page.get_by_role("button", name="Delete").click()
        page.wait_for_url("**/api-keys?notice=key-deleted")
        assert page.locator("#keys tbody tr").inner_text().strip() == "No keys yet."


def enable_two_factor(page: Page) -> tuple[str, list[str]]:
    """Turn two-factor on from the setup page; the secret shown and the backup codes."""
    page.get_by_role("link", name="Two-factor").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Set up two-factor authentication").click()
    secret = page.locator("#totp-secret").inner_text().strip()
    codes = [code.strip() for code in page.locator("#backup-codes code").all_inner_texts()]
    assert page.locator(".qr svg").count() == 1, "a QR code for authenticator apps"
    screenshot(page, "site-two-factor-setup")
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_url("**/two-factor/setup?notice=two-factor-on")
    return secret, codes


def test_two_factor_enable_then_sign_in_asks_for_the_code(chromium: Browser, site: Site) -> None:
    email = new_email("hal")
    with browser_context(chromium, site) as context:
        page = context.new_page()
        sign_up(page, email)
        secret, backup_codes = enable_two_factor(page)
        assert len(backup_codes) == 10
        page.goto("/")
        assert "Two-factor authentication is on." in page.inner_text("main")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/?notice=signed-out")

        sign_in(page, email)
        page.wait_for_url("**/two-factor")
        assert page.locator("#user-email").count() == 0
        page.goto("/")
        assert page.locator("#user-email").count() == 0, "the password alone gives no session"
        page.goto("/two-factor")
        screenshot(page, "site-two-factor-step")
        page.get_by_label("Code", exact=True).fill("000000" if totp(secret) != "000000" else "111111")
        page.get_by_role("button", name="Verify", exact=True).click()
        assert page.get_by_role("alert").inner_text() == "Invalid code"
        page.get_by_label("Code", exact=True).fill(totp(secret, time.time()))
        page.get_by_role("button", name="Verify", exact=True).click()
        page.wait_for_url(site.base_url + "/")
        assert page.locator("#user-email").inner_text() == email

        # A backup code is the other way in; then two-factor can be turned off with the password.
        page.get_by_role("button", name="Sign out").click()
        sign_in(page, email)
        page.wait_for_url("**/two-factor")
        page.get_by_text("Use a backup code instead").click()
        page.get_by_label("Backup code").fill(backup_codes[0])
        page.get_by_role("button", name="Verify backup code").click()
        page.wait_for_url(site.base_url + "/")
        page.goto("/two-factor/setup")
        page.locator("form[action='/two-factor/disable']").get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Turn off").click()
        page.wait_for_url("**/two-factor/setup?notice=two-factor-off")
        page.get_by_role("button", name="Sign out").click()
        sign_in(page, email)
        page.wait_for_url(site.base_url + "/")
