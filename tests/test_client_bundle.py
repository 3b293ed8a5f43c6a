"""better-auth's own JS client, bundled by example_app/client_bundle and served by the example app, signs up, reads
its session and signs out from a page in Chromium against our server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from example_app.client_bundle import NpmUnavailable, build_bundle

from .browser import example_app_page, screenshot
from .services import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CLIENT_ROUND_TRIP = """async () => {
    const { createAuthClient, twoFactorClient, passkeyClient } = await import('/static/better-auth-client.js');
    const client = createAuthClient({ baseURL: location.origin, plugins: [twoFactorClient(), passkeyClient()] });
    const signedUp = await client.signUp.email(
        { name: 'Bundle', email: 'bundle@example.com', password: 'correct horse battery' });
    const session = await client.getSession();
    const signedOut = await client.signOut();
    const after = await client.getSession();
    return {
        signUpError: signedUp.error, email: session.data && session.data.user.email,
        signedOut: signedOut.data, after: after.data,
        plugins: typeof client.twoFactor.enable === 'function' && typeof client.passkey.addPasskey === 'function',
    };
}"""


@pytest.fixture(scope="session")
def client_bundle() -> Path:
    try:
        return build_bundle()
    except NpmUnavailable as exc:
        unavailable(str(exc))


@pytest.mark.slow
def test_better_auth_client_from_the_bundle(chromium: Browser, client_bundle: Path, tmp_path: Path) -> None:
    assert client_bundle.stat().st_size > 10_000
    with example_app_page(chromium, tmp_path) as page:
        result = page.evaluate(CLIENT_ROUND_TRIP)
        screenshot(page, "client-bundle")
    assert result == {
        "signUpError": None,
        "email": "bundle@example.com",
        "signedOut": {"success": True},
        "after": None,
        "plugins": True,
    }


def test_the_route_says_how_to_build_a_missing_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from example_app import client_bundle

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    app = FastAPI()
    app.include_router(client_bundle.router)
    answer = TestClient(app).get("/static/better-auth-client.js")
    assert answer.status_code == 404
    assert answer.json()["code"] == "CLIENT_BUNDLE_NOT_BUILT"
    assert "python -m example_app.client_bundle" in answer.json()["message"]
