"""A real OpenID Connect provider on loopback for the OAuth tests: panva's `oidc-provider` (tests/idp/), run by Node.

`oidc_provider` (session scope) installs the pinned npm package once into a cache folder outside the repository
(`$XDG_CACHE_HOME/fastapi-betterauth/oidc-provider-<version>`, default `~/.cache/...`; reinstalled only when
tests/idp/package.json or package-lock.json change), starts `node server.mjs` on 127.0.0.1 (the OS picks the port),
waits for its discovery document, and stops it at the end of the session. Without Node/npm, or when the package
cannot be installed (no registry access and no cache), its tests skip with the reason, or fail with
REQUIRE_SERVICES=1, like the other services (the installing is tests/node_packages.py's).

`IdP.login(authorization_url)` plays the browser at the provider with plain HTTP: it follows the redirects, fills
the devInteractions login form (any login/password works), approves (or cancels at) the consent screen, and returns
the redirect back to the relying party (the callback URL with code/state/iss, or with error=access_denied).
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import os
import re
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from fastapi_betterauth.oauth.providers import OAuthProvider, oidc_from_discovery
from fastapi_betterauth.oauth.providers.base import AuthMethod

from .node_packages import NodePackage, node_and_npm, wait_for_line
from .services import stop_process

IDP_SOURCE = Path(__file__).parent / "idp"
APP_BASE_URL = "https://testserver"  # the test apps' origin (tests/conftest.py BASE_URL)
CALLBACK_PATH = "/api/auth/callback/"
PROVIDER_IDS = ("idp", "idp2")
START_TIMEOUT = 30.0


def _pinned_version() -> str:
    version: str = json.loads((IDP_SOURCE / "package.json").read_text())["dependencies"]["oidc-provider"]
    return version


IDP_PACKAGE = NodePackage(IDP_SOURCE, f"oidc-provider-{_pinned_version()}", ("server.mjs",), "oidc-provider")


@dataclass(frozen=True)
class OidcClient:
    """A client registered at the IdP: confidential, authorization_code + refresh_token, redirect URIs
    `https://testserver/api/auth/callback/<provider id>` for provider ids "idp" and "idp2".

    Without `token_endpoint_auth_method` it is registered as client_secret_basic and oidc-provider accepts
    client_secret_post from it too; with one, the token endpoint accepts that method only (tests/idp/server.mjs)."""

    client_id: str
    client_secret: str
    auto_consent: bool = False
    token_endpoint_auth_method: str | None = None
    app_base_url: str = APP_BASE_URL
    """The relying party's origin in the registered redirect URIs (a live server's `http://127.0.0.1:<port>`)."""

    def registration(self) -> dict[str, Any]:
        redirect_uris = [f"{self.app_base_url}{CALLBACK_PATH}{provider_id}" for provider_id in PROVIDER_IDS]
        registration: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": redirect_uris,
            "auto_consent": self.auto_consent,
        }
        if self.token_endpoint_auth_method is not None:
            registration["token_endpoint_auth_method"] = self.token_endpoint_auth_method
        return registration


CLIENT = OidcClient("test-client", "test-client-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
SECOND_CLIENT = OidcClient("test-client-2", "test-client-2-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
AUTO_CONSENT_CLIENT = OidcClient(
    "test-client-auto", "test-client-auto-secret-0123456789-abcdefghijklmnopqrstuvwxyz", auto_consent=True
)
BASIC_ONLY_CLIENT = OidcClient(
    "test-client-basic",
    "test-client-basic-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    token_endpoint_auth_method="client_secret_basic",
)
POST_ONLY_CLIENT = OidcClient(
    "test-client-post",
    "test-client-post-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    token_endpoint_auth_method="client_secret_post",
)

_FORM = re.compile(r'<form[^>]*\baction="([^"]+)"[^>]*\bmethod="post"', re.IGNORECASE)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.IGNORECASE)
_ABORT = re.compile(r'<a href="([^"]*/abort)"', re.IGNORECASE)


class IdPError(AssertionError):
    """The provider answered something a login cannot go on from (an error page, an unknown screen)."""


@dataclass
class IdP:
    """The running provider. `client_id`/`client_secret` are the main client's; `second_client` is another
    client with the same redirect URIs, `auto_consent_client` one whose logins skip the consent screen;
    `basic_only_client` and `post_only_client` authenticate at the token endpoint with that method only."""

    issuer: str
    discovery: dict[str, Any] = field(repr=False)
    client: OidcClient = CLIENT
    second_client: OidcClient = SECOND_CLIENT
    auto_consent_client: OidcClient = AUTO_CONSENT_CLIENT
    basic_only_client: OidcClient = BASIC_ONLY_CLIENT
    post_only_client: OidcClient = POST_ONLY_CLIENT
    password: str = "any-password"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def client_id(self) -> str:
        return self.client.client_id

    @property
    def client_secret(self) -> str:
        return self.client.client_secret

    def provider(
        self,
        provider_id: str = "idp",
        client: OidcClient | None = None,
        *,
        token_endpoint_auth_method: AuthMethod | None = None,
    ) -> OAuthProvider:
        """Our generic OIDC provider for this IdP (from its discovery document), as the main client or `client`."""
        client = client or self.client
        return oidc_from_discovery(
            provider_id,
            self.discovery,
            discovery_url=self.discovery_url,
            client_id=client.client_id,
            client_secret=client.client_secret,
            token_endpoint_auth_method=token_endpoint_auth_method,
        )

    def redirect_uri(self, provider_id: str) -> str:
        if provider_id not in PROVIDER_IDS:
            raise ValueError(f"the IdP only knows redirect URIs for provider ids {PROVIDER_IDS}, not {provider_id!r}")
        return f"{APP_BASE_URL}{CALLBACK_PATH}{provider_id}"

    def _at_idp(self, url: str) -> bool:
        return url == self.issuer or url.startswith(f"{self.issuer}/")

    async def login(
        self,
        authorization_url: str,
        login: str = "alice",
        consent: bool = True,
        deny: bool = False,
        *,
        browser: httpx.AsyncClient | None = None,
    ) -> str:
        """Complete a login at the IdP like a user would, returning the redirect back to the relying party (the
        first Location outside the IdP). `login` is the account (any name; "unverified…" gives
        email_verified=false). `consent=False` cancels at the consent screen, `deny=True` at the first screen
        shown (the login form, or the consent screen when the browser is already signed in); both end with
        error=access_denied. `browser` is the user agent: pass a client (follow_redirects=False) to keep the IdP
        session across logins; by default each call is a new browser."""
        async with AsyncExitStack() as stack:
            if browser is None:
                browser = await stack.enter_async_context(
                    httpx.AsyncClient(follow_redirects=False, timeout=10, verify=_tls_context())
                )
            response = await browser.get(authorization_url)
            for _ in range(20):
                if response.is_redirect:
                    location = str(response.url.join(response.headers["location"]))
                    if not self._at_idp(location):
                        return location
                    response = await browser.get(location)
                    continue
                if response.status_code != 200:
                    raise IdPError(f"IdP answered {response.status_code} at {response.url}: {response.text[:800]}")
                response = await self._interact(browser, response, login, consent=consent, deny=deny)
                deny = False
            raise IdPError(f"no redirect back to the relying party after 20 steps (last: {response.url})")

    async def _interact(
        self, browser: httpx.AsyncClient, page: httpx.Response, login: str, *, consent: bool, deny: bool
    ) -> httpx.Response:
        """Answer one devInteractions screen (login or consent form); returns the provider's response."""
        form = _FORM.search(page.text)
        if form is None:
            raise IdPError(f"no form on the IdP page {page.url}: {page.text[:800]}")
        fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(page.text)}
        prompt = fields.get("prompt")
        if deny or (prompt == "consent" and not consent):
            abort = _ABORT.search(page.text)
            if abort is None:
                raise IdPError(f"no cancel link on the IdP page {page.url}")
            return await browser.get(page.url.join(html.unescape(abort.group(1))))
        if prompt == "login":
            fields.update(login=login, password=self.password)
        elif prompt != "consent":
            raise IdPError(f"unknown IdP screen (prompt={prompt!r}) at {page.url}")
        return await browser.post(page.url.join(html.unescape(form.group(1))), data=fields)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for all the simulated browsers: a new client would make its own, and loading the CA bundle
    into it costs ~50 ms of CPU (a few hundred logins per run). The provider speaks plain HTTP on loopback anyway."""
    return ssl.create_default_context()


def _read_port(log: Path, process: subprocess.Popen[bytes], deadline: float) -> int:
    """The port from server.mjs's first line (`oidc-provider listening on ... (127.0.0.1:<port>, ...`)."""
    pattern = re.compile(rb"listening on \S+ \(127\.0\.0\.1:(\d+),")
    try:
        return int(wait_for_line(log, process, pattern, deadline))
    except RuntimeError as error:
        raise RuntimeError(f"oidc-provider did not report its port ({error})") from None


