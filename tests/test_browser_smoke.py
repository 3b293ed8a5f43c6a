"""The browser harness itself: Debian's Chromium under Playwright reaches an app served on loopback, keeps its
session cookie (HttpOnly, so out of the page's reach) and takes a screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .browser import example_app_page, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.mark.slow
def test_chromium_signs_up_against_the_example_app(chromium: Browser, tmp_path: Path) -> None:
    with example_app_page(chromium, tmp_path) as page:
        status = page.evaluate(
            """async () => {
                const answer = await fetch('/api/auth/sign-up/email', {
                    method: 'POST', headers: {'content-type': 'application/json'},
                    body: JSON.stringify(
                        {name: 'Browser', email: 'browser@example.com', password: 'correct horse battery'}
                    ),
                });
                return answer.status;
            }"""
        )
        cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
        assert status == 200
        assert cookies["better-auth.session_token"]["httpOnly"] is True
        assert "better-auth.session_token" not in page.evaluate("document.cookie")
        page.goto("/api/auth/get-session")
        assert '"email":"browser@example.com"' in page.inner_text("body")
        assert screenshot(page, "browser-smoke").stat().st_size > 0
