"""The jwt plugin, switched on from environment settings alone, over HTTP on SQLite and PostgreSQL: the signing key
made on first use and kept in `jwks` with its private half sealed in better-auth's envelope, `GET /jwks`, `GET /token`
and the `set-auth-jwt` header of `get-session`, with better-auth's claims (docs/security.md T9)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.clock import ManualClock
from fastapi_betterauth.crypto.envelope import open_sealed
from fastapi_betterauth.jwt_tokens.models import Jwk

from ..conftest import BASE_URL, TEST_SECRET
from ..env_app import Client, auth_app, browsers, env_auth
from ..test_migrations import fresh_url, postgres_db
from .support import header_of, jwt_auth, sign_up, verified_claims

__all__ = ["fresh_url", "postgres_db"]  # fixtures, used by name

CLAIMS = ["iat", "id", "email", "name", "image", "emailVerified", "createdAt", "updatedAt", "sub", "exp", "iss", "aud"]


@pytest.fixture
async def auth(monkeypatch: pytest.MonkeyPatch, fresh_url: str) -> BetterAuth:
    return await jwt_auth(monkeypatch, fresh_url)


@pytest.fixture
async def new_client(auth: BetterAuth) -> AsyncIterator[Client]:
    async with browsers(auth_app(auth)) as make:
        yield make


async def stored_keys(auth: BetterAuth) -> list[Jwk]:
    async with auth.database.session() as db:
        return list((await db.exec(select(Jwk))).all())


async def test_the_first_jwks_request_makes_a_key_that_is_kept_sealed(auth: BetterAuth, new_client: Client) -> None:
    """T9: one EdDSA key is made on first use; `/jwks` lists its public half only; the row keeps the private half as
    a JSON string of better-auth's envelope, which opens with the secret to that key."""
    assert await stored_keys(auth) == []
    first = await new_client().get("/jwks")
    assert first.status_code == 200, first.text
    assert first.headers.get_list("set-cookie") == []
    [key] = first.json()["keys"]
    assert list(key) == ["alg", "crv", "x", "kty", "kid"]
    assert (key["alg"], key["crv"], key["kty"]) == ("EdDSA", "Ed25519", "OKP")
    assert (await new_client().get("/jwks")).json() == first.json()
    [row] = await stored_keys(auth)
    assert (row.id, row.alg, row.crv, row.expires_at) == (key["kid"], "EdDSA", "Ed25519", None)
    assert json.loads(row.public_key) == {"crv": "Ed25519", "x": key["x"], "kty": "OKP"}
    sealed = json.loads(row.private_key)
    assert isinstance(sealed, str)
    assert '"d"' not in row.private_key
    private = json.loads(open_sealed(auth.keyring, sealed))
    assert (private["kty"], private["crv"], private["x"]) == ("OKP", "Ed25519", key["x"])
    assert private["d"]


async def test_token_carries_the_user_and_better_auths_claims(new_client: Client) -> None:
    client = new_client()
    user = await sign_up(client)
    answer = await client.get("/token")
    assert answer.status_code == 200, answer.text
    assert list(answer.json()) == ["token"]
    token = answer.json()["token"]
    assert header_of(token) == {"alg": "EdDSA", "kid": header_of(token)["kid"]}
    claims = verified_claims(token, (await client.get("/jwks")).json())
    assert sorted(claims) == sorted(CLAIMS)
    session_user = (await client.get("/get-session")).json()["user"]
    assert {name: claims[name] for name in session_user} == session_user
    assert claims["sub"] == user["id"]
    assert (claims["iss"], claims["aud"], claims["exp"] - claims["iat"]) == (BASE_URL, BASE_URL, 900)


async def test_token_needs_a_session(new_client: Client) -> None:
    client = new_client()
    answer = await client.get("/token")
    assert (answer.status_code, answer.json()["code"]) == (401, "UNAUTHORIZED")
    await sign_up(client)
    assert (await client.post("/sign-out")).status_code == 200
    assert (await client.get("/token")).status_code == 401


async def test_get_session_sends_a_jwt_header_only_with_a_session(new_client: Client) -> None:
    client = new_client()
    anonymous = await client.get("/get-session")
    assert anonymous.json() is None
    assert "set-auth-jwt" not in anonymous.headers
    user = await sign_up(client)
    answer = await client.get("/get-session")
    token = answer.headers["set-auth-jwt"]
    assert "set-auth-jwt" in [h.strip() for h in answer.headers["access-control-expose-headers"].split(",")]
    assert verified_claims(token, (await client.get("/jwks")).json())["sub"] == user["id"]
    assert "set-auth-jwt" not in (await client.get("/token")).headers


