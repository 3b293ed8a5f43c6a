"""`JWTUser`, the provider a separate FastAPI service uses, against the JWKS our app really serves (an ASGI transport,
no mock of fetching or verifying): tokens from `/token` and `set-auth-jwt` are accepted; forged, tampered, expired,
wrongly addressed or oddly signed ones are refused alike; a rotated key is found by refetching, and unknown `kid`s
refetch at most once per cooldown (docs/security.md T9).

No `from __future__ import annotations`: the routes below are made inside functions, and FastAPI must resolve
`Depends(jwt_user)` at run time."""

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx2 as httpx
import pytest
from fastapi import Depends, FastAPI
from joserfc import jws
from joserfc.jwk import OctKey, OKPKey
from joserfc.util import urlsafe_b64decode, urlsafe_b64encode

from fastapi_betterauth.clock import ManualClock
from fastapi_betterauth.jwt_tokens import JWTClaims, JWTUser
from fastapi_betterauth.jwt_tokens.keys import eddsa_allowed

from ..conftest import BASE_URL
from ..env_app import Client, auth_app, browsers
from .support import header_of, jwt_auth, sign_up

JWKS_URL = BASE_URL + "/api/auth/jwks"
Service = Callable[..., Any]


class Fetches:
    """Counts the requests the verifier makes to the auth server."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, request: httpx.Request) -> None:
        self.count += 1


@pytest.fixture
async def served(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[tuple[Client, httpx.AsyncClient, Fetches]]:
    """Our auth app (jwt plugin on, 1-hour key rotation, 2-hour tokens), a browser on it, and the HTTP client a
    separate service fetches its JWKS with."""
    options = {"rotation_interval": "3600", "expiration_time": "7200"}
    auth = await jwt_auth(monkeypatch, f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}", options, clock=clock)
    async with browsers(auth_app(auth)) as make:
        fetcher = make()
        fetches = Fetches()
        fetcher.event_hooks["request"].append(fetches)
        yield make, fetcher, fetches


def orders_service(jwt_user: JWTUser) -> FastAPI:
    """A separate service: no database, no secret; only the auth server's JWKS URL."""
    app = FastAPI()

    @app.get("/orders")
    async def orders(user: Annotated[JWTClaims | None, Depends(jwt_user)]) -> dict[str, Any]:
        return {"user": None if user is None else {"id": user.id, "email": user.email, "name": user.name}}

    return app


