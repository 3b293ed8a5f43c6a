"""Social sign-in end to end against a real OpenID provider on loopback (oidc-provider): O1-O4, O6, O7, O9."""

from __future__ import annotations

import json
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import ManualClock, User
from fastapi_betterauth.crypto.envelope import open_sealed, purpose_keyring
from fastapi_betterauth.crypto.keyring import Keyring
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Account, Verification

from ..conftest import TEST_SECRET, AuthFactory, ConfiguredClientFactory, set_cookies, sign_up
from ..idp_fixture import IdP, running_idp

SESSION_STORES = ("database", "stateless")
ERROR_PAGE = "https://testserver/api/auth/error"

Client = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
def social(
    oidc_provider: IdP, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> Client:
    clock.set(datetime.now(UTC))  # a real IdP signs id tokens with real time

    async def build(**options: object) -> httpx.AsyncClient:
        return await make_configured_client(make_auth(social_providers=[oidc_provider.provider()], **options))

    return build


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "https://testserver", url
    return f"{parts.path}?{parts.query}"


async def start(client: httpx.AsyncClient, **body: object) -> str:
    response = await client.post("/api/auth/sign-in/social", json={"provider": "idp", **body})
    assert response.status_code == 200, response.text
    assert response.headers["location"] == response.json()["url"]
    assert response.json()["redirect"] is True
    return str(response.json()["url"])


async def accounts(database: Database) -> list[Account]:
    async with database.session() as db:
        return list((await db.exec(select(Account))).all())


@pytest.fixture(params=["database", "cookie"])
def state_strategy(request: pytest.FixtureRequest) -> dict[str, object]:
    """Both OAuth state stores: a verification row + signed cookie, or an encrypted cookie alone."""
    return {"social": {"store_state_strategy": request.param}}


async def test_first_sign_in_creates_the_user_then_finds_it(
    social: Client, oidc_provider: IdP, database: Database, state_strategy: dict[str, object]
) -> None:
    client = await social(**state_strategy)
    url = await start(client, callbackURL="/dashboard", newUserCallbackURL="/welcome")
    params = parse_qs(urlsplit(url).query)
    assert params["code_challenge_method"] == ["S256"]  # O2
    assert params["redirect_uri"] == ["https://testserver/api/auth/callback/idp"]
    assert "nonce" in params  # O3
    back = await oidc_provider.login(url, login="alice")
    response = await client.get(path_of(back))
    assert response.status_code == 302
    assert response.headers["location"] == "/welcome"
    assert response.headers["referrer-policy"] == "no-referrer"
    cookies = set_cookies(response)
    state_name = next(name for name in cookies if name.endswith("state"))
    assert cookies[state_name].startswith(f"{state_name}=;")
    assert {"Max-Age=0", "Path=/", "HttpOnly", "SameSite=Lax"} <= {p.strip() for p in cookies[state_name].split(";")}
    session_cookie = cookies["__Secure-better-auth.session_token"]
    assert {"Max-Age=604800", "Path=/", "HttpOnly", "SameSite=Lax"} <= {p.strip() for p in session_cookie.split(";")}
    me = (await client.get("/me")).json()
    assert me["email"] == "alice@example.test"
    [account] = await accounts(database)
    assert (account.provider_id, account.account_id, account.user_id) == ("idp", "alice", me["id"])
    assert account.access_token
    assert account.refresh_token
    assert account.id_token
    assert account.scope is not None
    assert "openid" in account.scope.split(",")

    again = await social(**state_strategy)
    back = await oidc_provider.login(await start(again, callbackURL="/dashboard", newUserCallbackURL="/welcome"))
    second = await again.get(path_of(back))
    assert second.headers["location"] == "/dashboard"  # a returning user
    assert (await again.get("/me")).json()["id"] == me["id"]
    assert (await client.get("/me")).json()["id"] == me["id"]  # a new session; the first one stays valid
    assert len(await accounts(database)) == 1
    async with database.session() as db:
        [user] = (await db.exec(select(User))).all()
    assert user.email_verified is True
    assert user.name == "User alice"


async def test_starting_the_flow_as_better_auth_does(social: Client, oidc_provider: IdP) -> None:
    client = await social()
    response = await client.post("/api/auth/sign-in/social", json={"provider": "idp", "callbackURL": "/dashboard"})
    assert response.status_code == 200
    assert set(response.json()) == {"url", "redirect"}
    assert response.json()["redirect"] is True
    url = response.json()["url"]
    assert response.headers["location"] == url
    assert url.startswith(f"{oidc_provider.issuer}/auth?")
    params = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    assert set(params) == {
        "response_type",
        "client_id",
        "state",
        "scope",
        "redirect_uri",
        "nonce",
        "code_challenge_method",
        "code_challenge",
    }
    assert (params["response_type"], params["client_id"]) == ("code", oidc_provider.client_id)
    assert (len(params["state"]), len(params["nonce"]), len(params["code_challenge"])) == (32, 32, 43)
    assert params["scope"] == "openid email profile"
    [cookie] = response.headers.get_list("set-cookie")
    assert cookie.startswith(f"__Secure-better-auth.state={params['state']}.")
    assert "Max-Age=300" in cookie  # the verification row lives 10 minutes, the cookie 5 (better-auth)
    assert {"Path=/", "HttpOnly", "SameSite=Lax"} <= {part.strip() for part in cookie.split(";")}


async def test_without_a_callback_url_the_flow_ends_at_the_base_url_origin(
    social: Client, oidc_provider: IdP, state_strategy: dict[str, object]
) -> None:
    client = await social(**state_strategy)
    back = await oidc_provider.login(await start(client))
    response = await client.get(path_of(back))
    assert (response.status_code, response.headers["location"]) == (302, "https://testserver")
    assert (await client.get("/me")).status_code == 200


async def test_origin_is_checked_only_on_requests_with_cookies(social: Client, oidc_provider: IdP) -> None:
    client = await social()
    foreign = {"origin": "http://evil.example"}
    without_cookies = await client.post("/api/auth/sign-in/social", json={"provider": "idp"}, headers=foreign)
    assert without_cookies.status_code == 200
    await client.get(path_of(await oidc_provider.login(await start(client, callbackURL="/in"))))
    with_cookies = await client.post("/api/auth/sign-in/social", json={"provider": "idp"}, headers=foreign)
    assert (with_cookies.status_code, with_cookies.json()["code"]) == (403, "INVALID_ORIGIN")
    del client.headers["origin"]
    no_origin = await client.post("/api/auth/link-social", json={"provider": "idp"})
    assert (no_origin.status_code, no_origin.json()) == (
        403,
        {"code": "MISSING_OR_NULL_ORIGIN", "message": "Missing or null Origin"},
    )


async def test_callback_in_another_browser_fails_and_creates_nothing(
    social: Client, oidc_provider: IdP, database: Database, state_strategy: dict[str, object]
) -> None:
    """O1: the state is bound to the browser that started the flow."""
    victim = await social(**state_strategy)
    back = await oidc_provider.login(await start(victim, callbackURL="/dashboard"))
    attacker = await social(**state_strategy)
    response = await attacker.get(path_of(back))
    assert response.status_code == 302
    assert "error=state_mismatch" in response.headers["location"]
    assert await accounts(database) == []
    assert (await attacker.get("/me")).status_code == 401


async def test_replayed_or_tampered_callbacks_fail(
    social: Client, oidc_provider: IdP, database: Database, state_strategy: dict[str, object]
) -> None:
    first = await social(**state_strategy)
    back = await oidc_provider.login(await start(first, callbackURL="/dashboard"))
    tampered = back.replace("state=", "state=x")
    refused = await first.get(path_of(tampered))
    assert refused.headers["location"] == f"{ERROR_PAGE}?error=state_mismatch"
    assert "set-cookie" not in refused.headers  # the flow in progress keeps its state cookie
    assert (await first.get(path_of(back))).headers["location"] == "/dashboard"  # and still completes
    replay = await first.get(path_of(back))
    assert replay.headers["location"] == f"{ERROR_PAGE}?error=state_mismatch"  # single-use state
    assert len(await accounts(database)) == 1


async def test_a_foreign_callback_does_not_burn_the_flow(
    social: Client, oidc_provider: IdP, database: Database, state_strategy: dict[str, object]
) -> None:
    """The same callback in another browser fails there, and the browser that started the flow completes it."""
    victim = await social(**state_strategy)
    back = await oidc_provider.login(await start(victim, callbackURL="/dashboard"))
    elsewhere = await (await social(**state_strategy)).get(path_of(back))
    assert elsewhere.headers["location"] == f"{ERROR_PAGE}?error=state_mismatch"
    assert "set-cookie" not in elsewhere.headers
    assert (await victim.get(path_of(back))).headers["location"] == "/dashboard"


async def test_only_the_latest_flow_of_a_browser_completes(
    social: Client, oidc_provider: IdP, database: Database, state_strategy: dict[str, object]
) -> None:
    """A browser has one state cookie: of two flows started in it, the earlier one's callback is refused (and
    leaves the later flow alone)."""
    client = await social(**state_strategy)
    earlier = await oidc_provider.login(await start(client, callbackURL="/first"))
    later = await oidc_provider.login(await start(client, callbackURL="/second"))
    refused = await client.get(path_of(earlier))
    assert refused.headers["location"] == f"{ERROR_PAGE}?error=state_mismatch"
    assert "set-cookie" not in refused.headers
    done = await client.get(path_of(later))
    assert done.headers["location"] == "/second"
    assert "Max-Age=0" in next(c for c in done.headers.get_list("set-cookie") if "state=" in c)


async def test_a_state_mismatch_of_a_known_flow_goes_to_its_error_callback_url(
    social: Client, oidc_provider: IdP
) -> None:
    """With the state in the database, a callback in the wrong browser is recognised as that flow's: the error
    goes to the flow's `errorCallbackURL` (better-auth's `StateError.errorURL`), and the flow is not used up."""
    victim = await social()
    back = await oidc_provider.login(await start(victim, callbackURL="/dashboard", errorCallbackURL="/oops"))
    attacker = await social()
    assert (await attacker.get(path_of(back))).headers["location"] == "/oops?error=state_mismatch"
    assert (await victim.get(path_of(back))).headers["location"] == "/dashboard"


async def test_callback_errors_without_an_error_callback_url_go_to_the_error_page(
    social: Client, oidc_provider: IdP, state_strategy: dict[str, object]
) -> None:
    """Not to `callbackURL`: to `{base}/error?error=<code>` (better-auth's built-in page)."""
    client = await social(**state_strategy)
    back = await oidc_provider.login(await start(client, callbackURL="/dashboard"), deny=True)
    denied = await client.get(path_of(back))
    assert denied.headers["location"] == (
        f"{ERROR_PAGE}?error=access_denied&error_description=End-User+aborted+interaction"
    )
    assert "Max-Age=0" in next(c for c in denied.headers.get_list("set-cookie") if "state=" in c)  # used up
    nothing = await client.get("/api/auth/callback/idp")
    assert nothing.headers["location"] == f"{ERROR_PAGE}?error=state_not_found"
    unknown = await client.get("/api/auth/callback/unknown", params={"code": "x", "state": "y"})
    assert unknown.headers["location"] == f"{ERROR_PAGE}?error=state_mismatch"  # the state is checked first

    back = await oidc_provider.login(await start(client, callbackURL="/dashboard"))
    forged = back.split("&iss=")[0] + "&iss=https%3A%2F%2Fevil.example"
    assert (await client.get(path_of(forged))).headers["location"] == f"{ERROR_PAGE}?error=issuer_mismatch"
    genuine = await client.get(path_of(back))  # an issuer mismatch uses the state up
    assert genuine.headers["location"] == f"{ERROR_PAGE}?error=state_mismatch"

    injected = await oidc_provider.login(await start(client, callbackURL="/dashboard"))
    other = await oidc_provider.login(await start(client, callbackURL="/dashboard"))
    swapped = other.replace(parse_qs(urlsplit(other).query)["code"][0], parse_qs(urlsplit(injected).query)["code"][0])
    assert (await client.get(path_of(swapped))).headers["location"] == f"{ERROR_PAGE}?error=invalid_code"

    local = await social(**state_strategy)
    await sign_up(local, email="unverified-zed@example.test")
    back = await oidc_provider.login(await start(client, callbackURL="/dashboard"), login="unverified-zed")
    assert (await client.get(path_of(back))).headers["location"] == f"{ERROR_PAGE}?error=account_not_linked"


async def test_the_error_page(social: Client) -> None:
    client = await social()
    page = await client.get("/api/auth/error", params={"error": "access_denied", "error_description": "<b>no</b>"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "access_denied" in page.text
    assert "&lt;b&gt;no&lt;/b&gt;" in page.text
    assert "<b>" not in page.text
    odd = await client.get("/api/auth/error", params={"error": "<script>"})
    assert "UNKNOWN" in odd.text
    assert "<script>" not in odd.text


async def test_cookie_state_keeps_nothing_on_the_server_and_refuses_a_forged_or_stale_cookie(
    social: Client, oidc_provider: IdP, database: Database, clock: ManualClock
) -> None:
    """`store_state_strategy = "cookie"`: the state rides in an encrypted `oauth_state` cookie (better-auth's
    envelope with its purpose key); a cookie that does not decrypt is `state_invalid`, an expired one refused."""
    client = await social(social={"store_state_strategy": "cookie"})
    before = await verification_ids(database)
    started = await client.post("/api/auth/sign-in/social", json={"provider": "idp", "callbackURL": "/in"})
    name = "__Secure-better-auth.oauth_state"
    [cookie] = [c for c in started.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert "HttpOnly" in cookie
    assert "Max-Age=600" in cookie
    assert "SameSite=Lax" in cookie
    # Compared with what was there before: rows an earlier test's background work may leave are not this flow's.
    assert await verification_ids(database) - before == set()
    # better-auth's state schema: its field names, and absent rather than null (its zod schema refuses null).
    keys = purpose_keyring(Keyring([TEST_SECRET]), "oauth-state-cookie")
    payload = json.loads(open_sealed(keys, unquote(cookie.split(";")[0].split("=", 1)[1])))
    assert None not in payload.values()
    assert {"callbackURL", "codeVerifier", "idTokenNonce", "expiresAt", "oauthState"} <= set(payload)
    assert payload["idTokenNonce"] == parse_qs(urlsplit(started.json()["url"]).query)["nonce"][0]
    back = await oidc_provider.login(started.json()["url"])

    [jar_cookie] = [c for c in client.cookies.jar if c.name == name]
    client.cookies.set(name, (jar_cookie.value or "")[:-4] + "0000", domain=jar_cookie.domain)
    assert "error=state_invalid" in (await client.get(path_of(back))).headers["location"]

    stale = await social(social={"store_state_strategy": "cookie"})
    back = await oidc_provider.login(await start(stale, callbackURL="/in"))
    clock.advance(timedelta(minutes=11))
    assert "error=state_mismatch" in (await stale.get(path_of(back))).headers["location"]
    assert await accounts(database) == []


async def verification_ids(database: Database) -> set[str]:
    async with database.session() as db:
        return set((await db.exec(select(Verification.id))).all())


async def test_wrong_issuer_is_refused(social: Client, oidc_provider: IdP, database: Database) -> None:
    """O4: an `iss` that is not the provider's (RFC 9207 mix-up defence)."""
    client = await social()
    back = await oidc_provider.login(await start(client, callbackURL="/dashboard", errorCallbackURL="/oops"))
    assert "iss=" in back
    forged = back.split("&iss=")[0] + "&iss=https%3A%2F%2Fevil.example"
    response = await client.get(path_of(forged))
    assert response.headers["location"] == "/oops?error=issuer_mismatch"
    assert await accounts(database) == []


async def test_a_stripped_issuer_is_refused(social: Client, oidc_provider: IdP, database: Database) -> None:
    """O4: this IdP declares RFC 9207 support, so a callback without `iss` is suspect."""
    client = await social()
    back = await oidc_provider.login(await start(client, callbackURL="/dashboard", errorCallbackURL="/oops"))
    stripped = back.split("&iss=")[0]
    assert (await client.get(path_of(stripped))).headers["location"] == "/oops?error=issuer_missing"
    assert await accounts(database) == []


async def test_denied_consent_fails_closed(social: Client, oidc_provider: IdP, database: Database) -> None:
    """O9."""
    client = await social()
    back = await oidc_provider.login(await start(client, errorCallbackURL="/oops"), deny=True)
    response = await client.get(path_of(back))
    assert response.headers["location"].startswith("/oops?error=access_denied")
    assert "set-cookie" not in {k.lower() for k in response.headers if "session_token" in response.headers.get(k, "")}
    assert await accounts(database) == []
    assert (await client.get("/me")).status_code == 401


async def test_an_unverified_address_never_takes_over_an_existing_account(
    social: Client, oidc_provider: IdP, database: Database
) -> None:
    """O7: the IdP says `unverified-bob@example.test` is not verified; the local account with it stays apart."""
    local = await social()
    await sign_up(local, email="unverified-bob@example.test")
    client = await social()
    back = await oidc_provider.login(await start(client, errorCallbackURL="/oops"), login="unverified-bob")
    response = await client.get(path_of(back))
    assert response.headers["location"] == "/oops?error=account_not_linked"
    assert await accounts(database) != []
    assert all(a.provider_id == "credential" for a in await accounts(database))


async def test_an_unverified_local_account_is_not_taken_over_even_by_a_trusted_provider(
    social: Client, oidc_provider: IdP, database: Database
) -> None:
    """`requireLocalEmailVerified` (better-auth 1.7.25's default): the IdP vouches, the local address is unverified."""
    local = await social()
    await sign_up(local, email="kate@example.test")
    client = await social(social={"trusted_providers": ["idp"]})
    back = await oidc_provider.login(await start(client), login="kate")
    response = await client.get(path_of(back))
    assert response.headers["location"] == "https://testserver/api/auth/error?error=account_not_linked"
    assert not [c for c in response.headers.get_list("set-cookie") if "session_token=" in c]
    assert [a.provider_id for a in await accounts(database)] == ["credential"]


async def test_a_provider_that_does_not_vouch_links_only_when_trusted(
    social: Client, oidc_provider: IdP, database: Database
) -> None:
    """A verified local address, and the IdP says `email_verified: false`: refused, unless the provider is trusted."""
    local = await social()
    user_id = (await sign_up(local, email="unverified-lee@example.test")).json()["user"]["id"]
    async with database.session() as db, db.begin():
        user = await db.get(User, user_id)
        assert user is not None
        user.email_verified = True
        db.add(user)
    untrusted = await social()
    refused = await untrusted.get(path_of(await oidc_provider.login(await start(untrusted), login="unverified-lee")))
    assert refused.headers["location"] == "https://testserver/api/auth/error?error=account_not_linked"
    trusted = await social(social={"trusted_providers": ["idp"]})
    back = await oidc_provider.login(await start(trusted, callbackURL="/in"), login="unverified-lee")
    assert (await trusted.get(path_of(back))).headers["location"] == "/in"
    assert (await trusted.get("/me")).json()["id"] == user_id


async def test_a_new_user_gets_the_providers_word_on_the_address(
    social: Client, oidc_provider: IdP, database: Database
) -> None:
    client = await social()
    back = await oidc_provider.login(await start(client, callbackURL="/in"), login="unverified-mo")
    assert (await client.get(path_of(back))).headers["location"] == "/in"
    async with database.session() as db:
        [user] = (await db.exec(select(User))).all()
    assert (user.email, user.email_verified, user.name) == ("unverified-mo@example.test", False, "User unverified-mo")
    [account] = await accounts(database)
    assert account.account_id == "unverified-mo"  # the subject, never the address


async def test_a_verified_address_links_to_a_verified_local_user(
    social: Client, oidc_provider: IdP, database: Database
) -> None:
    local = await social()
    user_id = (await sign_up(local, email="carol@example.test")).json()["user"]["id"]
    client = await social()
    refused = await client.get(
        path_of(await oidc_provider.login(await start(client, errorCallbackURL="/oops"), login="carol"))
    )
    assert refused.headers["location"] == "/oops?error=account_not_linked"  # the local address is not verified yet
    async with database.session() as db, db.begin():
        user = await db.get(User, user_id)
        assert user is not None
        user.email_verified = True
        db.add(user)
    linked = await client.get(path_of(await oidc_provider.login(await start(client, callbackURL="/in"), login="carol")))
    assert linked.headers["location"] == "/in"
    assert (await client.get("/me")).json()["id"] == user_id
    assert {a.provider_id for a in await accounts(database)} == {"credential", "idp"}


async def test_sign_in_social_validates_its_input(social: Client) -> None:
    client = await social()
    unknown = await client.post("/api/auth/sign-in/social", json={"provider": "nope"})
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "PROVIDER_NOT_FOUND"
    for field, code in (
        ("callbackURL", "INVALID_CALLBACK_URL"),
        ("newUserCallbackURL", "INVALID_NEW_USER_CALLBACK_URL"),
        ("errorCallbackURL", "INVALID_ERROR_CALLBACK_URL"),
    ):
        response = await client.post(
            "/api/auth/sign-in/social", json={"provider": "idp", field: "https://evil.example"}
        )
        assert response.status_code == 403
        assert response.json()["code"] == code
    no_redirect = await client.post("/api/auth/sign-in/social", json={"provider": "idp", "disableRedirect": True})
    assert no_redirect.json() == {"url": no_redirect.json()["url"], "redirect": False}
    assert "location" not in no_redirect.headers
    reserved = await client.post(
        "/api/auth/sign-in/social", json={"provider": "idp", "additionalParams": {"nonce": "x"}}
    )
    assert (reserved.status_code, reserved.json()["code"]) == (400, "VALIDATION_ERROR")
    assert reserved.json()["message"].startswith("[body.additionalParams] additionalParams cannot include reserved")
    extra = await client.post(
        "/api/auth/sign-in/social", json={"provider": "idp", "additionalParams": {"prompt": "login"}}
    )
    assert parse_qs(urlsplit(extra.json()["url"]).query)["prompt"] == ["login"]


async def test_signup_can_be_disabled(social: Client, oidc_provider: IdP, database: Database) -> None:
    client = await social(social={"disable_sign_up": True})
    back = await oidc_provider.login(await start(client, errorCallbackURL="/oops"), login="dave")
    assert (await client.get(path_of(back))).headers["location"] == "/oops?error=signup_disabled"
    assert await accounts(database) == []


async def test_form_post_callback_reenters_as_a_get(social: Client) -> None:
    client = await social()
    response = await client.post(
        "/api/auth/callback/idp?state=from-query", data={"state": "s", "code": "c", "extra": "dropped"}, headers={}
    )
    assert response.status_code == 302
    assert response.headers["location"] == "https://testserver/api/auth/callback/idp?code=c&state=from-query"


async def test_providers_from_settings_and_discovery_at_start_up(
    oidc_provider: IdP,
    make_auth: AuthFactory,
    make_configured_client: ConfiguredClientFactory,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Built-ins from BETTER_AUTH_SOCIAL__<PROVIDER>__CLIENT_ID; a generic OIDC provider discovered when the app
    starts (issuer checked), then usable for sign-in."""
    clock.set(datetime.now(UTC))
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__GITHUB__CLIENT_ID", "gh-client")
    monkeypatch.setenv("BETTER_AUTH_SOCIAL__GITHUB__CLIENT_SECRET", "gh-secret")
    oidc = [
        {
            "id": "idp2",
            "discovery_url": oidc_provider.discovery_url,
            "client_id": oidc_provider.second_client.client_id,
            "client_secret": oidc_provider.second_client.client_secret,
        }
    ]
    auth = make_auth(social={"oidc": oidc})
    assert auth.oauth.providers["github"].client_id == "gh-client"
    assert auth.oauth.providers["github"].client_secret == "gh-secret"
    client = await make_configured_client(auth)
    assert auth.oauth.providers["idp2"].issuer == oidc_provider.issuer
    response = await client.post("/api/auth/sign-in/social", json={"provider": "idp2", "callbackURL": "/in"})
    back = await oidc_provider.login(response.json()["url"], login="frank")
    assert (await client.get(path_of(back))).headers["location"] == "/in"
    assert (await client.get("/me")).json()["email"] == "frank@example.test"


async def test_a_provider_whose_idp_is_down_at_start_up_is_discovered_by_a_later_request(
    make_auth: AuthFactory,
    make_configured_client: ConfiguredClientFactory,
    clock: ManualClock,
    tmp_path: Path,
    oidc_provider: IdP,
) -> None:
    """The app starts anyway; the provider answers PROVIDER_NOT_FOUND until a request finds the IdP up, as
    better-auth's generic OAuth retries discovery per request for a pending provider."""
    clock.set(datetime.now(UTC))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    oidc = [
        {
            "id": "idp",
            "discovery_url": f"http://127.0.0.1:{port}/.well-known/openid-configuration",
            "client_id": oidc_provider.client_id,
            "client_secret": oidc_provider.client_secret,
        }
    ]
    client = await make_configured_client(make_auth(social={"oidc": oidc}))
    for _ in range(2):
        down = await client.post("/api/auth/sign-in/social", json={"provider": "idp", "callbackURL": "/in"})
        assert (down.status_code, down.json()) == (404, {"code": "PROVIDER_NOT_FOUND", "message": "Provider not found"})
    assert (await sign_up(client, email="still-works@example.com")).status_code == 200
    with running_idp(tmp_path, port) as idp:
        up = await client.post("/api/auth/sign-in/social", json={"provider": "idp", "callbackURL": "/in"})
        assert up.status_code == 200, up.text
        assert up.json()["url"].startswith(f"{idp.issuer}/auth?")
        other = await make_configured_client(make_auth(social={"oidc": oidc}))  # starts with the IdP up
        back = await idp.login(up.json()["url"], login="late")
        assert (await client.get(path_of(back))).headers["location"] == "/in"
        assert (await other.post("/api/auth/sign-in/social", json={"provider": "idp"})).status_code == 200


async def test_untrustworthy_discovery_stops_start_up(oidc_provider: IdP, make_auth: AuthFactory) -> None:
    from asgi_lifespan import LifespanManager

    from fastapi_betterauth.oauth.providers import DiscoveryError

    from ..conftest import build_app

    # The IdP's own document, fetched under another name: it names an issuer that is not the URL's (O4).
    elsewhere = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    wrong = {"id": "idp2", "discovery_url": elsewhere + "/.well-known/openid-configuration", "client_id": "x"}
    with pytest.raises(DiscoveryError, match="issuer"):
        async with LifespanManager(build_app(make_auth(social={"oidc": [wrong]}))):
            pass
    missing = {"id": "idp2", "discovery_url": oidc_provider.issuer + "/other/.well-known/openid-configuration"}
    async with LifespanManager(build_app(make_auth(social={"oidc": [{**missing, "client_id": "x"}]}))) as started:
        transport = httpx.ASGITransport(app=started.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            answer = await client.post("/api/auth/sign-in/social", json={"provider": "idp2"})
            assert (answer.status_code, answer.json()["code"]) == (404, "PROVIDER_NOT_FOUND")  # 404 there: pending


async def test_a_returning_sign_in_stores_the_new_provider_tokens(
    social: Client, oidc_provider: IdP, database: Database
) -> None:
    first = await social()
    await first.get(path_of(await oidc_provider.login(await start(first, callbackURL="/in"), login="kim")))
    [before] = await accounts(database)
    again = await social()
    await again.get(path_of(await oidc_provider.login(await start(again, callbackURL="/in"), login="kim")))
    [after] = await accounts(database)
    assert after.id == before.id
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token


@pytest.mark.database_sessions  # sets stateless sessions itself
async def test_a_profile_too_large_for_the_cookies_fails_like_other_callbacks(
    social: Client, oidc_provider: IdP
) -> None:
    """C2: with stateless sessions the provider's profile rides in cookies; one too large for them (a 20000 character
    name) redirects to the flow's error URL, sets no oversized cookie, and signs nobody in."""
    client = await social(session={"store": "stateless"})
    back = await oidc_provider.login(await start(client, errorCallbackURL="/oops"), login="huge-hal")
    response = await client.get(path_of(back))
    assert response.status_code == 302
    assert urlsplit(response.headers["location"]).path == "/oops"
    assert parse_qs(urlsplit(response.headers["location"]).query)["error"] == ["unable_to_create_session"]
    written = response.headers.get_list("set-cookie")
    assert all(len(cookie) <= 4096 for cookie in written)
    assert not [cookie for cookie in written if "session_token=" in cookie and "Max-Age=0" not in cookie]
    assert (await client.get("/me")).status_code == 401
