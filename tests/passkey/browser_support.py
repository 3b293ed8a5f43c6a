"""Driving better-auth's `passkeyClient` on the example app's `/passkey-demo` page in Chromium, with a CDP virtual
authenticator (an internal, user-verifying platform authenticator that keeps discoverable credentials)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, CDPSession, Page

BUSY_MACHINE_TIMEOUT_MS = 90_000
"""Playwright's waits (navigation, selectors), wide: CI machines may be loaded far beyond their cores."""
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@dataclass
class Authenticator:
    """A virtual authenticator attached to one page (it stays with the tab across navigations)."""

    cdp: CDPSession
    id: str

    @classmethod
    def attach(cls, context: BrowserContext, page: Page) -> Authenticator:
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        answer = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
        return cls(cdp, answer["authenticatorId"])

    def credentials(self) -> list[dict[str, Any]]:
        answer = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})
        credentials: list[dict[str, Any]] = answer["credentials"]
        return credentials

    def replace_with_clone(self, credential: dict[str, Any], sign_count: int) -> None:
        """Swap this authenticator for another holding a copy of `credential` whose counter says `sign_count`: what
        a cloned authenticator looks like to the server."""
        self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.id})
        self.id = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]
        clone = {**credential, "signCount": sign_count}
        self.cdp.send("WebAuthn.addCredential", {"authenticatorId": self.id, "credential": clone})


def open_demo(page: Page, url: str) -> None:
    """Load the demo page and wait until its module made `window.authClient`."""
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", state="attached")


def call(page: Page, expression: str) -> Any:
    """Evaluate `await <expression>` with `client` bound to the page's better-auth client; answers `{data, error}`
    reduced to JSON values."""
    script = f"""async () => {{
        const client = window.authClient;
        const result = await {expression};
        return JSON.parse(JSON.stringify({{ data: result.data ?? null, error: result.error ?? null }}));
    }}"""
    return page.evaluate(script)


def sign_up(page: Page, email: str) -> None:
    answer = call(
        page, f"client.signUp.email({{ name: 'Passkey user', email: '{email}', password: 'correct horse battery' }})"
    )
    assert answer["error"] is None, answer
