"""The cookie cache in the request path (docs/better-auth.md#session-lookup, step 3): zero I/O on a hit, never trusted
when tampered, grafted, outdated or expired, and revocation that beats it when storage is configured (#6893):
S10, S7."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2 as httpx
import pytest

from fastapi_betterauth import DatabaseHooks, ManualClock, ModelHooks

from ..conftest import AuthFactory, ConfiguredClientFactory, QueryCounter, sign_in, sign_up

DATA = "__Secure-better-auth.session_data"


def cache_options(strategy: str = "compact", **extra: Any) -> dict[str, Any]:
    return {"cookie_cache": {"enabled": True, "strategy": strategy, **extra}}


@pytest.fixture(params=["compact", "jwt", "jwe"])
def strategy(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def cache_cookies(response: httpx.Response) -> list[str]:
    return [h for h in response.headers.get_list("set-cookie") if h.startswith(DATA)]


async def test_a_cache_hit_costs_no_query(
    make_configured_client: ConfiguredClientFactory, strategy: str, queries: QueryCounter, clock: ManualClock
) -> None:
    client = await make_configured_client(session=cache_options(strategy))
    response = await sign_up(client)
    [written] = cache_cookies(response)
    assert "Max-Age=300" in written
    assert "HttpOnly" in written
    queries.statements.clear()
    me = await client.get("/me")
    assert me.status_code == 200
    assert queries.statements == []
    body = (await client.get("/api/auth/get-session")).json()
    assert body["user"]["email"] == "ann@example.com"
    assert body["session"]["token"] == response.json()["token"]
    # A due refresh is never done on a cache hit.
    clock.advance(timedelta(minutes=4))
    queries.statements.clear()
    assert (await client.get("/me")).status_code == 200
    assert queries.statements == []


async def test_expired_copy_goes_back_to_the_store_and_is_reissued(
    make_configured_client: ConfiguredClientFactory, strategy: str, queries: QueryCounter, clock: ManualClock
) -> None:
    client = await make_configured_client(session=cache_options(strategy))
    await sign_up(client)
    clock.advance(timedelta(seconds=301 + 15))
    queries.statements.clear()
    response = await client.get("/me")
    assert response.status_code == 200
    assert len(queries.statements) == 1
    assert len(cache_cookies(response)) == 1


async def test_tampered_copy_is_never_trusted(
    make_configured_client: ConfiguredClientFactory, strategy: str, queries: QueryCounter
) -> None:
    client = await make_configured_client(session=cache_options(strategy))
    await sign_up(client)
    value = client.cookies[DATA]
    flipped = value[:40] + ("A" if value[40] != "A" else "B") + value[41:]
    client.cookies.delete(DATA)
    client.cookies.set(DATA, flipped)
    queries.statements.clear()
    response = await client.get("/api/auth/get-session")
    assert response.json()["user"]["email"] == "ann@example.com"
    assert len(queries.statements) == 1  # the store answered
    [replacement] = cache_cookies(response)  # and the copy was replaced
    assert flipped not in replacement


async def test_a_copy_grafted_onto_another_session_is_refused(make_configured_client: ConfiguredClientFactory) -> None:
    """S10: Bob's token with Ann's cached copy is Bob, not Ann."""
    ann = await make_configured_client(session=cache_options())
    bob = await make_configured_client(session=cache_options())
    await sign_up(ann)
    await sign_up(bob, email="bob@example.com")
    bob.cookies.delete(DATA)
    bob.cookies.set(DATA, ann.cookies[DATA])
    assert (await bob.get("/me")).json()["email"] == "bob@example.com"


async def test_version_bump_invalidates_every_copy(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, queries: QueryCounter
) -> None:
    first = await make_configured_client(make_auth(session=cache_options(version="1")))
    await sign_up(first)
    bumped = await make_configured_client(make_auth(session=cache_options(version="2")))
    for name, value in first.cookies.items():
        bumped.cookies.set(name, value)
    queries.statements.clear()
    response = await bumped.get("/me")
    assert response.status_code == 200
    assert len(queries.statements) == 1
    assert len(cache_cookies(response)) == 1


async def test_disable_cookie_cache_asks_the_store(
    make_configured_client: ConfiguredClientFactory, queries: QueryCounter
) -> None:
    client = await make_configured_client(session=cache_options())
    await sign_up(client)
    queries.statements.clear()
    await client.get("/api/auth/get-session", params={"disableCookieCache": "true"})
    assert len(queries.statements) == 1


async def test_without_storage_revocation_waits_for_the_copy_to_expire(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    """The documented bound: another device's cached copy passes until cookie_cache.max_age."""
    auth = make_auth(session=cache_options(max_age=60))
    laptop, phone = await make_configured_client(auth), await make_configured_client(auth)
    await sign_up(laptop)
    await sign_in(phone)
    assert (await laptop.post("/api/auth/revoke-other-sessions")).json() == {"status": True}
    assert (await phone.get("/me")).status_code == 200  # cache hit: not yet seen
    assert (await phone.get("/api/auth/get-session", params={"disableCookieCache": "true"})).json() is None
    clock.advance(timedelta(seconds=61 + 15))
    assert (await phone.get("/me")).status_code == 401


