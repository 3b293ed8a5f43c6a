"""JWTs across a real Node better-auth app (its jwt plugin) and ours on one PostgreSQL database, migrated by either
side first: the signing key one side makes in the shared `jwks` table (its private half sealed in better-auth's
envelope) is the key the other side signs with; a token either side mints verifies with `JWTUser` against either
side's `/jwks`, and with the same claims (docs/security.md T9)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from joserfc.util import urlsafe_b64decode

from fastapi_betterauth.jwt_tokens import JWTUser

from .conftest import HereFactory, Interop, NodeFactory
from .support import JWT_ISSUER, Side, execute, new_email

pytestmark = pytest.mark.postgres

MAKERS = ("node-makes-the-key", "here-makes-the-key")
USER_CLAIMS = ("id", "sub", "email", "name", "emailVerified", "image", "createdAt", "updatedAt")


def header_of(token: str) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(urlsafe_b64decode(token.split(".")[0].encode()))
    return header


async def token_of(side: Side, cookies: dict[str, str]) -> str:
    answer = await side.call("GET", "/api/auth/token", cookies=cookies)
    assert answer.status_code == 200, f"{side.name} /token: {answer.text}"
    token: str = answer.json()["token"]
    return token


def verifier_of(side: Side) -> JWTUser:
    """`JWTUser` on `side`'s `/jwks`, fetched over HTTP (ours through its ASGI transport, Node's over loopback)."""
    client = side.client if side.name.startswith("here") else None
    return JWTUser(f"{side.origin}/api/auth/jwks", issuer=JWT_ISSUER, audience=JWT_ISSUER, http_client=client)


@pytest.mark.parametrize("maker", MAKERS)
async def test_one_signing_key_serves_both_sides_and_tokens_verify_everywhere(
    interop: Interop, order: str, maker: str, node: NodeFactory, here: HereFactory
) -> None:
    await execute(interop.databases[order], "DELETE FROM jwks")
    theirs, ours = node("plain", order), await here("plain", order)
    first, second = (theirs, ours) if maker == "node-makes-the-key" else (ours, theirs)
    made = await first.call("GET", "/api/auth/jwks")
    assert made.status_code == 200, made.text
    [key] = made.json()["keys"]
    assert (key["alg"], key["crv"], key["kty"]) == ("EdDSA", "Ed25519", "OKP")
    assert (await second.call("GET", "/api/auth/jwks")).json() == made.json()

    _, cookies = await theirs.sign_up(new_email())
    node_token, our_token = await token_of(theirs, cookies), await token_of(ours, cookies)
    # the second side opened the private key the first sealed: both sign with it, and make no key of their own
    assert header_of(node_token) == header_of(our_token) == {"alg": "EdDSA", "kid": key["kid"]}
    assert len(await execute(interop.databases[order], "SELECT id FROM jwks")) == 1

    verified = {}
    for name, token in (("node", node_token), ("here", our_token)):
        for side in (theirs, ours):
            jwt_user = verifier_of(side)
            claims = (await jwt_user.verify(token)).claims
            verified[name] = {claim: claims[claim] for claim in USER_CLAIMS}
            assert (claims["iss"], claims["aud"], claims["exp"] - claims["iat"]) == (JWT_ISSUER, JWT_ISSUER, 900)
    assert verified["node"] == verified["here"]


async def test_a_separate_service_protected_by_jwt_user_accepts_a_node_token(
    interop: Interop, node: NodeFactory
) -> None:
    """The README's recipe, end to end over loopback HTTP: Node's JWKS, a bearer token of Node's `/token`."""
    theirs = node("plain", "node-first")
    user, cookies = await theirs.sign_up(new_email())
    token = await token_of(theirs, cookies)
    jwt_user = JWTUser(f"{theirs.origin}/api/auth/jwks", issuer=JWT_ISSUER, audience=JWT_ISSUER)
    claims = await jwt_user.verify(token)
    assert (claims.id, claims.email) == (user["user"]["id"], user["user"]["email"])
    with pytest.raises(ValueError, match="audience"):
        await JWTUser(f"{theirs.origin}/api/auth/jwks", issuer=JWT_ISSUER, audience="other").verify(token)
