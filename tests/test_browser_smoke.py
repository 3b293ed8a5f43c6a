"""The browser harness itself: Debian's Chromium under Playwright reaches an app served on loopback, keeps its
session cookie (HttpOnly, so out of the page's reach) and takes a screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .browser import screenshot
from .live_server import clean_environment, free_port, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.mark.slow
def test_chromium_signs_up_against_the_example_app(chromium: Browser, tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = clean_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}",
        BETTER_AUTH_URL=base_url,
        BETTER_AUTH_ENVIRONMENT="development",
    )
    with live_server("example_app.main:app", tmp_path, env, port=port):
        context = chromium.new_context(base_url=base_url)
        try:
            page = context.new_page()
            page.goto("/api/auth/ok")
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
            cookies = {cookie["name"]: cookie for cookie in context.cookies()}
            assert status == 200
            assert cookies["better-auth.session_token"]["httpOnly"] is True
            assert "better-auth.session_token" not in page.evaluate("document.cookie")
            page.goto("/api/auth/get-session")
            assert '"email":"browser@example.com"' in page.inner_text("body")
            assert screenshot(page, "browser-smoke").stat().st_size > 0
        finally:
            context.close()
