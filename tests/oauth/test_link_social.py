"""`POST /link-social` and what linking does afterwards, end to end against the real OpenID provider
(docs/better-auth.md#linked-accounts): the redirect flow, the id-token flow, and their errors."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import Account, ManualClock, User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.oauth.providers import GitHub

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_up
from ..idp_fixture import IdP
from .test_accounts import path_of
from .test_id_token_sign_in import app_login

SESSION_STORES = ("database", "stateless")
ERROR_PAGE = "https://testserver/api/auth/error"


@pytest.fixture
async def app(
    oidc_provider: IdP, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> ConfiguredClientFactory:
    """`await app(**settings)`: a new browser on an app with the IdP (as `idp`) and GitHub."""
    clock.set(datetime.now(UTC))

    async def build(**settings: object) -> httpx.AsyncClient:
        providers = [oidc_provider.provider(), GitHub("gh", "gh-secret")]
        return await make_configured_client(make_auth(social_providers=providers, **settings))

    return build  # type: ignore[return-value]


async def verify_email(database: Database, email: str) -> None:
    async with database.session() as db, db.begin():
        user = (await db.exec(select(User).where(User.email == email))).one()
        user.email_verified = True
        db.add(user)


async def user_row(database: Database, email: str) -> User:
    async with database.session() as db:
        return (await db.exec(select(User).where(User.email == email))).one()


async def link(client: httpx.AsyncClient, idp: IdP, login: str, **body: object) -> httpx.Response:
    started = await client.post("/api/auth/link-social", json={"provider": "idp", **body})
    assert started.status_code == 200, started.text
    return await client.get(path_of(await idp.login(started.json()["url"], login=login)))


async def test_linking_by_redirect(app: ConfiguredClientFactory, oidc_provider: IdP, database: Database) -> None:
    client = await app()
    await sign_up(client, email="alice@example.test", name="Local Alice")
    started = await client.post(
        "/api/auth/link-social",
        json={
            "provider": "idp",
            "callbackURL": "/settings",
            "loginHint": "alice",
            "additionalParams": {"ui_locales": "de"},
        },
    )
    assert started.status_code == 200
    assert set(started.json()) == {"url", "redirect"}
    assert started.json()["redirect"] is True
    assert started.headers["location"] == started.json()["url"]
    params = parse_qs(urlsplit(started.json()["url"]).query)
    assert {"state", "nonce", "code_challenge"} <= set(params)
    assert (params["code_challenge_method"], params["login_hint"], params["ui_locales"]) == (
        ["S256"],
        ["alice"],
        ["de"],
    )
    back = await client.get(path_of(await oidc_provider.login(started.json()["url"], login="alice")))
    assert back.headers["location"] == "/settings"
    assert not [c for c in back.headers.get_list("set-cookie") if "session_token=" in c]  # the session stays
    listed = (await client.get("/api/auth/list-accounts")).json()
    assert sorted(a["providerId"] for a in listed) == ["credential", "idp"]
    assert ("idp", "alice") in {(a["providerId"], a["accountId"]) for a in listed}

    quiet = await client.post("/api/auth/link-social", json={"provider": "idp", "disableRedirect": True})
    assert quiet.json()["redirect"] is False
    assert "location" not in quiet.headers

    # A later sign-in with the provider vouches for the same address: verified now, name kept.
    assert (await user_row(database, "alice@example.test")).email_verified is False
    other = await app()
    started = await other.post("/api/auth/sign-in/social", json={"provider": "idp", "callbackURL": "/in"})
    signed_in = await other.get(path_of(await oidc_provider.login(started.json()["url"], login="alice")))
    assert signed_in.headers["location"] == "/in"
    user = await user_row(database, "alice@example.test")
    assert (user.email_verified, user.name) == (True, "Local Alice")


async def test_link_errors(app: ConfiguredClientFactory, oidc_provider: IdP, database: Database) -> None:
    outsider = await app()
    refused = await outsider.post("/api/auth/link-social", json={"provider": "idp"})
    assert (refused.status_code, refused.json()) == (401, {"code": "UNAUTHORIZED", "message": "Unauthorized"})

    client = await app()
    await sign_up(client, email="bob@example.test")
    assert (await link(client, oidc_provider, "carl")).headers["location"] == f"{ERROR_PAGE}?error=email_does_not_match"
    elsewhere = await link(client, oidc_provider, "carl", errorCallbackURL="/oops")
    assert elsewhere.headers["location"] == "/oops?error=email_does_not_match"

    unverified = await app()
    await sign_up(unverified, email="unverified-dan@example.test")
    response = await link(unverified, oidc_provider, "unverified-dan")
    assert response.headers["location"] == f"{ERROR_PAGE}?error=unable_to_link_account"
    for refused_client in (client, unverified):
        assert "idp" not in {a["providerId"] for a in (await refused_client.get("/api/auth/list-accounts")).json()}
    trusted = await app(social={"trusted_providers": ["idp"]})  # believed without email_verified
    signed_in = await trusted.post(
        "/api/auth/sign-in/email", json={"email": "unverified-dan@example.test", "password": "correct horse battery"}
    )
    assert signed_in.status_code == 200
    assert (await link(trusted, oidc_provider, "unverified-dan", callbackURL="/ok")).headers["location"] == "/ok"

    reserved = await client.post("/api/auth/link-social", json={"provider": "idp", "additionalParams": {"state": "x"}})
    assert reserved.status_code == 400
    assert reserved.json()["message"] == (
        "[body.additionalParams] additionalParams cannot include reserved OAuth parameters: state, client_id, "
        "redirect_uri, response_type, code_challenge, code_challenge_method, nonce, scope"
    )


async def test_unlinking_does_not_stop_the_provider(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    """After unlink-account, the next provider sign-in finds the verified address and links it again."""
    client = await app()
    user_id = (await sign_up(client, email="erin@example.test")).json()["user"]["id"]
    await verify_email(database, "erin@example.test")
    assert (await link(client, oidc_provider, "erin", callbackURL="/linked")).headers["location"] == "/linked"
    idp_id = next(a["id"] for a in (await client.get("/api/auth/list-accounts")).json() if a["providerId"] == "idp")
    assert (await client.post("/api/auth/unlink-account", json={"accountId": idp_id})).json() == {"status": True}
    again = await app()
    started = await again.post("/api/auth/sign-in/social", json={"provider": "idp", "callbackURL": "/back"})
    back = await again.get(path_of(await oidc_provider.login(started.json()["url"], login="erin")))
    assert back.headers["location"] == "/back"
    assert (await again.get("/me")).json()["id"] == user_id


async def test_linking_with_an_id_token(app: ConfiguredClientFactory, oidc_provider: IdP) -> None:
    provider = oidc_provider.provider()
    client = await app()
    await sign_up(client, email="fay@example.test")
    token = await app_login(oidc_provider, provider, "fay", nonce="n-fay")
    body = {"provider": "idp", "idToken": {"token": token, "nonce": "n-fay", "accessToken": "at", "refreshToken": "rt"}}
    linked = await client.post("/api/auth/link-social", json=body)
    assert (linked.status_code, linked.json()) == (200, {"url": "", "status": True, "redirect": False})
    assert "location" not in linked.headers
    assert ("idp", "fay") in {
        (a["providerId"], a["accountId"]) for a in (await client.get("/api/auth/list-accounts")).json()
    }
    assert (await client.post("/api/auth/link-social", json=body)).json()["status"] is True  # already this user's

    someone_else = await app()
    await sign_up(someone_else, email="fay2@example.test")
    taken = await someone_else.post("/api/auth/link-social", json=body)
    assert (taken.status_code, taken.json()["code"]) == (409, "SOCIAL_ACCOUNT_ALREADY_LINKED")

    other_address = await someone_else.post(
        "/api/auth/link-social",
        json={
            "provider": "idp",
            "idToken": {"token": await app_login(oidc_provider, provider, "gus", "n-g"), "nonce": "n-g"},
        },
    )
    assert (other_address.status_code, other_address.json()) == (
        401,
        {
            "code": "LINKING_DIFFERENT_EMAILS_NOT_ALLOWED",
            "message": "Account not linked - different emails not allowed",
        },
    )
    unverified = await app()
    await sign_up(unverified, email="unverified-hal@example.test")
    token = await app_login(oidc_provider, provider, "unverified-hal", nonce="n-h")
    not_vouched = await unverified.post(
        "/api/auth/link-social", json={"provider": "idp", "idToken": {"token": token, "nonce": "n-h"}}
    )
    assert (not_vouched.status_code, not_vouched.json()["code"]) == (401, "LINKING_NOT_ALLOWED")
    bad = await unverified.post("/api/auth/link-social", json={"provider": "idp", "idToken": {"token": "x.y.z"}})
    assert (bad.status_code, bad.json()["code"]) == (401, "INVALID_TOKEN")
    github = await unverified.post("/api/auth/link-social", json={"provider": "github", "idToken": {"token": token}})
    assert (github.status_code, github.json()["code"]) == (404, "ID_TOKEN_NOT_SUPPORTED")
    unknown = await unverified.post("/api/auth/link-social", json={"provider": "nope"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "PROVIDER_NOT_FOUND")


async def test_a_link_whose_session_ended_meanwhile_is_refused(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database, session_store: str
) -> None:
    """better-auth keeps the starting session's token (encrypted) in the link state and refuses the link if that
    session is gone when the provider comes back (with stateless sessions there is nothing to look up)."""
    client = await app()
    await sign_up(client, email="ida@example.test")
    started = await client.post("/api/auth/link-social", json={"provider": "idp", "callbackURL": "/linked"})
    back = await oidc_provider.login(started.json()["url"], login="ida")
    cookies = dict(client.cookies)
    await client.post("/api/auth/sign-out")
    client.cookies.update(cookies)  # the state cookie is still this browser's; the session is not any more
    response = await client.get(path_of(back))
    if session_store == "stateless":
        assert response.headers["location"] == "/linked"
        return
    assert response.headers["location"] == f"{ERROR_PAGE}?error=unable_to_link_account"
    async with database.session() as db:
        assert (await db.exec(select(Account).where(Account.provider_id == "idp"))).all() == []
