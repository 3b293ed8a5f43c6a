"""The memo of verified cookie-cache copies (`sessions/copy_memo.py`): a copy sent again is not decoded again, and
the memo never lets through what the cookie cache itself would refuse (forged, expired, grafted, outdated, revoked):
S10."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest

from fastapi_betterauth import BetterAuth, ManualClock
from fastapi_betterauth.fields.schema import AuthSchema
from fastapi_betterauth.fields.values import FieldValues, additional_values, carry
from fastapi_betterauth.sessions.cache import SessionCookieCache
from fastapi_betterauth.sessions.cookie_cache import CachedSession, CookieCacheCodec
from fastapi_betterauth.sessions.copy_memo import MEMO_VALUE_LENGTH, CopyMemo, MemoEntry
from fastapi_betterauth.sessions.stateless import StatelessSessions

from ..conftest import AuthFactory, ConfiguredClientFactory, QueryCounter, sign_up
from .test_cookie_cache_flow import DATA, cache_options
from .test_provider_schemes import fake_session

TOKEN = "__Secure-better-auth.session_token"


@pytest.fixture(params=["compact", "jwt", "jwe"])
def strategy(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class CountingCodec(CookieCacheCodec):
    """The real codec, counting the values it was asked to decode."""

    decoded: int

    def decode(self, value: str, *, now: datetime) -> CachedSession | None:
        self.decoded = getattr(self, "decoded", 0) + 1
        return super().decode(value, now=now)


def cookie_cache(auth: BetterAuth) -> SessionCookieCache:
    cache = getattr(auth.keeping, "cookie_cache", None)
    assert isinstance(cache, SessionCookieCache)
    return cache


def counting(auth: BetterAuth, kind: str) -> CountingCodec:
    codec = CountingCodec(kind, auth.keyring)  # type: ignore[arg-type]
    cookie_cache(auth)._codec = codec
    return codec


def request_cookies(client: httpx.AsyncClient) -> dict[str, str]:
    return {name: client.cookies[name] for name in (TOKEN, DATA)}


async def test_a_copy_sent_again_is_decoded_once(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, strategy: str, queries: QueryCounter
) -> None:
    auth = make_auth(session=cache_options(strategy))
    client = await make_configured_client(auth)
    await sign_up(client)
    codec = counting(auth, strategy)
    queries.statements.clear()
    for _ in range(3):
        assert (await client.get("/me")).json()["email"] == "ann@example.com"
    assert queries.statements == []
    assert codec.decoded == 1
    assert len(cookie_cache(auth).memo) == 1


async def test_each_hit_gets_its_own_objects(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    """What one request does to its `User` no other request sees."""
    auth = make_auth(session=cache_options())
    client = await make_configured_client(auth)
    await sign_up(client)
    cookies = request_cookies(client)
    token = auth.cookies.read_signed(cookies, TOKEN)
    assert token is not None
    first = await cookie_cache(auth).read(cookies, token)
    assert first is not None
    first.user.name = "Mallory"
    first.session.expires_at += timedelta(days=365)
    second = await cookie_cache(auth).read(cookies, token)
    assert second is not None
    assert second.user is not first.user
    assert second.session is not first.session
    assert second.user.name == "Ann"
    assert second.session.expires_at < first.session.expires_at


async def test_an_expired_copy_is_not_served_from_the_memo(
    make_auth: AuthFactory,
    make_configured_client: ConfiguredClientFactory,
    strategy: str,
    queries: QueryCounter,
    clock: ManualClock,
) -> None:
    auth = make_auth(session=cache_options(strategy))
    client = await make_configured_client(auth)
    await sign_up(client)
    old = client.cookies[DATA]
    assert (await client.get("/me")).status_code == 200
    assert cookie_cache(auth).memo.get(old, clock.now()) is not None
    clock.advance(timedelta(seconds=301))
    queries.statements.clear()
    response = await client.get("/me")
    assert response.status_code == 200
    assert len(queries.statements) == 1  # the store answered
    assert any(h.startswith(DATA) for h in response.headers.get_list("set-cookie"))  # and a new copy was issued
    assert cookie_cache(auth).memo.get(old, clock.now()) is None


async def test_a_copy_is_not_believed_past_its_session(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    """A session that ends before its copy does ends on time, memo or not."""
    auth = make_auth(session={"expires_in": 120, **cache_options()})
    client = await make_configured_client(auth)
    await sign_up(client)
    assert (await client.get("/me")).status_code == 200
    clock.advance(timedelta(seconds=121))
    assert (await client.get("/me")).status_code == 401


async def test_forged_copies_never_enter_the_memo(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, strategy: str, queries: QueryCounter
) -> None:
    auth = make_auth(session=cache_options(strategy))
    client = await make_configured_client(auth)
    await sign_up(client)
    assert (await client.get("/me")).status_code == 200  # the authentic copy is memoised
    value = client.cookies[DATA]
    for index in (10, 40, len(value) - 3):
        forged = value[:index] + ("A" if value[index] != "A" else "B") + value[index + 1 :]
        client.cookies.delete(DATA)
        client.cookies.set(DATA, forged)
        queries.statements.clear()
        assert (await client.get("/api/auth/get-session")).json()["user"]["email"] == "ann@example.com"
        assert len(queries.statements) == 1  # the store answered, not the memo
        assert cookie_cache(auth).memo.get(forged, auth.clock.now()) is None
    assert len(cookie_cache(auth).memo) == 1  # the authentic copy alone


async def test_different_copies_are_different_entries(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, queries: QueryCounter
) -> None:
    auth = make_auth(session=cache_options())
    ann = await make_configured_client(auth)
    bob = await make_configured_client(auth)
    await sign_up(ann)
    await sign_up(bob, email="bob@example.com")
    queries.statements.clear()
    for _ in range(2):
        assert (await ann.get("/me")).json()["email"] == "ann@example.com"
        assert (await bob.get("/me")).json()["email"] == "bob@example.com"
    assert queries.statements == []
    assert len(cookie_cache(auth).memo) == 2


async def test_a_memoised_copy_grafted_onto_another_token_is_refused(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, queries: QueryCounter
) -> None:
    auth = make_auth(session=cache_options())
    ann = await make_configured_client(auth)
    bob = await make_configured_client(auth)
    await sign_up(ann)
    await sign_up(bob, email="bob@example.com")
    assert (await ann.get("/me")).status_code == 200  # ann's copy is memoised
    bob.cookies.delete(DATA)
    bob.cookies.set(DATA, ann.cookies[DATA])
    queries.statements.clear()
    assert (await bob.get("/me")).json()["email"] == "bob@example.com"
    assert len(queries.statements) == 1


def entry(token: str = "t" * 32, *, until: datetime | None = None) -> MemoEntry:
    found = fake_session()
    return MemoEntry.of(found, version="1", copy_expires_at=until or found.session.expires_at)


def test_the_memo_is_bounded_least_recently_used_first_out() -> None:
    memo = CopyMemo(size=2)
    now = datetime.now(UTC)
    memo.put("a", entry())
    memo.put("b", entry())
    assert memo.get("a", now) is not None  # "b" is now the least recently used
    memo.put("c", entry())
    assert len(memo) == 2
    assert memo.get("b", now) is None
    assert memo.get("a", now) is not None
    assert memo.get("c", now) is not None


def test_long_values_are_not_kept() -> None:
    memo = CopyMemo()
    memo.put("x" * (MEMO_VALUE_LENGTH + 1), entry())
    assert len(memo) == 0


def test_an_entry_is_believed_until_the_copy_or_its_session_ends() -> None:
    found = fake_session()
    session_end = found.session.expires_at
    late = MemoEntry.of(found, version="1", copy_expires_at=session_end + timedelta(hours=1))
    assert late.believe_until == session_end
    early = session_end - timedelta(hours=1)
    memo = CopyMemo()
    memo.put("v", MemoEntry.of(found, version="1", copy_expires_at=early))
    assert memo.get("v", early - timedelta(milliseconds=1)) is not None
    assert memo.get("v", early) is None
    assert len(memo) == 0  # dropped when found expired


def test_additional_values_are_each_hits_own() -> None:
    """A list or JSON value (`string[]`, `json` fields) changed by one request is not changed for the next."""
    found = fake_session()
    carry(found.user, FieldValues(AuthSchema().user, {"tags": ["a"], "prefs": {"theme": "dark"}, "plan": "pro"}))
    memoised = MemoEntry.of(found, version="1", copy_expires_at=found.session.expires_at)
    first = additional_values(memoised.found().user)
    assert first is not None
    first["tags"].append("b")
    first["prefs"]["theme"] = "light"
    assert additional_values(memoised.found().user) == {"tags": ["a"], "prefs": {"theme": "dark"}, "plan": "pro"}


def test_size_zero_keeps_nothing() -> None:
    memo = CopyMemo(size=0)
    memo.put("v", entry())
    assert len(memo) == 0


STATELESS: dict[str, Any] = {"session": {"store": "stateless"}}


async def test_a_stateless_cookie_sent_again_is_decrypted_once(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    auth = make_auth(**STATELESS)
    client = await make_configured_client(auth)
    await sign_up(client)
    codec = CountingCodec("jwe", auth.keyring)
    keeping = auth.keeping
    assert isinstance(keeping, StatelessSessions)
    keeping._codec = codec
    for _ in range(3):
        assert (await client.get("/me")).json()["email"] == "ann@example.com"
    assert codec.decoded == 1
    assert len(keeping.memo) == 1


async def test_a_memoised_stateless_cookie_is_still_revoked(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory
) -> None:
    """Sign-out ends a copy of the cookie kept elsewhere, though that very value is memoised (T6)."""
    auth = make_auth(**STATELESS)
    phone = await make_configured_client(auth)
    copy = await make_configured_client(auth)
    await sign_up(phone)
    copy.cookies.update(phone.cookies)
    assert (await copy.get("/me")).status_code == 200
    assert (await phone.post("/api/auth/sign-out")).json() == {"success": True}
    assert (await copy.get("/me")).status_code == 401
