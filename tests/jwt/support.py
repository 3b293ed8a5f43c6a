"""What the jwt plugin's tests share: an app with the plugin on from environment settings alone, and checking a
token against a JWKS with joserfc directly (independently of the plugin's own verifier)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx2 as httpx
import pytest
from joserfc import jws
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from joserfc.util import urlsafe_b64decode

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.jwt_tokens.keys import eddsa_allowed

from ..conftest import PASSWORD
from ..env_app import env_auth


async def jwt_auth(
    monkeypatch: pytest.MonkeyPatch, url: str, options: Mapping[str, str] | None = None, **arguments: Any
) -> BetterAuth:
    environment = {"BETTER_AUTH_PLUGINS__JWT__ENABLED": "true"}
    environment.update({f"BETTER_AUTH_PLUGINS__JWT__{name.upper()}": value for name, value in (options or {}).items()})
    auth = env_auth(monkeypatch, url, environment, **arguments)
    await auth.migrate()
    return auth


async def sign_up(client: httpx.AsyncClient, email: str = "ann@example.com") -> dict[str, Any]:
    answer = await client.post("/sign-up/email", json={"name": "Ann", "email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    user: dict[str, Any] = answer.json()["user"]
    return user


def header_of(token: str) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(urlsafe_b64decode(token.split(".")[0].encode()))
    return header


def verified_claims(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """The claims of `token` once its signature checks out with the JWKS key of its `kid` and that key's `alg`."""
    header = header_of(token)
    [member] = [key for key in jwks["keys"] if key["kid"] == header["kid"]]
    assert header["alg"] == member["alg"]
    key = KeySet.import_key_set({"keys": [member]}).get_by_kid(header["kid"])
    registry = JWSRegistry(algorithms=[member["alg"]])
    with eddsa_allowed():
        claims: dict[str, Any] = json.loads(jws.deserialize_compact(token, key, registry=registry).payload)
    return claims
