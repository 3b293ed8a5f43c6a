"""Provider tokens encrypted at rest (`social.encrypt_oauth_tokens`, docs/better-auth.md#provider-tokens) in
better-auth's `$ba$` envelope, end to end against the real OpenID provider: rows hold ciphertext, the owner gets plain
tokens, and the refresh token the IdP accepts is the decrypted one (it refuses anything else)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import Account, ManualClock
from fastapi_betterauth.crypto.envelope import open_sealed
from fastapi_betterauth.crypto.keyring import Keyring
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.oauth.token_storage import ProviderTokenCipher

from ..conftest import AuthFactory, ConfiguredClientFactory
from ..idp_fixture import IdP
from .test_accounts import providers, social_sign_in

SECRETS = ["3:a-rotated-secret-for-the-token-vault-0123456789", "2:an-older-secret-for-the-token-vault-0123456789"]


async def stored_account(database: Database) -> Account:
    async with database.session() as db:
        return (await db.exec(select(Account).where(Account.provider_id == "idp"))).one()


@pytest.fixture
def client_factory(
    oidc_provider: IdP, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> ConfiguredClientFactory:
    clock.set(datetime.now(UTC))

    async def build(**settings: object) -> httpx.AsyncClient:
        return await make_configured_client(make_auth(social_providers=providers(oidc_provider), **settings))

    return build  # type: ignore[return-value]


async def test_tokens_are_sealed_at_rest_and_plain_for_their_owner(
    client_factory: ConfiguredClientFactory, oidc_provider: IdP, database: Database, clock: ManualClock
) -> None:
    client = await client_factory(secrets=SECRETS, social={"encrypt_oauth_tokens": True})
    await social_sign_in(client, oidc_provider)
    row = await stored_account(database)
    assert row.access_token
    assert row.access_token.startswith("$ba$3$")
    assert row.refresh_token
    assert row.refresh_token.startswith("$ba$3$")
    assert row.id_token is not None
    assert row.id_token.count(".") == 2, "the id token stays a plain JWT, as better-auth keeps it"
    keyring = Keyring.from_versioned([(3, SECRETS[0].split(":", 1)[1])])
    plain_access = open_sealed(keyring, row.access_token)

    got = (await client.post("/api/auth/get-access-token", json={"accountId": row.id})).json()
    assert got["accessToken"] == plain_access

    clock.advance(timedelta(minutes=10))  # expired: the IdP must accept the decrypted refresh token
    refreshed = await client.post("/api/auth/get-access-token", json={"accountId": row.id})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["accessToken"] not in (plain_access, None)
    row = await stored_account(database)
    assert row.access_token is not None
    assert open_sealed(keyring, row.access_token) == refreshed.json()["accessToken"]


async def test_turning_encryption_on_keeps_existing_plain_tokens_working(
    client_factory: ConfiguredClientFactory, oidc_provider: IdP, database: Database, clock: ManualClock
) -> None:
    plain_client = await client_factory(secrets=SECRETS)
    await social_sign_in(plain_client, oidc_provider)
    row = await stored_account(database)
    assert row.refresh_token
    assert not row.refresh_token.startswith("$ba$")

    sealed_client = await client_factory(secrets=SECRETS, social={"encrypt_oauth_tokens": True})
    await social_sign_in(sealed_client, oidc_provider, login="alice")  # same user, now signed in on this instance
    clock.advance(timedelta(minutes=10))
    response = await sealed_client.post("/api/auth/refresh-token", json={"accountId": row.id})
    assert response.status_code == 200, response.text
    assert response.json()["refreshToken"]
    assert not response.json()["refreshToken"].startswith("$ba$")
    row = await stored_account(database)
    assert row.refresh_token
    assert row.refresh_token.startswith("$ba$3$")


def test_the_cipher_reads_plain_hex_and_drops_envelopes_it_cannot_open() -> None:
    old = ProviderTokenCipher(
        Keyring.from_versioned([(2, "an-older-secret-for-the-token-vault-0123456789")]), encrypt=True
    )
    new = ProviderTokenCipher(
        Keyring.from_versioned([(4, "the-newest-secret-for-the-token-vault-01234567")]), encrypt=True
    )
    sealed = old.seal("token")
    assert sealed is not None
    assert old.open(sealed) == "token"
    assert new.open(sealed) is None, "a retired secret's envelope is no token, not garbage sent to the provider"
    assert new.open("0123abcd") == "0123abcd", "a plain hex token stored before encryption was turned on"
    foreign = ProviderTokenCipher(Keyring(["a-secret-nobody-here-has-0123456789abc"]), encrypt=True).seal("token")
    assert foreign is not None
    assert new.open(foreign) is None, "hex long enough to be an envelope that does not open is no token"
    plain = ProviderTokenCipher(
        Keyring.from_versioned([(4, "the-newest-secret-for-the-token-vault-01234567")]), encrypt=False
    )
    assert plain.open(foreign) == foreign, "with encryption off, hex that does not open is a plain token"
    assert plain.open(sealed) is None
    assert new.open(None) is None
    assert new.open("gho_plain") == "gho_plain"
    assert ProviderTokenCipher(Keyring(["x" * 40]), encrypt=False).seal("token") == "token"


async def test_tokens_sealed_with_a_removed_secret_need_a_new_sign_in(
    client_factory: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    client = await client_factory(secrets=SECRETS, social={"encrypt_oauth_tokens": True})
    await social_sign_in(client, oidc_provider)
    row = await stored_account(database)
    assert row.access_token is not None
    assert row.refresh_token is not None
    row.access_token = row.access_token.replace("$ba$3$", "$ba$9$")  # as if version 9 had been removed
    row.refresh_token = row.refresh_token.replace("$ba$3$", "$ba$9$")
    async with database.session() as db, db.begin():
        db.add(row)
    response = await client.post("/api/auth/get-access-token", json={"accountId": row.id})
    assert response.status_code == 400
    assert response.json()["code"] == "FAILED_TO_GET_ACCESS_TOKEN"
    await social_sign_in(client, oidc_provider)  # signing in again stores readable tokens
    assert (await client.post("/api/auth/get-access-token", json={"accountId": row.id})).json()["accessToken"]


OLD_SECRET = "the-secret-before-rotation-0123456789-abcdefgh"
NEW_SECRET = "the-secret-after-rotation-0123456789-abcdefghi"


async def test_tokens_sealed_before_a_rotation_open_with_every_configured_secret(
    client_factory: ConfiguredClientFactory, oidc_provider: IdP, database: Database, clock: ManualClock
) -> None:
    """Rows sealed while only `BETTER_AUTH_SECRET=old` was set hold bare hex (better-auth's legacy envelope). After
    `BETTER_AUTH_SECRETS=2:new,1:old` (with `BETTER_AUTH_SECRET=old` kept), Node still opens them: so must we, and
    never hand out the ciphertext as a token."""
    client = await client_factory(
        secret=OLD_SECRET, secrets=[f"2:{NEW_SECRET}", f"1:{OLD_SECRET}"], social={"encrypt_oauth_tokens": True}
    )
    await social_sign_in(client, oidc_provider)
    row = await stored_account(database)
    rotated = Keyring.from_versioned([(2, NEW_SECRET)])
    assert row.access_token is not None
    assert row.refresh_token is not None
    plain_access, plain_refresh = open_sealed(rotated, row.access_token), open_sealed(rotated, row.refresh_token)
    before_rotation = ProviderTokenCipher(Keyring([OLD_SECRET]), encrypt=True)  # as Node sealed them then
    row.access_token, row.refresh_token = before_rotation.seal(plain_access), before_rotation.seal(plain_refresh)
    assert not row.access_token.startswith("$ba$")
    async with database.session() as db, db.begin():
        db.add(row)

    got = await client.post("/api/auth/get-access-token", json={"accountId": row.id})
    assert got.status_code == 200, got.text
    assert got.json()["accessToken"] == plain_access
    clock.advance(timedelta(minutes=10))  # the IdP accepts only the plain refresh token
    refreshed = await client.post("/api/auth/get-access-token", json={"accountId": row.id})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["accessToken"] not in (plain_access, row.access_token)
    assert (await stored_account(database)).access_token.startswith("$ba$2$")  # type: ignore[union-attr]


async def test_a_token_that_does_not_open_is_never_answered(
    client_factory: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    """Bare hex sealed with a secret that is not configured (any more) reads as no token."""
    client = await client_factory(secrets=SECRETS, social={"encrypt_oauth_tokens": True})
    await social_sign_in(client, oidc_provider)
    row = await stored_account(database)
    stranger = ProviderTokenCipher(Keyring(["a-secret-this-server-never-had-0123456789"]), encrypt=True)
    row.access_token, row.refresh_token = stranger.seal("access-token"), stranger.seal("refresh-token")
    async with database.session() as db, db.begin():
        db.add(row)
    response = await client.post("/api/auth/get-access-token", json={"accountId": row.id})
    assert (response.status_code, response.json()["code"]) == (400, "FAILED_TO_GET_ACCESS_TOKEN")
    refresh = await client.post("/api/auth/refresh-token", json={"accountId": row.id})
    assert (refresh.status_code, refresh.json()["code"]) == (400, "FAILED_TO_REFRESH_ACCESS_TOKEN")