def _wait_ready(url: str, process: subprocess.Popen[bytes], deadline: float) -> dict[str, Any]:
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            with contextlib.suppress(httpx.TransportError):
                response = client.get(url)
                if response.status_code == 200:
                    discovery: dict[str, Any] = response.json()
                    return discovery
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer 200")


@contextlib.contextmanager
def running_idp(log_folder: Path, port: int = 0, extra_clients: tuple[OidcClient, ...] = ()) -> Iterator[IdP]:
    """Start `node server.mjs` on `port` (0: any free port) with the test clients and `extra_clients`, and stop it
    on exit."""
    node, npm = node_and_npm("the test OpenID Connect provider")
    folder = IDP_PACKAGE.install(npm)
    log = log_folder / "server.log"
    registered = (CLIENT, SECOND_CLIENT, AUTO_CONSENT_CLIENT, BASIC_ONLY_CLIENT, POST_ONLY_CLIENT, *extra_clients)
    clients = [client.registration() for client in registered]
    env = {**os.environ, "PORT": str(port), "CLIENTS": json.dumps(clients)}
    env.pop("ISSUER", None)
    env.pop("AUTO_CONSENT", None)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [node, "server.mjs"], cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        try:
            port = _read_port(log, process, deadline)
            issuer = f"http://127.0.0.1:{port}"
            discovery = _wait_ready(f"{issuer}/.well-known/openid-configuration", process, deadline)
        except RuntimeError as error:
            pytest.fail(f"{error} within {START_TIMEOUT:.0f}s; server log:\n{log.read_text()[-2000:]}", pytrace=False)
        yield IdP(issuer=issuer, discovery=discovery)
    finally:
        stop_process(process, timeout=5)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdP]:
    """A started oidc-provider shared by the session (see the module docstring)."""
    with running_idp(tmp_path_factory.mktemp("oidc-provider")) as idp:
        yield idp
