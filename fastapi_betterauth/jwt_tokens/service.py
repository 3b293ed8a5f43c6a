"""Signing the signed-in user's JWT and publishing the JWKS (better-auth's jwt plugin). No HTTP here."""

from __future__ import annotations

import json
import math
from typing import Any

from joserfc import jws
from joserfc.jws import JWSRegistry

from ..clock import Clock
from . import keys
from .options import JwtOptions
from .store import KeyStore

_REGISTRY = JWSRegistry(algorithms=list(keys.ALGORITHMS))


class JwtService:
    """Tokens of `{iat, <the user as get-session shows it>, sub, exp, iss, aud}` signed with the current key, header
    `{alg, kid}` only, as better-auth's `getJwtToken` makes them (docs/security.md T9)."""

    def __init__(self, options: JwtOptions, store: KeyStore, clock: Clock, base_url: str) -> None:
        self._options = options
        self._store = store
        self._clock = clock
        self.issuer = options.issuer or base_url
        self.audience = options.audience or base_url

    async def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public keys, as better-auth's `/jwks` lists them: `{alg, crv, ...public JWK, kid}`."""
        published = []
        for row in await self._store.published():
            head: dict[str, Any] = {"alg": self._store.algorithm_of(row), **({"crv": row.crv} if row.crv else {})}
            published.append({**head, **json.loads(row.public_key), "kid": row.id})
        return {"keys": published}

    async def token_for(self, user: dict[str, Any]) -> str:
        """The JWT of a user (`user` as get-session answers it)."""
        iat = math.floor(self._clock.now().timestamp())
        claims = {
            "iat": iat,
            **user,
            "sub": user["id"],
            "exp": iat + self._options.expiration_time,
            "iss": self.issuer,
            "aud": self.audience,
        }
        return await self.sign(claims)

    async def sign(self, claims: dict[str, Any]) -> str:
        """`claims` signed with the current signing key (made on first use)."""
        row = await self._store.signing_key()
        alg = self._store.algorithm_of(row)
        header = {"alg": alg, "kid": row.id}
        payload = keys.json_text(claims).encode()
        with keys.eddsa_allowed():
            return jws.serialize_compact(header, payload, self._store.private_key(row), registry=_REGISTRY)