async def call(service: FastAPI, token: str | None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token is not None else {}
    transport = httpx.ASGITransport(app=service)
    async with httpx.AsyncClient(transport=transport, base_url="http://orders") as client:
        return await client.get("/orders", headers=headers)


def verifier(fetcher: httpx.AsyncClient, clock: ManualClock, **overrides: Any) -> JWTUser:
    arguments: dict[str, Any] = {"issuer": BASE_URL, "audience": BASE_URL, "http_client": fetcher, "clock": clock}
    return JWTUser(JWKS_URL, **{**arguments, **overrides})


async def signed_in(make: Client) -> tuple[httpx.AsyncClient, dict[str, Any]]:
    client = make()
    return client, await sign_up(client)


def forged(header: dict[str, Any], claims: dict[str, Any], signature: str = "c2ln") -> str:
    def part(value: dict[str, Any]) -> str:
        return urlsafe_b64encode(json.dumps(value).encode()).decode()

    return f"{part(header)}.{part(claims)}.{signature}"


async def test_a_separate_service_accepts_the_apps_tokens(
    served: tuple[Client, httpx.AsyncClient, Fetches], clock: ManualClock
) -> None:
    make, fetcher, _ = served
    client, user = await signed_in(make)
    service = orders_service(verifier(fetcher, clock))
    for token in [
        (await client.get("/token")).json()["token"],
        (await client.get("/get-session")).headers["set-auth-jwt"],
    ]:
        answer = await call(service, token)
        assert answer.status_code == 200, answer.text
        assert answer.json()["user"] == {"id": user["id"], "email": user["email"], "name": "Ann"}


async def test_refusals_are_all_alike(served: tuple[Client, httpx.AsyncClient, Fetches], clock: ManualClock) -> None:
    """T9 (T2, T8): no token, garbage, a changed claim, another key, `alg` none or HS256 keyed with the public key,
    another issuer or audience, an expired token: 401 `UNAUTHORIZED` each."""
    make, fetcher, _ = served
    client, _user = await signed_in(make)
    token = (await client.get("/token")).json()["token"]
    header = header_of(token)
    public_x = (await client.get("/jwks")).json()["keys"][0]["x"]
    head, body, signature = token.split(".")
    claims = json.loads(urlsafe_b64decode(body.encode()))
    other_key = OKPKey.generate_key("Ed25519")
    with eddsa_allowed():
        by_other_key = jws.serialize_compact(header, json.dumps(claims).encode(), other_key, algorithms=["EdDSA"])
    hs256 = jws.serialize_compact(
        {"alg": "HS256", "kid": header["kid"]}, json.dumps(claims).encode(), OctKey.import_key(public_x.encode())
    )
    service = orders_service(verifier(fetcher, clock))
    bad = [
        None,
        "not-a-jwt",
        f"{head}.{urlsafe_b64encode(json.dumps({**claims, 'sub': 'someone-else'}).encode()).decode()}.{signature}",
        by_other_key,
        forged({"alg": "none", "kid": header["kid"]}, claims, ""),
        hs256,
        forged({**header, "crit": ["exp"]}, claims, signature),
    ]
    for candidate in bad:
        answer = await call(service, candidate)
        assert (answer.status_code, answer.json()["detail"]["code"]) == (401, "UNAUTHORIZED"), candidate
        assert answer.headers["www-authenticate"].startswith("Bearer")
    for wrong in [verifier(fetcher, clock, issuer="https://other.example"), verifier(fetcher, clock, audience="api")]:
        assert (await call(orders_service(wrong), token)).status_code == 401
    assert (await call(orders_service(verifier(fetcher, clock, audience=["api", BASE_URL])), token)).status_code == 200
    clock.advance(timedelta(seconds=7201))
    assert (await call(service, token)).status_code == 401


async def test_without_auto_error_a_missing_or_bad_token_is_none(
    served: tuple[Client, httpx.AsyncClient, Fetches], clock: ManualClock
) -> None:
    _, fetcher, _ = served
    service = orders_service(verifier(fetcher, clock, auto_error=False))
    for token in [None, "not-a-jwt"]:
        answer = await call(service, token)
        assert (answer.status_code, answer.json()) == (200, {"user": None})


async def test_rotated_keys_are_found_and_unknown_kids_refetch_at_most_once_per_cooldown(
    served: tuple[Client, httpx.AsyncClient, Fetches], clock: ManualClock
) -> None:
    """T9: after the auth server rotates its key, the new `kid` makes one refetch and tokens of the old key still
    verify (grace period); a flood of unknown `kid`s makes no more than one fetch per cooldown."""
    make, fetcher, fetches = served
    client, _user = await signed_in(make)
    service = orders_service(verifier(fetcher, clock))
    old = (await client.get("/token")).json()["token"]
    before = fetches.count
    assert (await call(service, old)).status_code == 200
    assert fetches.count == before + 1  # first use fetches the JWKS
    assert (await call(service, old)).status_code == 200
    assert fetches.count == before + 1  # then it is cached

    claims = {"sub": "x", "exp": 4_000_000_000, "iss": BASE_URL, "aud": BASE_URL}
    for number in range(5):
        assert (await call(service, forged({"alg": "EdDSA", "kid": f"made-up-{number}"}, claims))).status_code == 401
    assert fetches.count == before + 1  # within the cooldown: no refetch at all

    clock.advance(timedelta(seconds=3601))  # the auth server's key expires: the next token has a new kid
    new = (await client.get("/token")).json()["token"]
    assert header_of(new)["kid"] != header_of(old)["kid"]
    fetched = fetches.count
    assert (await call(service, new)).status_code == 200
    assert fetches.count == fetched + 1
    assert (await call(service, old)).status_code == 200  # still published, still valid


async def test_an_unreachable_jwks_answers_503(
    served: tuple[Client, httpx.AsyncClient, Fetches], clock: ManualClock
) -> None:
    make, fetcher, fetches = served
    client, _user = await signed_in(make)
    token = (await client.get("/token")).json()["token"]
    jwt_user = JWTUser(
        BASE_URL + "/api/auth/no-such-jwks", issuer=BASE_URL, audience=BASE_URL, http_client=fetcher, clock=clock
    )
    service = orders_service(jwt_user)
    before = fetches.count
    for _ in range(3):
        answer = await call(service, token)
        assert (answer.status_code, answer.json()["detail"]["code"]) == (503, "JWKS_UNAVAILABLE")
    assert fetches.count == before + 1  # a server that is down is asked once per cooldown, not once per request


def test_only_asymmetric_algorithms_and_some_audience_can_be_given() -> None:
    with pytest.raises(ValueError, match="algorithms"):
        JWTUser(JWKS_URL, issuer=None, audience=None, algorithms=["HS256"])
    with pytest.raises(ValueError, match="audience"):
        JWTUser(JWKS_URL, issuer=None, audience=[])
