"""better-auth's own `passkeyClient` (bundled JS client) in Chromium with a virtual authenticator, against the
example app with the passkey plugin: register, sign out, sign in without a username, list, rename, delete; and the
refusals of an assertion from a wrong origin, a replayed assertion and a cloned authenticator's regressing counter
(docs/security.md W1-W3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..browser import screenshot
from ..live_server import LiveServer, clean_environment, free_port, live_server
from .browser_support import BUSY_MACHINE_TIMEOUT_MS, Authenticator, call, open_demo, sign_up

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Route

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(client_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The example app at http://localhost:<port>: rpID `localhost`, passkeys allowed from that origin only."""
    workdir = tmp_path_factory.mktemp("passkey-browser")
    port = free_port()
    env = clean_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'auth.db'}",
        BETTER_AUTH_URL=f"http://localhost:{port}",
        BETTER_AUTH_ENVIRONMENT="development",
        BETTER_AUTH_PLUGINS__PASSKEY__ENABLED="true",
    )
    with live_server("example_app.main:app", workdir, env, port=port) as running:
        yield running


@pytest.fixture
def page(chromium: Browser, server: LiveServer) -> Iterator[Page]:
    context = chromium.new_context()
    context.set_default_timeout(BUSY_MACHINE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _origin(server: LiveServer) -> str:
    return server.base_url.replace("127.0.0.1", "localhost")


def _demo(server: LiveServer) -> str:
    return _origin(server) + "/passkey-demo"


def _registered(page: Page, server: LiveServer, email: str) -> Authenticator:
    """A signed-up user with one passkey on a virtual authenticator, signed out again."""
    authenticator = Authenticator.attach(page.context, page)
    open_demo(page, _demo(server))
    sign_up(page, email)
    added = call(page, "client.passkey.addPasskey({ name: 'Laptop' })")
    assert added["error"] is None, added
    assert call(page, "client.signOut()")["data"] == {"success": True}
    return authenticator


def test_register_sign_out_sign_in_list_rename_and_delete(page: Page, server: LiveServer) -> None:
    authenticator = _registered(page, server, "round-trip@example.com")
    [credential] = authenticator.credentials()
    assert credential["isResidentCredential"] is True
    assert call(page, "client.getSession()")["data"] is None

    signed_in = call(page, "client.signIn.passkey()")  # no username: the discoverable credential is offered
    assert signed_in["error"] is None, signed_in
    assert signed_in["data"]["user"]["email"] == "round-trip@example.com"
    assert call(page, "client.getSession()")["data"]["user"]["email"] == "round-trip@example.com"

    [listed] = call(page, "client.passkey.listUserPasskeys()")["data"]
    assert listed["name"] == "Laptop"
    # CDP reports the id in standard base64; better-auth stores it as the browser's base64url.
    assert listed["credentialID"] == credential["credentialId"].replace("+", "-").replace("/", "_").rstrip("=")
    assert listed["counter"] >= 1
    assert listed["transports"] == "internal"
    renamed = call(page, f"client.passkey.updatePasskey({{ id: '{listed['id']}', name: ' Work laptop ' }})")
    assert renamed["data"]["passkey"]["name"] == "Work laptop"
    screenshot(page, "passkey-round-trip")
    # The user still has a password, so the passkey is not their last way in.
    assert call(page, f"client.passkey.deletePasskey({{ id: '{listed['id']}' }})")["data"] == {"status": True}
    assert call(page, "client.passkey.listUserPasskeys()")["data"] == []
    assert call(page, "client.signOut()")["error"] is None
    refused = call(page, "client.signIn.passkey()")
    assert refused["error"]["code"] == "PASSKEY_NOT_FOUND"


def test_an_assertion_from_a_wrong_origin_is_refused(page: Page, server: LiveServer) -> None:
    """W2: a phishing site at another origin (here http://localhost:<other port>, which may claim the same rpID)
    relays every request to the real server, its Origin header rewritten; the origin the browser signed into the
    client data still gives it away."""
    _registered(page, server, "wrong-origin@example.com")
    real = _origin(server)
    phishing = f"http://localhost:{free_port()}"

    def relay(route: Route) -> None:
        headers = {**route.request.headers}
        if "origin" in headers:
            headers["origin"] = real
        route.fulfill(response=route.fetch(url=route.request.url.replace(phishing, real), headers=headers))

    page.context.route(f"{phishing}/**", relay)
    open_demo(page, f"{phishing}/passkey-demo")
    refused = call(page, "client.signIn.passkey()")
    assert refused["error"] is not None
    assert refused["error"]["code"] == "AUTHENTICATION_FAILED", refused
    assert call(page, "client.getSession()")["data"] is None
    open_demo(page, _demo(server))
    assert call(page, "client.signIn.passkey()")["error"] is None  # the same passkey from the right origin


def test_a_replayed_assertion_is_refused(page: Page, server: LiveServer) -> None:
    """W1: a challenge is consumed by its first use; an assertion signed for it never verifies again."""
    _registered(page, server, "replay@example.com")
    sent: list[Any] = []

    def record(request: Request) -> None:
        if request.url.endswith("/passkey/verify-authentication"):
            sent.append(request.post_data)

    page.on("request", record)
    assert call(page, "client.signIn.passkey()")["error"] is None
    assert call(page, "client.signOut()")["error"] is None
    [body] = sent
    replay = """async ([body, fresh]) => {
        if (fresh) await fetch('/api/auth/passkey/generate-authenticate-options', { credentials: 'include' });
        const answer = await fetch('/api/auth/passkey/verify-authentication', {
            method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body });
        return { status: answer.status, body: await answer.json() };
    }"""
    same_challenge = page.evaluate(replay, [body, False])
    assert same_challenge == {"status": 400, "body": {"code": "CHALLENGE_NOT_FOUND", "message": "Challenge not found"}}
    new_challenge = page.evaluate(replay, [body, True])
    assert new_challenge["status"] == 400
    assert new_challenge["body"]["code"] == "AUTHENTICATION_FAILED"
    assert call(page, "client.getSession()")["data"] is None


def test_a_regressing_counter_is_refused(page: Page, server: LiveServer) -> None:
    """W3: a copy of the credential whose signature counter is behind the server's (a cloned authenticator)."""
    authenticator = _registered(page, server, "clone@example.com")
    assert call(page, "client.signIn.passkey()")["error"] is None
    assert call(page, "client.signIn.passkey()")["error"] is None
    assert call(page, "client.signOut()")["error"] is None
    [credential] = authenticator.credentials()
    assert credential["signCount"] >= 2
    authenticator.replace_with_clone(credential, sign_count=0)
    refused = call(page, "client.signIn.passkey()")
    assert refused["error"] is not None
    assert refused["error"]["code"] == "AUTHENTICATION_FAILED", refused
    assert call(page, "client.getSession()")["data"] is None
