"""Stateless sessions (`session.store = "stateless"`): the encrypted `session_data` cookie is the session.

What only this mode has: no session rows, zero I/O per request, tamper/key/expiry/version/rotation checks on the JWE
(T1-T4, T7), chunked cookies, re-minting with an absolute lifetime, and revocation through per-user epochs
(T6). The behaviour it shares with database sessions runs in both modes in the modules that set `SESSION_STORES`.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import httpx2 as httpx
import pytest
from sqlalchemy import select, update

from fastapi_betterauth import ManualClock, User
from fastapi_betterauth.crypto import jose
from fastapi_betterauth.crypto.tokens import sign_value
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Session, Verification
from fastapi_betterauth.sessions.cookie_cache import JWE_SALT
from fastapi_betterauth.sessions.revocation import MAX_SESSION_REVOCATIONS
from fastapi_betterauth.storage import SecondaryStorage

from ..conftest import (
    PASSWORD,
    TEST_SECRET,
    AuthFactory,
    ConfiguredClientFactory,
    QueryCounter,
    set_cookies,
    sign_in,
    sign_up,
)
from .test_cookie_cache import BA_JWE, BA_SESSION, NOW, SECRET

TOKEN = "__Secure-better-auth.session_token"
DATA = "__Secure-better-auth.session_data"
UNAUTHORIZED = {"code": "UNAUTHORIZED", "message": "Unauthorized"}
STATELESS: dict[str, Any] = {"session": {"store": "stateless"}}
NEW_SECRET = "a-new-secret-0123456789-abcdefghijklmnopqrst"


@pytest.fixture
async def client(make_configured_client: ConfiguredClientFactory) -> httpx.AsyncClient:
    return await make_configured_client(**STATELESS)


async def session_rows(database: Database) -> int:
    async with database.session() as db:
        return len((await db.exec(select(Session))).all())


async def test_sign_up_writes_no_session_row_and_the_cookie_is_the_session(
    client: httpx.AsyncClient, database: Database
) -> None:
    response = await sign_up(client)
    cookies = set_cookies(response)
    assert set(cookies) == {TOKEN, DATA}
    assert "HttpOnly" in cookies[DATA]
    assert "Secure" in cookies[DATA]
    assert "SameSite=Lax" in cookies[DATA]
    assert "Max-Age=604800" in cookies[DATA]
    assert "Max-Age=604800" in cookies[TOKEN]
    assert await session_rows(database) == 0
    body = (await client.get("/api/auth/get-session")).json()
    assert body["user"]["email"] == "ann@example.com"
    assert body["session"]["token"] == response.json()["token"]


async def test_a_request_costs_no_query_without_revocation(
    make_configured_client: ConfiguredClientFactory, queries: QueryCounter
) -> None:
    """The hot path is the cookie alone: no database (or storage) I/O at all."""
    client = await make_configured_client(session={"store": "stateless", "stateless": {"revocation": "off"}})
    await sign_up(client)
    queries.statements.clear()
    for path in ("/me", "/api/auth/get-session", "/session"):
        assert (await client.get(path)).status_code == 200
    assert (await client.post("/fresh")).status_code == 200
    assert queries.statements == []


async def test_with_revocation_a_request_costs_one_small_read(client: httpx.AsyncClient, queries: QueryCounter) -> None:
    await sign_up(client)
    queries.statements.clear()
    assert (await client.get("/me")).status_code == 200
    assert len(queries.statements) == 1
    assert "verification" in queries.statements[0]
    assert queries.statements[0].lstrip().upper().startswith("SELECT")


def replace_cookie(client: httpx.AsyncClient, name: str, value: str) -> None:
    """Swap one cookie's value (setting it directly would add a second cookie of that name beside the first)."""
    cookies = dict(client.cookies)
    client.cookies.clear()
    client.cookies.update({**cookies, name: value})


def tampered(value: str, segment: int) -> str:
    parts = value.split(".")
    piece = parts[segment]
    if not piece:  # `dir` has an empty encrypted-key segment: put something there
        parts[segment] = "AAAA"
    else:
        middle = len(piece) // 2
        parts[segment] = piece[:middle] + ("A" if piece[middle] != "A" else "B") + piece[middle + 1 :]
    return ".".join(parts)


