"""Answers of `/jwks` and `/token`."""

from __future__ import annotations

from pydantic import ConfigDict

from ..schemas import CamelModel


class PublicJwk(CamelModel):
    """One public key: `kid`, `alg`, `kty` and the members of its type (`crv`, `x`, `y`, `n`, `e`)."""

    model_config = ConfigDict(extra="allow")

    kid: str
    alg: str
    kty: str
    crv: str | None = None
    x: str | None = None
    y: str | None = None
    n: str | None = None
    e: str | None = None


class JwksResponse(CamelModel):
    """`GET /jwks`: the JSON Web Key Set that verifies the tokens."""

    keys: list[PublicJwk]


class TokenResponse(CamelModel):
    """`GET /token`: a JWT of the signed-in user."""

    token: str
