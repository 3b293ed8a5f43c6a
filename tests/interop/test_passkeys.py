"""Passkeys shared with a Node better-auth app (`@better-auth/passkey`) on one database: a passkey registered through
our server signs in on the Node app and the other way round, with better-auth's own `passkeyClient` in Chromium and
one virtual authenticator (both apps are the relying party `localhost`, each at its own port)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from example_app.passkey_demo import PAGE

from ..live_server import LiveServer, clean_environment, free_port, live_server
from ..passkey.browser_support import BUSY_MACHINE_TIMEOUT_MS, Authenticator, call, open_demo, sign_up
from ..test_client_bundle import client_bundle
from .conftest import Interop
from .support import SECRET, new_email

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
__all__ = ["client_bundle"]


@pytest.fixture(scope="module")
def ours(interop: Interop, client_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example app with the passkey plugin on the Node app's database, at http://localhost:<port>."""
    workdir = tmp_path_factory.mktemp("passkey-interop")
    port = free_port()
    env = clean_environment(
        DATABASE_URL=interop.url("node-first"),
        BETTER_AUTH_URL=f"http://localhost:{port}",
        BETTER_AUTH_SECRET=SECRET,
        BETTER_AUTH_SHARED_WITH_NODE="true",
        BETTER_AUTH_ENVIRONMENT="development",
        BETTER_AUTH_PLUGINS__PASSKEY__ENABLED="true",
    )
    with live_server("example_app.main:app", workdir, env, port=port) as running:
        yield _localhost(running)


def _localhost(server: LiveServer | str) -> str:
    url = server.base_url if isinstance(server, LiveServer) else server
    return url.replace("127.0.0.1", "localhost")


@pytest.fixture
def browser_context(chromium: Browser, interop: Interop, client_bundle: Path) -> Iterator[BrowserContext]:
    """A browser context where the Node app (at http://localhost:<its port>) also has the demo page and the bundled
    client: the browser gets those two files from the test, every `/api/auth` request reaches the Node app."""
    context = chromium.new_context()
    context.set_default_timeout(BUSY_MACHINE_TIMEOUT_MS)
    node = _localhost(interop.node_app("plain"))
    context.route(f"{node}/passkey-demo", lambda route: route.fulfill(path=PAGE, content_type="text/html"))
    bundle = f"{node}/static/better-auth-client.js"
    context.route(bundle, lambda route: route.fulfill(path=client_bundle, content_type="text/javascript"))
    try:
        yield context
    finally:
        context.close()


def _register_then_sign_in(context: BrowserContext, register_at: str, sign_in_at: str) -> None:
    page = context.new_page()
    authenticator = Authenticator.attach(context, page)
    email = new_email()
    open_demo(page, f"{register_at}/passkey-demo")
    sign_up(page, email)
    added = call(page, "client.passkey.addPasskey({ name: 'Shared' })")
    assert added["error"] is None, added
    assert call(page, "client.signOut()")["error"] is None
    context.clear_cookies()  # nothing of the registering app's session may help the sign-in

    open_demo(page, f"{sign_in_at}/passkey-demo")
    signed_in = call(page, "client.signIn.passkey()")
    assert signed_in["error"] is None, signed_in
    assert signed_in["data"]["user"]["email"] == email
    [listed] = call(page, "client.passkey.listUserPasskeys()")["data"]
    assert listed["name"] == "Shared"
    assert call(page, "client.signOut()")["error"] is None
    context.clear_cookies()

    # Back where it was registered: the counter the other app recorded is accepted and grows on.
    open_demo(page, f"{register_at}/passkey-demo")
    again = call(page, "client.signIn.passkey()")
    assert again["error"] is None, again
    [credential] = authenticator.credentials()
    [listed] = call(page, "client.passkey.listUserPasskeys()")["data"]
    assert listed["counter"] == credential["signCount"] >= 2


def test_a_passkey_registered_here_signs_in_on_the_node_app(
    ours: str, interop: Interop, browser_context: BrowserContext
) -> None:
    _register_then_sign_in(browser_context, ours, _localhost(interop.node_app("plain")))


def test_a_passkey_registered_on_the_node_app_signs_in_here(
    ours: str, interop: Interop, browser_context: BrowserContext
) -> None:
    _register_then_sign_in(browser_context, _localhost(interop.node_app("plain")), ours)