@pytest.mark.parametrize("segment", range(5))
async def test_tampering_with_any_segment_is_no_session(
    make_configured_client: ConfiguredClientFactory, segment: int
) -> None:
    """T2: a changed header, key, IV, ciphertext or tag all give the same 401, and the cookies are cleared."""
    client = await make_configured_client(**STATELESS)
    await sign_up(client)
    value = unquote(client.cookies[DATA])
    replace_cookie(client, DATA, tampered(value, segment))
    response = await client.get("/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert (await client.get("/api/auth/get-session")).json() is None


async def test_wrong_key_version_bump_and_other_token_are_no_session(
    make_configured_client: ConfiguredClientFactory, make_auth: AuthFactory
) -> None:
    client = await make_configured_client(**STATELESS)
    await sign_up(client)
    cookies = dict(client.cookies)
    other_secret = await make_configured_client(secret="another-secret-0123456789-abcdefghijklmnopq", **STATELESS)
    bumped = await make_configured_client(session={"store": "stateless", "cookie_cache": {"version": "2"}})
    same = await make_configured_client(**STATELESS)
    for probe in (other_secret, bumped, same):
        probe.cookies.update(cookies)
    assert (await same.get("/me")).status_code == 200
    assert (await other_secret.get("/me")).status_code == 401  # signature and key both unknown there
    assert (await bumped.get("/me")).status_code == 401  # global logout
    # A session cookie grafted next to another session's token is refused.
    bob = await make_configured_client(**STATELESS)
    await sign_up(bob, email="bob@example.com")
    replace_cookie(bob, DATA, cookies[DATA])
    assert (await bob.get("/me")).status_code == 401


async def test_compression_and_oversized_tokens_are_refused(client: httpx.AsyncClient, clock: ManualClock) -> None:
    """T3: a `zip` header, or a token over 8 KB, is no session (checked before any decryption)."""
    await sign_up(client)
    value = unquote(client.cookies[DATA])
    assert jose.decode_jwe(value, [TEST_SECRET], salt=JWE_SALT, now=clock.now()) is not None
    header = '{"alg":"dir","enc":"A256CBC-HS512","zip":"DEF"}'
    zipped = jose.urlsafe_b64encode(header.encode()).decode() + value[value.index(".") :]
    for bad in (zipped, value + "A" * 9000):
        replace_cookie(client, DATA, bad)
        assert (await client.get("/me")).status_code == 401


async def test_a_forged_session_from_the_future_is_not_fresh(client: httpx.AsyncClient, clock: ManualClock) -> None:
    """S6, T7: someone who knows a secret can mint a session cookie; one dated ahead (so that it would stay fresh
    for years) is a session, but never a fresh one."""
    await sign_up(client)
    claims = jose.decode_jwe(unquote(client.cookies[DATA]), [TEST_SECRET], salt=JWE_SALT, now=clock.now())
    assert claims is not None
    claims["session"]["createdAt"] = (clock.now() + timedelta(days=3650)).isoformat().replace("+00:00", "Z")
    forged = jose.encode_jwe(json.dumps(claims).encode(), TEST_SECRET, salt=JWE_SALT)
    replace_cookie(client, DATA, forged)
    assert (await client.get("/me")).status_code == 200
    response = await client.post("/fresh")
    assert response.status_code == 403
    assert response.json() == {"code": "SESSION_NOT_FRESH", "message": "Session is not fresh"}


async def test_expiry_is_sliding_within_an_absolute_lifetime(
    client: httpx.AsyncClient, clock: ManualClock, queries: QueryCounter
) -> None:
    """Re-minted once under 20% of `expires_in` remains; never past `max_lifetime` (30 days) from sign-in."""
    await sign_up(client)
    first = unquote(client.cookies[DATA])
    clock.advance(timedelta(days=5))  # 2 days left of 7: not yet due
    response = await client.get("/me")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    clock.advance(timedelta(days=1))  # 1 day left: due
    queries.statements.clear()
    response = await client.get("/me")
    cookies = set_cookies(response)
    assert "Max-Age=604800" in cookies[DATA]
    assert "Max-Age=604800" in cookies[TOKEN]
    assert unquote(client.cookies[DATA]) != first
    assert len(queries.statements) == 2  # the revocation check, and the user re-read for the new cookie
    expires = (await client.get("/api/auth/get-session")).json()["session"]["expiresAt"]
    assert expires == "2026-12-05T12:00:00.000Z"  # day 6 + 7 days
    for _ in range(3):  # keep using it every 6 days (days 12, 18, 24)...
        clock.advance(timedelta(days=6))
        assert (await client.get("/me")).status_code == 200
    # ...day 30 is the end however active the user is: the last re-mint stopped at the absolute end.
    expires = (await client.get("/api/auth/get-session")).json()["session"]["expiresAt"]
    assert expires == "2026-12-22T12:00:00.000Z"
    clock.advance(timedelta(days=6))
    assert (await client.get("/me")).status_code == 401
    response = await client.get("/api/auth/get-session")
    assert response.json() is None
    assert set_cookies(response)[DATA].startswith(f"{DATA}=;")


async def test_remember_me_false_is_never_extended(client: httpx.AsyncClient, clock: ManualClock) -> None:
    await sign_up(client)
    client.cookies.clear()
    response = await sign_in(client, rememberMe=False)
    cookies = set_cookies(response)
    assert "Max-Age" not in cookies[DATA]
    assert "Max-Age" not in cookies[TOKEN]
    clock.advance(timedelta(hours=23))
    assert "set-cookie" not in (await client.get("/me")).headers
    clock.advance(timedelta(hours=1))
    assert (await client.get("/me")).status_code == 401


async def test_rotation_keeps_users_signed_in(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    """T7: with `secrets = [new, old]`, a cookie of the old secret is read (its `kid` picks the key); new cookies
    use the new key."""
    old = await make_configured_client(**STATELESS)
    await sign_up(old)
    rotated = await make_configured_client(secrets=[f"2:{NEW_SECRET}", f"1:{TEST_SECRET}"], **STATELESS)
    rotated.cookies.update(old.cookies)
    assert (await rotated.get("/me")).status_code == 200
    await sign_in(rotated)
    new_value = unquote(rotated.cookies[DATA])
    assert jose.decode_jwe(new_value, [TEST_SECRET], salt=JWE_SALT, now=clock.now()) is None
    assert jose.decode_jwe(new_value, [NEW_SECRET], salt=JWE_SALT, now=clock.now()) is not None


async def test_a_large_session_is_chunked(client: httpx.AsyncClient) -> None:
    name = "\U0001f600" * 256
    response = await sign_up(client, name=name, image="https://example.com/" + "i" * 2000)
    cookies = set_cookies(response)
    assert {f"{DATA}.0", f"{DATA}.1"} <= set(cookies)
    assert all(len(header) <= 4096 for header in cookies.values())
    assert (await client.get("/api/auth/get-session")).json()["user"]["name"] == name


async def test_a_session_too_large_for_cookies_is_refused_clearly(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    client.cookies.clear()
    response = await client.post(
        "/api/auth/sign-in/email",
        json={"email": "ann@example.com", "password": PASSWORD},
        headers={"user-agent": "x" * 9000},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "SESSION_TOO_LARGE"


async def signed_in_twice(make_configured_client: ConfiguredClientFactory, **options: Any) -> list[httpx.AsyncClient]:
    laptop = await make_configured_client(**options)
    phone = await make_configured_client(**options)
    await sign_up(laptop)
    await sign_in(phone)
    return [laptop, phone]


@pytest.fixture(params=["database", "memory-storage", "redis-storage"])
def revocation_options(request: pytest.FixtureRequest, clock: ManualClock) -> dict[str, Any]:
    """Where revocations are remembered: the database (verification rows), or secondary storage."""
    if request.param == "database":
        return {}
    storage: SecondaryStorage = request.getfixturevalue("storage_for_revocations")(request.param)
    return {"secondary_storage": storage}


@pytest.fixture
def storage_for_revocations(request: pytest.FixtureRequest, clock: ManualClock) -> Any:
    from fastapi_betterauth.storage import MemoryStorage, RedisStorage

    def make(kind: str) -> SecondaryStorage:
        if kind == "memory-storage":
            return MemoryStorage(clock)
        return RedisStorage.from_url(request.getfixturevalue("redis_url"))

    return make


async def test_revoke_other_sessions_ends_old_cookies_everywhere(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock, revocation_options: dict[str, Any]
) -> None:
    """T6: log out everywhere else, then replay the other device's cookie: 401 although it has not expired."""
    laptop, phone = await signed_in_twice(make_configured_client, **STATELESS, **revocation_options)
    stolen = dict(phone.cookies)
    clock.advance(timedelta(seconds=1))
    assert (await laptop.post("/api/auth/revoke-other-sessions")).json() == {"status": True}
    assert (await laptop.get("/me")).status_code == 200
    assert (await phone.get("/me")).status_code == 401
    replay = await make_configured_client(**STATELESS, **revocation_options)
    replay.cookies.update(stolen)
    assert (await replay.get("/me")).status_code == 401
    # New sign-ins after the revocation are not affected.
    clock.advance(timedelta(seconds=1))
    again = await make_configured_client(**STATELESS, **revocation_options)
    await sign_in(again)
    assert (await again.get("/me")).status_code == 200


async def test_revoke_sessions_and_sign_out_end_copies_of_the_cookie(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock, revocation_options: dict[str, Any]
) -> None:
    laptop, phone = await signed_in_twice(make_configured_client, **STATELESS, **revocation_options)
    copy = await make_configured_client(**STATELESS, **revocation_options)
    copy.cookies.update(phone.cookies)
    assert (await phone.post("/api/auth/sign-out")).json() == {"success": True}
    assert (await copy.get("/me")).status_code == 401  # a copy kept elsewhere stops working too
    assert (await laptop.get("/me")).status_code == 200  # only that session ended
    clock.advance(timedelta(seconds=1))
    assert (await laptop.post("/api/auth/revoke-sessions")).json() == {"status": True}
    laptop_copy = await make_configured_client(**STATELESS, **revocation_options)
    laptop_copy.cookies.update(laptop.cookies)
    assert (await laptop_copy.get("/me")).status_code == 401


async def test_revoke_session_by_token_only_ends_ones_own(
    make_configured_client: ConfiguredClientFactory, revocation_options: dict[str, Any]
) -> None:
    laptop, phone = await signed_in_twice(make_configured_client, **STATELESS, **revocation_options)
    mallory = await make_configured_client(**STATELESS, **revocation_options)
    await sign_up(mallory, email="mallory@example.com")
    phone_token = (await phone.get("/api/auth/get-session")).json()["session"]["token"]
    assert (await mallory.post("/api/auth/revoke-session", json={"token": phone_token})).json() == {"status": True}
    assert (await phone.get("/me")).status_code == 200
    assert (await laptop.post("/api/auth/revoke-session", json={"token": phone_token})).json() == {"status": True}
    assert (await phone.get("/me")).status_code == 401
    assert (await laptop.get("/me")).status_code == 200


async def test_single_revocations_of_made_up_tokens_are_bounded(
    make_configured_client: ConfiguredClientFactory, revocation_options: dict[str, Any]
) -> None:
    """T6: every revoke-session of a stateless session is kept for the longest session lifetime,
    and nothing can tell a made-up token from a real one, so a user's single revocations are bounded: past
    MAX_SESSION_REVOCATIONS they answer 429, and revoking every session still works."""
    client = await make_configured_client(**STATELESS, **revocation_options)
    await sign_up(client)

    answers = [
        (await client.post("/api/auth/revoke-session", json={"token": f"made-up-{n}"})).status_code
        for n in range(MAX_SESSION_REVOCATIONS + 1)
    ]

    assert answers[:-1] == [200] * MAX_SESSION_REVOCATIONS
    assert answers[-1] == 429
    assert (await client.get("/me")).status_code == 200
    assert (await client.post("/api/auth/revoke-sessions")).json() == {"status": True}
    assert (await client.get("/me")).status_code == 401


async def test_password_change_and_user_deletion_take_effect_on_old_cookies(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    laptop, phone = await signed_in_twice(make_configured_client, **STATELESS, user={"delete_user": {"enabled": True}})
    clock.advance(timedelta(seconds=1))
    changed = await laptop.post(
        "/api/auth/change-password",
        json={"currentPassword": PASSWORD, "newPassword": "a new long passphrase", "revokeOtherSessions": True},
    )
    assert changed.status_code == 200
    assert (await laptop.get("/me")).status_code == 200  # the new session it got
    assert (await phone.get("/me")).status_code == 401
    tablet = await make_configured_client(**STATELESS, user={"delete_user": {"enabled": True}})
    clock.advance(timedelta(seconds=1))
    await sign_in(tablet, password="a new long passphrase")
    assert (await laptop.post("/api/auth/delete-user", json={})).json()["success"] is True
    assert (await tablet.get("/me")).status_code == 401


async def test_without_anywhere_to_remember_revocations_endpoints_say_why(
    make_configured_client: ConfiguredClientFactory,
) -> None:
    client = await make_configured_client(session={"store": "stateless", "stateless": {"revocation": "off"}})
    await sign_up(client)
    for path, body in (
        ("/api/auth/revoke-sessions", None),
        ("/api/auth/revoke-other-sessions", None),
        ("/api/auth/revoke-session", {"token": "x"}),
    ):
        response = await client.post(path, json=body)
        assert response.status_code == 400
        assert response.json()["code"] == "SESSION_REVOCATION_UNAVAILABLE"
        assert "cookie_cache.version" in response.json()["message"]
    listed = await client.get("/api/auth/list-sessions")
    assert listed.status_code == 400
    assert listed.json()["code"] == "SESSION_LIST_UNAVAILABLE"
    # Signing out still works: it clears this browser's cookies.
    assert (await client.post("/api/auth/sign-out")).json() == {"success": True}
    assert (await client.get("/me")).status_code == 401


async def test_a_re_minted_cookie_shows_changes_made_elsewhere(
    client: httpx.AsyncClient, clock: ManualClock, database: Database
) -> None:
    user_id = (await sign_up(client)).json()["user"]["id"]
    async with database.session() as db, db.begin():
        await db.exec(update(User).where(User.id == user_id).values(name="Renamed"))  # type: ignore[arg-type]
    assert (await client.get("/api/auth/get-session")).json()["user"]["name"] == "Ann"  # the cookie's copy
    clock.advance(timedelta(days=6))
    assert (await client.get("/api/auth/get-session")).json()["user"]["name"] == "Renamed"


async def test_sensitive_operations_read_the_current_user(
    client: httpx.AsyncClient, database: Database, make_configured_client: ConfiguredClientFactory
) -> None:
    """Sensitive operations never act on the cookie's copy of the user: a verification done elsewhere counts."""
    user_id = (await sign_up(client)).json()["user"]["id"]
    async with database.session() as db, db.begin():
        await db.exec(update(User).where(User.id == user_id).values(email_verified=True))  # type: ignore[arg-type]
    response = await client.post("/api/auth/update-user", json={"name": "Ann B"})
    assert response.status_code == 200
    user = (await client.get("/api/auth/get-session")).json()["user"]
    assert user["name"] == "Ann B"
    assert user["emailVerified"] is True


async def test_reads_a_cookie_made_by_better_auth(make_auth: AuthFactory, clock: ManualClock) -> None:
    """A better-auth 1.7.25 `jwe` cookie (from its own `setCookieCache`) is a session here, given the same secret."""
    clock.set(NOW)
    auth = make_auth(secret=SECRET, session={"store": "stateless", "stateless": {"revocation": "off"}})
    cookies = {TOKEN: sign_value(SECRET, BA_SESSION["token"]), DATA: BA_JWE}
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    found = await auth.api.get_session({"cookie": header})
    assert found is not None
    assert found.user.email == "zoe@example.com"
    assert found.session.id == BA_SESSION["id"]


def test_bearer_tokens_need_session_rows(make_auth: AuthFactory) -> None:
    with pytest.raises(ValueError, match="bearer"):
        make_auth(session={"store": "stateless"}, bearer={"enabled": True})


async def test_concurrent_first_requests_all_pass(client: httpx.AsyncClient, clock: ManualClock) -> None:
    await sign_up(client)
    clock.advance(timedelta(days=6))
    answers = await asyncio.gather(*(client.get("/me") for _ in range(10)))
    assert {answer.status_code for answer in answers} == {200}


async def test_expired_revocations_are_swept(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock, database: Database
) -> None:
    """Revocation rows, and the per-user counter of one-by-one revocations (T6), live as long as a cookie they concern
    could (`max_lifetime`), then go."""
    client = await make_configured_client(**STATELESS)
    await sign_up(client)
    await client.post("/api/auth/sign-out")
    assert await revocation_rows(database) == {"session": 1, "count": 1}
    clock.advance(timedelta(days=31))
    await sign_in(client)
    await client.post("/api/auth/sign-out")
    assert await revocation_rows(database) == {"session": 1, "count": 1}  # the old ones swept, the new ones kept


async def revocation_rows(database: Database) -> dict[str, int]:
    """Revocation rows by kind (`session`, `user`, `count`)."""
    async with database.session() as db:
        identifiers = [row[0] for row in (await db.exec(select(Verification.identifier))).all()]
    kinds = [identifier.split(":")[1] for identifier in identifiers if identifier.startswith("stateless-revocation:")]
    return {kind: kinds.count(kind) for kind in set(kinds)}
