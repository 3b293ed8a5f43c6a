"""A social button of the example site, round trip in Chromium through a real OpenID Connect provider on loopback
(tests/idp_fixture.py): the site's button starts `/sign-in/social`, the provider's login form is filled in the
browser, and the callback lands on the site's home page signed in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ..browser import screenshot
from ..idp_fixture import OidcClient, running_idp
from ..live_server import free_port
from .helpers import browser_context, running_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("example_site")]


def test_social_button_signs_in_through_the_provider(chromium: Browser, tmp_path: Path) -> None:
    """The OAuth state travels in the library's own cookie, set on the site's redirect to the provider
    (docs/security.md O1): the callback is accepted only in the browser that started the sign-in."""
    port = free_port()
    client = OidcClient(
        "example-site",
        "example-site-secret-0123456789-abcdefghijklmnop",
        auto_consent=True,
        app_base_url=f"http://127.0.0.1:{port}",
    )
    (tmp_path / "idp").mkdir()
    with running_idp(tmp_path / "idp", extra_clients=(client,)) as idp:
        provider = {
            "id": "idp",
            "discovery_url": idp.discovery_url,
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        }
        with (
            running_site(tmp_path, port=port, BETTER_AUTH_SOCIAL__OIDC=json.dumps([provider])) as site,
            browser_context(chromium, site) as context,
        ):
            page = context.new_page()
            page.goto("/sign-in")
            button = page.locator('button[data-provider="idp"]')
            assert button.count() == 1, "one button per configured provider"
            screenshot(page, "site-sign-in")
            button.click()
            page.wait_for_url(f"{idp.issuer}/**")
            page.locator('input[name="login"]').fill("sophie")
            page.locator('input[name="password"]').fill(idp.password)
            screenshot(page, "site-social-provider-login")
            page.locator('button[type="submit"]').first.click()
            page.wait_for_url(site.base_url + "/")
            assert page.locator("#user-email").inner_text() == "sophie@example.test"
            assert page.locator("#email-status").inner_text() == "Your email address is verified."

            # Cancelling at the provider comes back to the sign-in page with the provider's error, signed out.
            with browser_context(chromium, site) as other:
                page = other.new_page()
                page.goto("/sign-in")
                page.locator('button[data-provider="idp"]').click()
                page.wait_for_url(f"{idp.issuer}/**")
                page.locator('a[href$="/abort"]').click()
                page.wait_for_url("**/sign-in?error=*")
                assert "Signing in with the provider failed (access_denied)" in page.get_by_role("alert").inner_text()
                assert "better-auth.session_token" not in {cookie["name"] for cookie in other.cookies()}
