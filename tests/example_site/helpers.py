"""What the example site's browser tests share: the running site, fresh browser contexts and the steps a user takes
(sign up, read the development outbox, compute an authenticator's code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..live_server import LiveServer, clean_environment, free_port, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

PASSWORD = "correct horse battery"
APP_NAME = "Example Site"


@dataclass(frozen=True)
class Site:
    base_url: str
    server: LiveServer


@contextmanager
def running_site(workdir: Path, port: int | None = None, **settings: str) -> Iterator[Site]:
    """The example app under uvicorn in development (the outbox page on), with the API-key and two-factor plugins
    and `settings` (environment variables) on a fresh SQLite database."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = clean_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'site.db'}",
        BETTER_AUTH_URL=base_url,
        BETTER_AUTH_ENVIRONMENT="development",
        BETTER_AUTH_SECRET=secrets.token_urlsafe(32),
        BETTER_AUTH_EMAIL__APP_NAME=APP_NAME,
        BETTER_AUTH_PLUGINS__API_KEY__ENABLED="true",
        BETTER_AUTH_PLUGINS__TWO_FACTOR__ENABLED="true",
        **settings,
    )
    with live_server("example_app.main:app", workdir, env, port=port, ready_path="/api/auth/ok") as server:
        yield Site(base_url, server)


@contextmanager
def browser_context(chromium: Browser, site: Site) -> Iterator[BrowserContext]:
    """A new browser profile (its own cookies) on the site."""
    context = chromium.new_context(base_url=site.base_url)
    context.set_default_timeout(15_000)  # a busy machine
    try:
        yield context
    finally:
        context.close()


def new_email(label: str) -> str:
    return f"{label}-{secrets.token_hex(4)}@example.com"


def sign_up(page: Page, email: str, name: str = "Ann Example", password: str = PASSWORD) -> None:
    """Sign up through the form; the home page then greets the new user."""
    page.goto("/sign-up")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/?notice=signed-up")


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill and send the sign-in form (where it leads is the caller's to check)."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def outbox_link(page: Page, email_type: str, to: str, *, timeout: float = 10) -> str:
    """The link of the newest `email_type` email to `to` on the development outbox page (mail is sent in the
    background: reload until it is there)."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto("/dev/outbox")
        emails = page.locator(f'article.email[data-type="{email_type}"]').filter(has_text=to)
        if emails.count():
            href = emails.first.locator("a.email-link").get_attribute("href")
            assert href, "the email has a link"
            return href
        assert time.monotonic() < deadline, f"no {email_type} email to {to} in the outbox"
        time.sleep(0.2)


def totp(secret: str, at: float | None = None) -> str:
    """The 6-digit, 30-second code an authenticator app shows for the base32 `secret` (RFC 6238), computed here
    independently of the library."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return str(value).zfill(6)
