"""Addresses from providers are compared without Unicode folding (docs/security.md O10): an IdP account named with
U+212A KELVIN SIGN or fullwidth letters neither signs in as, nor links to, the user whose ASCII address it imitates.
End to end against the real OpenID provider on loopback (its accounts' address is `<login>@example.test`)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import Account, ManualClock, User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.oauth.emails import provider_email

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_up
from ..idp_fixture import IdP
from .test_accounts import path_of
from .test_id_token_sign_in import app_login

ERROR_PAGE = "https://testserver/api/auth/error"
KELVIN = "\u212aelly"
"""`Kelly` spelled with U+212A KELVIN SIGN: `str.lower()` makes it `kelly`."""
FULLWIDTH = ("\uff4belly", "\uff2belly")
"""`kelly` and `Kelly` with a fullwidth first letter: NFKC makes them `kelly` / `Kelly`."""
VICTIM = "kelly@example.test"


@pytest.fixture
async def app(
    oidc_provider: IdP, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> ConfiguredClientFactory:
    """`await app(**settings)`: a new browser on an app with the IdP as `idp`."""
    clock.set(datetime.now(UTC))  # a real IdP signs id tokens with real time

    async def build(**settings: object) -> httpx.AsyncClient:
        return await make_configured_client(make_auth(social_providers=[oidc_provider.provider()], **settings))

    return build  # type: ignore[return-value]


async def victim(app: ConfiguredClientFactory, database: Database) -> tuple[httpx.AsyncClient, str]:
    """The user `kelly@example.test`, with a verified address (so a vouched-for address would link to it)."""
    client = await app()
    user_id = str((await sign_up(client, email=VICTIM)).json()["user"]["id"])
    async with database.session() as db, db.begin():
        user = (await db.exec(select(User).where(User.id == user_id))).one()
        user.email_verified = True
        db.add(user)
    return client, user_id


async def idp_accounts(database: Database) -> list[Account]:
    async with database.session() as db:
        return list((await db.exec(select(Account).where(Account.provider_id == "idp"))).all())


async def social_sign_in(client: httpx.AsyncClient, idp: IdP, login: str) -> httpx.Response:
    started = await client.post("/api/auth/sign-in/social", json={"provider": "idp", "callbackURL": "/in"})
    assert started.status_code == 200, started.text
    return await client.get(path_of(await idp.login(started.json()["url"], login=login)))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Kelly@Example.TEST", "kelly@example.test"),
        ("jos\u00e9@example.test", "jos\u00e9@example.test"),
        ("Jos\u00e9@example.test", "jos\u00e9@example.test"),
        (f"{KELVIN}@example.test", None),
        (f"{FULLWIDTH[0]}@example.test", None),
        (f"{FULLWIDTH[1]}@example.test", None),
        ("JOS\u00c9@example.test", None),
        ("stra\u00dfe@example.test", None),
        ("jose\u0301@example.test", None),
        ("", None),
        (None, None),
    ],
)
def test_provider_email(given: str | None, expected: str | None) -> None:
    """O10: ASCII letters are lower-cased; an address some case mapping or NFKC would change is no address."""
    assert provider_email(given) == expected


async def test_a_kelvin_sign_address_does_not_sign_in_as_the_user(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    """O10: the IdP vouches for `\u212aelly@example.test`; the callback neither links it to `kelly@` nor signs in."""
    _, user_id = await victim(app, database)
    attacker = await app()
    response = await social_sign_in(attacker, oidc_provider, KELVIN)
    assert response.headers["location"] == f"{ERROR_PAGE}?error=email_not_found"
    assert (await attacker.get("/me")).status_code == 401
    assert await idp_accounts(database) == []
    async with database.session() as db:
        assert [user.id for user in (await db.exec(select(User))).all()] == [user_id]


@pytest.mark.parametrize("login", FULLWIDTH)
async def test_a_fullwidth_address_is_no_address(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database, login: str
) -> None:
    """O10: an address with fullwidth letters neither links to `kelly@` nor makes a user of its own."""
    _, user_id = await victim(app, database)
    attacker = await app()
    response = await social_sign_in(attacker, oidc_provider, login)
    assert response.headers["location"] == f"{ERROR_PAGE}?error=email_not_found"
    assert await idp_accounts(database) == []
    async with database.session() as db:
        assert [user.id for user in (await db.exec(select(User))).all()] == [user_id]


async def test_a_kelvin_sign_id_token_does_not_sign_in_as_the_user(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    """O10: the id-token sign-in refuses the address as if the token had none."""
    await victim(app, database)
    token = await app_login(oidc_provider, oidc_provider.provider(), KELVIN, nonce="n-k")
    attacker = await app()
    response = await attacker.post(
        "/api/auth/sign-in/social", json={"provider": "idp", "idToken": {"token": token, "nonce": "n-k"}}
    )
    assert (response.status_code, response.json()["code"]) == (401, "USER_EMAIL_NOT_FOUND")
    assert (await attacker.get("/me")).status_code == 401
    assert await idp_accounts(database) == []


async def test_link_social_does_not_take_a_kelvin_sign_address_for_the_users(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    """O10: `link-social` (redirect and id token) does not add a `\u212aelly@` provider account to `kelly@`."""
    client, _ = await victim(app, database)
    started = await client.post("/api/auth/link-social", json={"provider": "idp", "callbackURL": "/linked"})
    back = await client.get(path_of(await oidc_provider.login(started.json()["url"], login=KELVIN)))
    assert back.headers["location"] == f"{ERROR_PAGE}?error=email_does_not_match"
    token = await app_login(oidc_provider, oidc_provider.provider(), KELVIN, nonce="n-l")
    linked = await client.post(
        "/api/auth/link-social", json={"provider": "idp", "idToken": {"token": token, "nonce": "n-l"}}
    )
    assert (linked.status_code, linked.json()["code"]) == (401, "USER_EMAIL_NOT_FOUND")
    assert await idp_accounts(database) == []
