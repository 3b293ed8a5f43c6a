"""The example site's JS client page in Chromium: better-auth's own `createAuthClient` (the locally built bundle)
signs in, reads and lists sessions and signs out against the same server as the server-rendered pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from example_app.client_bundle import NpmUnavailable, build_bundle

from ..browser import screenshot
from ..services import unavailable
from .helpers import PASSWORD, Site, browser_context, new_email, sign_up

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("example_site")]


@pytest.fixture(scope="module")
def bundle_built() -> None:
    try:
        build_bundle()
    except NpmUnavailable as exc:
        unavailable(str(exc))


def finished(page: Page, action: str) -> str:
    """The page's log once the client's `action` has answered."""
    log = page.locator(f'#js-log[data-action="{action}"]')
    log.wait_for()
    return log.inner_text()


def test_js_client_page_signs_in_lists_sessions_and_signs_out(
    chromium: Browser, bundle_built: None, site: Site
) -> None:
    email = new_email("ivy")
    with browser_context(chromium, site) as context:
        page = context.new_page()
        sign_up(page, email)  # through the server-rendered form: the JS client sees the same session cookie
        page.get_by_role("link", name="JS client").click()
        assert '"email": "' + email + '"' in finished(page, "getSession")
        assert page.locator("#js-user").inner_text() == email

        page.get_by_role("button", name="List sessions").click()
        assert finished(page, "listSessions").count('"userAgent"') == 1
        page.locator("#js-sign-out").click()
        page.wait_for_function("document.querySelector('#js-user').textContent === 'nobody'")
        assert '"success": true' in finished(page, "signOut")
        page.goto("/")
        assert page.locator("#user-email").count() == 0, "signed out for the server-rendered pages too"

        page.goto("/js-client")
        page.locator("#js-sign-in").get_by_label("Email").fill(email)
        page.locator("#js-sign-in").get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in with the JS client").click()
        assert '"token"' in finished(page, "signIn.email")
        assert page.locator("#js-user").inner_text() == email
        screenshot(page, "site-js-client")
        page.goto("/")
        assert page.locator("#user-email").inner_text() == email
