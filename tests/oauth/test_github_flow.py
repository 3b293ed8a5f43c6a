"""GitHub's flow (OAuth 2.0, no id token; addresses from `/user/emails`), end to end over HTTP against a loopback
server that answers with GitHub's documented responses, including its quirks: token errors with status 200, and
`/user/emails` refused (403) when the token lacks the `user:email` scope. O7: only a verified primary
address is vouched for."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest
import uvicorn
from sqlmodel import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fastapi_betterauth import Account, ManualClock, User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.oauth.providers import GitHub, OAuthProfile, OAuthProvider

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_up

# GET /user as GitHub documents it (trimmed), for a user whose public address is not set.
GITHUB_USER: dict[str, Any] = {
    "login": "octocat",
    "id": 583231,
    "node_id": "MDQ6VXNlcjU4MzIzMQ==",
    "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
    "type": "User",
    "name": "The Octocat",
    "email": None,
}
VERIFIED_PRIMARY = [
    {"email": "octocat@github.example", "primary": True, "verified": True, "visibility": "public"},
    {"email": "octo@old.example", "primary": False, "verified": False, "visibility": None},
]


@dataclass
class FakeGitHub:
    """What the loopback GitHub answers; tests change it between sign-ins."""

    base: str = ""
    user: dict[str, Any] = field(default_factory=lambda: dict(GITHUB_USER))
    emails: list[dict[str, Any]] | None = field(default_factory=lambda: list(VERIFIED_PRIMARY))
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def token(request: Request) -> JSONResponse:
            form = parse_qs((await request.body()).decode())
            self.token_requests.append(form)
            if form.get("code") != ["good-code"]:  # GitHub reports a bad code with status 200
                return JSONResponse({"error": "bad_verification_code", "error_description": "The code is wrong."})
            return JSONResponse(
                {
                    "access_token": "gho_16C7e42F292c6912E7710c838347Ae178B4a",
                    "scope": "read:user,user:email",
                    "token_type": "bearer",
                }
            )

        def authorized(request: Request) -> bool:
            return request.headers.get("authorization") == "Bearer gho_16C7e42F292c6912E7710c838347Ae178B4a"

        async def user(request: Request) -> JSONResponse:
            return JSONResponse(
                self.user if authorized(request) else {"message": "Bad credentials"},
                200 if authorized(request) else 401,
            )

        async def emails(request: Request) -> JSONResponse:
            if self.emails is None:
                return JSONResponse({"message": "Resource not accessible by integration"}, 403)
            return JSONResponse(self.emails)

        return Starlette(
            routes=[
                Route("/login/oauth/access_token", token, methods=["POST"]),
                Route("/user", user),
                Route("/user/emails", emails),
            ]
        )


@pytest.fixture
async def github() -> AsyncIterator[FakeGitHub]:
    fake = FakeGitHub()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    fake.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(fake.app(), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):  # at most 5 s
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "the loopback GitHub did not start"
    yield fake
    server.should_exit = True
    await task


@pytest.fixture
def client_for(
    github: FakeGitHub, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> ConfiguredClientFactory:
    clock.set(datetime.now(UTC))

    async def build(**settings: Any) -> httpx.AsyncClient:
        provider = replace(
            GitHub("gh-client", "gh-secret"),
            authorization_endpoint=f"{github.base}/login/oauth/authorize",
            token_endpoint=f"{github.base}/login/oauth/access_token",
            userinfo_endpoint=f"{github.base}/user",
            email_endpoint=f"{github.base}/user/emails",
        )
        return await make_configured_client(make_auth(social_providers=[provider], **settings))

    return build  # type: ignore[return-value]


async def github_sign_in(client: httpx.AsyncClient, code: str = "good-code") -> str:
    """Start, then come back as GitHub would after the user approved (GitHub sends no `iss`)."""
    started = await client.post("/api/auth/sign-in/social", json={"provider": "github", "callbackURL": "/in"})
    state = parse_qs(urlsplit(started.json()["url"]).query)["state"][0]
    back = await client.get("/api/auth/callback/github", params={"code": code, "state": state})
    return str(back.headers["location"])


async def stored(database: Database) -> list[tuple[User, Account]]:
    async with database.session() as db:
        rows = await db.exec(select(User, Account).where(Account.user_id == User.id))
        return list(rows.all())


async def test_the_verified_primary_address_signs_up_with_the_numeric_id_as_subject(
    client_for: ConfiguredClientFactory, github: FakeGitHub, database: Database
) -> None:
    client = await client_for()
    assert await github_sign_in(client) == "/in"
    [(user, account)] = await stored(database)
    assert (user.email, user.email_verified, user.name) == ("octocat@github.example", True, "The Octocat")
    assert user.image == GITHUB_USER["avatar_url"]
    assert (account.provider_id, account.account_id) == ("github", "583231")
    assert account.scope == "read:user,user:email"
    [request] = github.token_requests
    assert request["client_secret"] == ["gh-secret"]  # client_secret_post, as GitHub wants
    assert len(request["code_verifier"][0]) == 128

    github.emails = [{**VERIFIED_PRIMARY[0], "email": "renamed@github.example"}]
    assert await github_sign_in(await client_for()) == "/in"  # the same id finds the same user, whatever the address
    assert [u.id for u, _ in await stored(database)] == [user.id]


async def test_an_unverified_primary_address_is_not_vouched_for(
    client_for: ConfiguredClientFactory, github: FakeGitHub, database: Database
) -> None:
    github.emails = [{"email": "ann@example.com", "primary": True, "verified": False, "visibility": None}]
    await sign_up(await client_for(), email="ann@example.com")
    async with database.session() as db, db.begin():
        [local] = (await db.exec(select(User))).all()
        local.email_verified = True  # the local address is verified: only the provider's word is missing
        db.add(local)
    assert await github_sign_in(await client_for()) == "https://testserver/api/auth/error?error=account_not_linked"
    assert [a.provider_id for _, a in await stored(database)] == ["credential"]

    trusting = await client_for(social={"trusted_providers": ["github"]})
    assert await github_sign_in(trusting) == "/in"  # a trusted provider's address is believed
    assert sorted(a.provider_id for _, a in await stored(database)) == ["credential", "github"]


async def test_without_the_email_scope_the_public_address_is_used_unverified(
    client_for: ConfiguredClientFactory, github: FakeGitHub, database: Database
) -> None:
    github.emails = None  # /user/emails answers 403
    github.user = {**GITHUB_USER, "email": "Public@GitHub.example"}
    assert await github_sign_in(await client_for()) == "/in"
    [(user, _)] = await stored(database)
    assert (user.email, user.email_verified) == ("public@github.example", False)


async def test_no_address_at_all_fails_and_creates_nothing(
    client_for: ConfiguredClientFactory, github: FakeGitHub, database: Database
) -> None:
    github.emails = []
    assert await github_sign_in(await client_for()) == "https://testserver/api/auth/error?error=email_not_found"
    assert await stored(database) == []


@pytest.mark.parametrize("address", ["octocat@github.example\n", "octocat@github.example\r\nBcc: eve@x.example"])
async def test_an_address_with_control_characters_counts_as_none(
    client_for: ConfiguredClientFactory, github: FakeGitHub, database: Database, address: str
) -> None:
    """L9: a provider's address that would break mail headers is no address: the sign-in fails as without one."""
    github.emails = [{"email": address, "primary": True, "verified": True, "visibility": "public"}]
    assert await github_sign_in(await client_for()) == "https://testserver/api/auth/error?error=email_not_found"
    assert await stored(database) == []


