"""What a provider sign-in writes to the user (docs/better-auth.md#account-resolution): `map_profile_to_user` and
`override_user_info_on_sign_in`, end to end against the real OpenID provider (whose user `<login>` is `User <login>`,
`<login>@example.test`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import Account, ManualClock, User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.oauth.providers import OAuthProfile, OAuthProvider

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_up
from ..idp_fixture import IdP
from .test_accounts import link, providers, social_sign_in


@pytest.fixture
def build(
    oidc_provider: IdP, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> ConfiguredClientFactory:
    clock.set(datetime.now(UTC))

    async def client(**provider_options: object) -> httpx.AsyncClient:
        first, second = providers(oidc_provider)
        configured = replace(first, **provider_options)  # type: ignore[arg-type]
        return await make_configured_client(
            make_auth(social_providers=[configured, second], social={"allow_different_emails": True})
        )

    return client  # type: ignore[return-value]


async def users(database: Database) -> list[User]:
    async with database.session() as db:
        return list((await db.exec(select(User).order_by(User.email))).all())  # type: ignore[arg-type]


async def test_map_profile_to_user_chooses_the_new_users_fields(
    build: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    def nickname(profile: OAuthProfile) -> dict[str, object]:
        return {"name": f"{profile.raw['sub']} (corp)", "image": "https://img.example/a.png"}

    client = await build(map_profile_to_user=nickname)
    assert await social_sign_in(client, oidc_provider) == "/in"
    [user] = await users(database)
    assert (user.name, user.image, user.email, user.email_verified) == (
        "alice (corp)",
        "https://img.example/a.png",
        "alice@example.test",
        True,
    )


async def test_a_mapper_may_not_set_the_id(
    build: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    client = await build(map_profile_to_user=lambda profile: {"id": "chosen"})
    assert (
        await social_sign_in(client, oidc_provider) == "https://testserver/api/auth/error?error=unable_to_get_user_info"
    )
    assert await users(database) == []


async def test_a_mapped_address_with_control_characters_counts_as_none(
    build: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    """L9: what `map_profile_to_user` returns is held to the same rule as what the provider says."""
    client = await build(map_profile_to_user=lambda profile: {"email": f"{profile.email}\n"})
    assert await social_sign_in(client, oidc_provider) == "https://testserver/api/auth/error?error=email_not_found"
    assert await users(database) == []


async def test_without_override_a_returning_sign_in_keeps_local_changes(
    build: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    client = await build()
    await social_sign_in(client, oidc_provider)
    assert (await client.post("/api/auth/update-user", json={"name": "Alice Local"})).status_code == 200
    await social_sign_in(await build(), oidc_provider)
    [user] = await users(database)
    assert user.name == "Alice Local"


async def test_override_copies_name_and_a_vouched_unclaimed_address(
    build: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    client = await build()
    await sign_up(client, email="old-address@example.com", name="Old Name")
    assert await link(client, oidc_provider, "alice", provider="idp") == "/linked"  # allow_different_emails

    await social_sign_in(await build(override_user_info_on_sign_in=True), oidc_provider)
    [user] = await users(database)
    assert (user.name, user.email, user.email_verified) == ("User alice", "alice@example.test", True)
    async with database.session() as db:
        assert len((await db.exec(select(Account).where(Account.user_id == user.id))).all()) == 2


async def test_override_never_takes_an_address_another_user_has(
    build: ConfiguredClientFactory, oidc_provider: IdP, database: Database
) -> None:
    owner = await build()
    await sign_up(owner, email="alice@example.test", name="The Owner")
    linker = await build()
    await sign_up(linker, email="linker@example.com", name="Linker")
    # The IdP's alice links to the linker's account (different address allowed); her address stays the owner's.
    assert await link(linker, oidc_provider, "alice", provider="idp") == "/linked"

    await social_sign_in(await build(override_user_info_on_sign_in=True), oidc_provider)
    emails = {user.email: user.name for user in await users(database)}
    assert emails == {"alice@example.test": "The Owner", "linker@example.com": "User alice"}


def test_providers_from_settings_carry_the_override(make_auth: AuthFactory) -> None:
    auth = make_auth(
        social={"github": {"client_id": "id", "client_secret": "s", "override_user_info_on_sign_in": True}}
    )
    provider: OAuthProvider = auth.oauth.providers["github"]
    assert provider.override_user_info_on_sign_in is True