@pytest.mark.parametrize("storage", ["memory", "redis"])
async def test_with_storage_revocation_beats_the_cache(
    make_auth: AuthFactory,
    make_configured_client: ConfiguredClientFactory,
    storage: str,
    request: pytest.FixtureRequest,
) -> None:
    url = "memory://" if storage == "memory" else str(request.getfixturevalue("redis_url"))
    auth = make_auth(secondary_storage_url=url, session=cache_options())
    laptop, phone = await make_configured_client(auth), await make_configured_client(auth)
    await sign_up(laptop)
    await sign_in(phone)
    assert (await phone.get("/me")).status_code == 200
    await laptop.post("/api/auth/revoke-other-sessions")
    assert (await phone.get("/me")).status_code == 401  # at once, despite a valid cached copy
    assert (await laptop.get("/me")).status_code == 200


async def test_excluded_user_fields_stay_out_of_the_copy(
    make_configured_client: ConfiguredClientFactory, queries: QueryCounter
) -> None:
    """better-auth #5378: a large avatar need not ride along in every request."""
    client = await make_configured_client(session=cache_options("compact", exclude_user_fields=["image"]))
    await sign_up(client, image="https://cdn.example/" + "a" * 1500 + ".png")
    assert len(client.cookies[DATA]) < 1500
    queries.statements.clear()
    body = (await client.get("/api/auth/get-session")).json()
    assert queries.statements == []
    assert body["user"]["image"] is None  # absent on cache hits, as documented
    fresh = (await client.get("/api/auth/get-session", params={"disableCookieCache": "true"})).json()
    assert fresh["user"]["image"].startswith("https://cdn.example/")


async def test_large_sessions_are_chunked_and_cleared(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, queries: QueryCounter
) -> None:
    async def big_image(data: dict[str, Any]) -> dict[str, Any]:
        return {"image": "data:image/png;base64," + "A" * 4500}  # ~7 KB as JWE: two cookies

    auth = make_auth(session=cache_options("jwe"), hooks=DatabaseHooks(user=ModelHooks(before_create=big_image)))
    client = await make_configured_client(auth)
    response = await sign_up(client)
    names = sorted(h.split("=", 1)[0] for h in cache_cookies(response))
    assert names[:2] == [f"{DATA}.0", f"{DATA}.1"]
    assert all(len(h) <= 4050 for h in cache_cookies(response))
    queries.statements.clear()
    assert (await client.get("/api/auth/get-session")).json()["user"]["image"].endswith("AAA")
    assert queries.statements == []
    signed_out = await client.post("/api/auth/sign-out")
    cleared = {h.split("=", 1)[0] for h in signed_out.headers.get_list("set-cookie") if "Max-Age=0" in h}
    assert set(names) <= cleared


async def test_update_user_reissues_the_copy(
    make_configured_client: ConfiguredClientFactory, queries: QueryCounter
) -> None:
    client = await make_configured_client(session=cache_options())
    await sign_up(client)
    await client.post("/api/auth/update-user", json={"name": "Ann B."})
    queries.statements.clear()
    assert (await client.get("/api/auth/get-session")).json()["user"]["name"] == "Ann B."
    assert queries.statements == []


async def test_callable_version_is_checked_per_session(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, queries: QueryCounter
) -> None:
    """A per-user version (e.g. bumped when the user's roles change) invalidates only that user's copies."""
    versions = {"ann@example.com": "1"}

    async def version(session: Any, user: Any) -> str:
        return versions.get(user.email, "1")

    auth = make_auth(session=cache_options(), cookie_cache_version=version)
    client = await make_configured_client(auth)
    await sign_up(client)
    queries.statements.clear()
    await client.get("/me")
    assert queries.statements == []
    versions["ann@example.com"] = "2"
    await client.get("/me")
    assert len(queries.statements) == 1  # outdated copy: the store answered, and a v2 copy was issued
    queries.statements.clear()
    await client.get("/me")
    assert queries.statements == []