async def test_a_bad_code_reported_with_status_200_is_an_invalid_code(
    client_for: ConfiguredClientFactory, database: Database
) -> None:
    assert (
        await github_sign_in(await client_for(), code="stale") == "https://testserver/api/auth/error?error=invalid_code"
    )
    assert await stored(database) == []


async def test_a_generic_oauth2_provider_from_explicit_endpoints(
    github: FakeGitHub, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    """Any OAuth 2.0 provider is a plain `OAuthProvider`: endpoints, scopes and a profile mapper (no subclass)."""

    def acme_profile(data: Mapping[str, Any]) -> OAuthProfile:
        return OAuthProfile(
            subject=str(data["node_id"]),
            email=f"{data['login']}@acme.example",
            email_verified=False,
            name=data["name"],
            image=None,
            raw=dict(data),
        )

    acme = OAuthProvider(
        id="acme",
        name="Acme SSO",
        client_id="acme-client",
        client_secret="acme-secret",
        authorization_endpoint=f"{github.base}/login/oauth/authorize",
        token_endpoint=f"{github.base}/login/oauth/access_token",
        userinfo_endpoint=f"{github.base}/user",
        scopes=("profile",),
        token_endpoint_auth_method="client_secret_post",
        map_profile=acme_profile,
    )
    client = await make_configured_client(make_auth(social_providers=[acme]))
    started = await client.post("/api/auth/sign-in/social", json={"provider": "acme", "callbackURL": "/in"})
    query = parse_qs(urlsplit(started.json()["url"]).query)
    assert query["redirect_uri"] == ["https://testserver/api/auth/callback/acme"]
    assert query["scope"] == ["profile"]
    assert "nonce" not in query  # not an OpenID provider
    back = await client.get("/api/auth/callback/acme", params={"code": "good-code", "state": query["state"][0]})
    assert back.headers["location"] == "/in"
    [(user, account)] = await stored(database)
    assert (user.email, account.provider_id, account.account_id) == (
        "octocat@acme.example",
        "acme",
        GITHUB_USER["node_id"],
    )
