"""The account database hooks run for every account a provider identity creates, as for email sign-up
(docs/better-auth.md#database-hooks): social sign-in of a new user, implicit linking, `link-social` by redirect and
by id token, and id-token sign-in. A refusing `before_create` fails the flow the way OAuth failures do."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import Account, DatabaseHooks, ManualClock, ModelHooks, User
from fastapi_betterauth.db.engine import Database

from ..conftest import AuthFactory, ConfiguredClientFactory, sign_up
from ..idp_fixture import IdP
from .test_id_token_sign_in import app_login
from .test_link_social import link, verify_email
from .test_social_sign_in import path_of, start

ERROR_PAGE = "https://testserver/api/auth/error"


class AccountHook:
    """An account `before_create` hook that records what it sees and vetoes, or re-scopes, the new account."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.veto = False

    async def __call__(self, data: dict[str, Any]) -> dict[str, Any] | bool:
        self.seen.append(data)
        return False if self.veto else {"scope": "changed-by-hook"}

    def providers(self) -> list[tuple[str, str]]:
        return [(data["provider_id"], data["account_id"]) for data in self.seen]


@pytest.fixture
def hook() -> AccountHook:
    return AccountHook()


@pytest.fixture
async def app(
    oidc_provider: IdP,
    make_auth: AuthFactory,
    make_configured_client: ConfiguredClientFactory,
    clock: ManualClock,
    hook: AccountHook,
) -> ConfiguredClientFactory:
    clock.set(datetime.now(UTC))  # a real IdP signs id tokens with real time
    hooks = DatabaseHooks(account=ModelHooks(before_create=hook))

    async def build() -> httpx.AsyncClient:
        return await make_configured_client(make_auth(social_providers=[oidc_provider.provider()], hooks=hooks))

    return build


async def idp_accounts(database: Database) -> list[Account]:
    async with database.session() as db:
        return list((await db.exec(select(Account).where(Account.provider_id == "idp"))).all())


async def social_sign_in(client: httpx.AsyncClient, idp: IdP, login: str) -> httpx.Response:
    return await client.get(path_of(await idp.login(await start(client, callbackURL="/in"), login=login)))


async def test_a_new_social_user_s_account_goes_through_the_hook(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database, hook: AccountHook
) -> None:
    client = await app()
    assert (await social_sign_in(client, oidc_provider, "ada")).headers["location"] == "/in"
    assert hook.providers() == [("idp", "ada")]
    assert [account.scope for account in await idp_accounts(database)] == ["changed-by-hook"]


async def test_a_refused_new_social_account_creates_no_user(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database, hook: AccountHook
) -> None:
    hook.veto = True
    client = await app()
    response = await social_sign_in(client, oidc_provider, "bea")
    assert response.headers["location"] == f"{ERROR_PAGE}?error=unable_to_create_user"
    assert not [c for c in response.headers.get_list("set-cookie") if "session_token=" in c]
    async with database.session() as db:
        assert (await db.exec(select(User))).all() == []


async def test_implicit_linking_goes_through_the_hook(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database, hook: AccountHook
) -> None:
    await sign_up(await app(), email="cleo@example.test")
    await verify_email(database, "cleo@example.test")
    hook.seen.clear()
    hook.veto = True
    client = await app()
    response = await social_sign_in(client, oidc_provider, "cleo")
    assert response.headers["location"] == f"{ERROR_PAGE}?error=unable_to_link_account"
    assert hook.providers() == [("idp", "cleo")]
    assert await idp_accounts(database) == []
    hook.veto = False
    assert (await social_sign_in(client, oidc_provider, "cleo")).headers["location"] == "/in"
    assert [account.scope for account in await idp_accounts(database)] == ["changed-by-hook"]


async def test_link_social_by_redirect_goes_through_the_hook(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database, hook: AccountHook
) -> None:
    client = await app()
    await sign_up(client, email="dora@example.test")
    hook.seen.clear()
    hook.veto = True
    response = await link(client, oidc_provider, "dora")
    assert response.headers["location"] == f"{ERROR_PAGE}?error=unable_to_link_account"
    assert hook.providers() == [("idp", "dora")]
    assert await idp_accounts(database) == []


async def test_id_token_flows_go_through_the_hook(
    app: ConfiguredClientFactory, oidc_provider: IdP, database: Database, hook: AccountHook
) -> None:
    provider = oidc_provider.provider()
    client = await app()
    await sign_up(client, email="eva@example.test")
    hook.seen.clear()
    hook.veto = True
    token = {"token": await app_login(oidc_provider, provider, "eva", nonce="n-eva"), "nonce": "n-eva"}
    linked = await client.post("/api/auth/link-social", json={"provider": "idp", "idToken": token})
    assert (linked.status_code, linked.json()["code"]) == (417, "LINKING_FAILED")
    newcomer = await app()
    token = {"token": await app_login(oidc_provider, provider, "finn", nonce="n-finn"), "nonce": "n-finn"}
    signed_in = await newcomer.post("/api/auth/sign-in/social", json={"provider": "idp", "idToken": token})
    assert signed_in.status_code == 401
    assert hook.providers() == [("idp", "eva"), ("idp", "finn")]
    assert await idp_accounts(database) == []
    hook.veto = False
    token = {"token": await app_login(oidc_provider, provider, "finn", nonce="n-f2"), "nonce": "n-f2"}
    signed_in = await newcomer.post("/api/auth/sign-in/social", json={"provider": "idp", "idToken": token})
    assert signed_in.status_code == 200
    assert [account.scope for account in await idp_accounts(database)] == ["changed-by-hook"]
