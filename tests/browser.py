"""Headless Chromium from the system's package (Debian's `chromium`), driven by Playwright's Python API; Playwright's
own browser download is never used.

`chromium` is a browser per test module (each test opens its own context, so no cookies are shared); a missing Chromium
or Playwright skips the test with the reason, or fails it with REQUIRE_SERVICES=1 as in CI (`python3 tasks.py test`
installs Debian's package when it can). Screenshots go to `$TEST_ARTIFACTS/screenshots` (default
`test-artifacts/screenshots` in the repository) and are kept as the run's artifacts.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .services import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
# No sandbox: CI and these machines run as root, where Chromium's sandbox refuses to start.
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


def chromium_executable() -> str | None:
    """`$CHROMIUM`, or the first of the system package's usual paths that exists."""
    for candidate in (os.environ.get("CHROMIUM"), *CANDIDATES, shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium per test module. Not per session: Playwright's sync API keeps an event loop running
    in this thread while it is started, and every async test (or `asyncio.run`) after it would then fail."""
    executable = chromium_executable()
    if executable is None:
        unavailable("Chromium is not installed (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("TEST_ARTIFACTS") or REPO / "test-artifacts") / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG named after `name` among the run's artifacts, and return its path."""
    path = artifacts_dir() / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextmanager
def example_app_page(chromium: Browser, workdir: Path) -> Iterator[Page]:
    """The example app under uvicorn (development, a fresh SQLite database in `workdir`, its own address as the base
    URL) and a page of a new browser context on it, at `/api/auth/ok`."""
    from .live_server import clean_environment, free_port, live_server

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = clean_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'auth.db'}",
        BETTER_AUTH_URL=base_url,
        BETTER_AUTH_ENVIRONMENT="development",
    )
    with live_server("example_app.main:app", workdir, env, port=port):
        context = chromium.new_context(base_url=base_url)
        try:
            page = context.new_page()
            page.goto("/api/auth/ok")
            yield page
        finally:
            context.close()