async def test_the_header_can_be_switched_off(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    auth = await jwt_auth(monkeypatch, f"sqlite+aiosqlite:///{tmp_path}/off.db", {"disable_setting_jwt_header": "true"})
    async with browsers(auth_app(auth)) as make:
        client = make()
        await sign_up(client)
        assert "set-auth-jwt" not in (await client.get("/get-session")).headers
        assert (await client.get("/token")).status_code == 200


@pytest.mark.parametrize(
    ("algorithm", "members"),
    [
        ("ES256", ["alg", "crv", "kty", "x", "y", "kid"]),
        ("RS256", ["alg", "kty", "n", "e", "kid"]),
        ("PS256", ["alg", "kty", "n", "e", "kid"]),
    ],
)
async def test_other_algorithms(
    monkeypatch: pytest.MonkeyPatch, fresh_url: str, algorithm: str, members: list[str]
) -> None:
    """T9: the configured algorithm's key signs, and `/jwks` publishes it as better-auth does."""
    auth = await jwt_auth(
        monkeypatch, fresh_url, {"algorithm": algorithm, "issuer": "https://id.example", "audience": "api"}
    )
    async with browsers(auth_app(auth)) as make:
        client = make()
        await sign_up(client)
        token = (await client.get("/token")).json()["token"]
        jwks = (await client.get("/jwks")).json()
    [key] = jwks["keys"]
    assert list(key) == members
    assert key["alg"] == algorithm
    assert header_of(token)["alg"] == algorithm
    claims = verified_claims(token, jwks)
    assert (claims["iss"], claims["aud"]) == ("https://id.example", "api")


async def test_keys_rotate_and_stay_published_for_the_grace_period(
    monkeypatch: pytest.MonkeyPatch, fresh_url: str, clock: ManualClock
) -> None:
    """T9: after `rotation_interval` a new key signs; the old one is published until `grace_period` has passed."""
    options = {"rotation_interval": "3600", "grace_period": "600"}
    auth = await jwt_auth(monkeypatch, fresh_url, options, clock=clock)
    async with browsers(auth_app(auth)) as make:
        client = make()
        await sign_up(client)
        old = header_of((await client.get("/token")).json()["token"])["kid"]
        clock.advance(timedelta(seconds=3601))
        token = (await client.get("/token")).json()["token"]
        new = header_of(token)["kid"]
        assert new != old
        assert {key["kid"] for key in (await client.get("/jwks")).json()["keys"]} == {old, new}
        clock.advance(timedelta(seconds=600))
        assert [key["kid"] for key in (await client.get("/jwks")).json()["keys"]] == [new]
    assert len(await stored_keys(auth)) == 2


async def test_another_algorithm_makes_a_new_key_and_the_old_one_stays_published(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """README deliberate differences: after `algorithm` changes, the next token is signed with a new key of that
    algorithm (better-auth keeps the old key); tokens of the old key still verify."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'switch.db'}"
    async with browsers(auth_app(await jwt_auth(monkeypatch, url))) as make:
        client = make()
        await sign_up(client)
        old = (await client.get("/token")).json()["token"]
    async with browsers(auth_app(await jwt_auth(monkeypatch, url, {"algorithm": "ES256"}))) as make:
        client = make()
        await sign_up(client, "bob@example.com")
        new = (await client.get("/token")).json()["token"]
        jwks = (await client.get("/jwks")).json()
    assert (header_of(old)["alg"], header_of(new)["alg"]) == ("EdDSA", "ES256")
    assert sorted(key["alg"] for key in jwks["keys"]) == ["ES256", "EdDSA"]
    assert verified_claims(old, jwks)["email"] == "ann@example.com"
    assert verified_claims(new, jwks)["email"] == "bob@example.com"


async def test_a_key_sealed_before_the_secret_rotated_keeps_signing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """T9, T7: the key sealed with the old secret opens while that secret stays listed in `BETTER_AUTH_SECRETS`."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'rotate.db'}"
    async with browsers(auth_app(await jwt_auth(monkeypatch, url))) as make:
        [key] = (await make().get("/jwks")).json()["keys"]
    monkeypatch.setenv("BETTER_AUTH_SECRETS", f"2:new-secret-9876543210-zyxwvutsrqponmlkjihgfedcba,1:{TEST_SECRET}")
    async with browsers(auth_app(await jwt_auth(monkeypatch, url))) as make:
        client = make()
        await sign_up(client)
        token = (await client.get("/token")).json()["token"]
        assert header_of(token)["kid"] == key["kid"]
        assert verified_claims(token, (await client.get("/jwks")).json())["email"] == "ann@example.com"


async def test_a_key_no_secret_opens_is_refused_loudly_not_replaced(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """T9: with a secret that does not open the stored key, `/token` fails (500, the log says why) and makes no key
    of its own behind the other apps' backs."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    async with browsers(auth_app(await jwt_auth(monkeypatch, url))) as make:
        assert (await make().get("/jwks")).status_code == 200
    other = {"BETTER_AUTH_PLUGINS__JWT__ENABLED": "true", "BETTER_AUTH_SECRET": "another-secret-0123456789-abcdefghijk"}
    auth = env_auth(monkeypatch, url, other)
    async with browsers(auth_app(auth)) as make:
        client = make()
        await sign_up(client)
        assert (await client.get("/token")).status_code == 500
    assert "does not open with the configured secrets" in caplog.text
    assert len(await stored_keys(auth)) == 1
