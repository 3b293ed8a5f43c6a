"""`JWTUser`: protect a separate FastAPI service with the JWTs of the jwt plugin (ours, or a Node better-auth app's),
verified against the auth server's JWKS. No database, no shared secret (docs/plugins/jwt.md, docs/security.md T9).

```python
jwt_user = JWTUser("https://auth.example.com/api/auth/jwks", issuer="https://auth.example.com",
                   audience="https://auth.example.com")

@app.get("/orders")
async def orders(user: Annotated[JWTClaims, Depends(jwt_user)]) -> ...:
    ...  # user.id, user.email, user.claims
```
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

import httpx2 as httpx
from fastapi import HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jws import JWSRegistry
from joserfc.util import urlsafe_b64decode

from ..clock import Clock, SystemClock
from ..crypto.jose import MAX_TOKEN_LENGTH, is_number, strict_json
from . import keys
from .remote_keys import JWKSUnavailableError, RemoteJWKS

_HEADER_KEYS = frozenset({"alg", "kid", "typ"})
_BEARER = HTTPBearer(
    auto_error=False, scheme_name="JWT", description="A JWT of the auth server's jwt plugin (`/token`, `set-auth-jwt`)"
)


@dataclass(frozen=True)
class JWTClaims:
    """A verified token's claims. `id` is `sub`; the user's fields are the claims better-auth puts in it."""

    sub: str
    claims: Mapping[str, Any] = field(repr=False)

    @property
    def id(self) -> str:
        return self.sub

    @property
    def email(self) -> str | None:
        value = self.claims.get("email")
        return value if isinstance(value, str) else None

    @property
    def name(self) -> str | None:
        value = self.claims.get("name")
        return value if isinstance(value, str) else None


class InvalidTokenError(ValueError):
    """The token is not one this verifier accepts (any reason: they are not told apart to the caller)."""


class JWTUser:
    """A FastAPI dependency: the verified claims of the request's `Authorization: Bearer <jwt>`, else 401.

    `issuer` and `audience` must be given: the values the auth server puts in `iss` and `aud` (its base URL unless
    configured); pass None only to skip that check on purpose. `audience` may be a list: any of them is accepted.
    """

    def __init__(
        self,
        jwks_url: str,
        *,
        issuer: str | None,
        audience: str | Sequence[str] | None,
        algorithms: Sequence[str] = keys.ALGORITHMS,
        leeway: timedelta = timedelta(0),
        cache_max_age: timedelta = timedelta(minutes=10),
        refetch_cooldown: timedelta = timedelta(seconds=30),
        auto_error: bool = True,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        unknown = [alg for alg in algorithms if alg not in keys.ALGORITHMS]
        if unknown or not algorithms:
            raise ValueError(f"algorithms must be some of {', '.join(keys.ALGORITHMS)}, got {list(algorithms)}")
        if audience is not None and not isinstance(audience, str) and not audience:
            raise ValueError("audience=[] would accept no token: give the audiences, or None to skip the check")
        self.issuer = issuer
        self.audiences = (audience,) if isinstance(audience, str) else None if audience is None else tuple(audience)
        self.algorithms = tuple(algorithms)
        self.leeway = leeway
        self.auto_error = auto_error
        self._clock = clock or SystemClock()
        self.jwks = RemoteJWKS(
            jwks_url, max_age=cache_max_age, cooldown=refetch_cooldown, http_client=http_client, clock=self._clock
        )

    async def __call__(
        self, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)]
    ) -> JWTClaims | None:
        if credentials is None:
            self._refuse("no bearer token")
            return None
        try:
            return await self.verify(credentials.credentials)
        except InvalidTokenError:
            self._refuse("invalid token")
            return None
        except JWKSUnavailableError:
            raise HTTPException(
                503, {"code": "JWKS_UNAVAILABLE", "message": "The keys that verify tokens cannot be fetched"}
            ) from None

    def _refuse(self, reason: str) -> None:
        """401 with `auto_error`; else nothing (the dependency then answers None)."""
        if not self.auto_error:
            return
        error = 'Bearer error="invalid_token"' if reason == "invalid token" else "Bearer"
        raise HTTPException(
            401, {"code": "UNAUTHORIZED", "message": "Unauthorized"}, headers={"WWW-Authenticate": error}
        )

    async def verify(self, token: str) -> JWTClaims:
        """The claims of `token`, or `InvalidTokenError`; `JWKSUnavailableError` when no key set can be fetched."""
        header = _header(token)
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self.algorithms or not isinstance(kid, str):
            raise InvalidTokenError("algorithm not allowed, or no kid")
        member = await self.jwks.key(kid)
        if member is None or member.get("alg", alg) != alg:
            raise InvalidTokenError("no published key of that kid for that algorithm")
        try:
            key = keys.import_jwk(dict(member), alg)
            with keys.eddsa_allowed():
                payload = jws.deserialize_compact(token, key, registry=JWSRegistry(algorithms=[alg])).payload
        except (JoseError, ValueError):
            raise InvalidTokenError("bad signature") from None
        return self._checked(payload)

    def _checked(self, payload: bytes) -> JWTClaims:
        try:
            claims = strict_json(payload)
        except ValueError:
            raise InvalidTokenError("claims are not JSON") from None
        if not isinstance(claims, dict):
            raise InvalidTokenError("claims are not an object")
        now = math.floor(self._clock.now().timestamp())
        leeway = self.leeway.total_seconds()
        exp, nbf, sub = claims.get("exp"), claims.get("nbf"), claims.get("sub")
        if not is_number(exp) or exp <= now - leeway:
            raise InvalidTokenError("expired, or no exp")
        if nbf is not None and (not is_number(nbf) or nbf > now + leeway):
            raise InvalidTokenError("not yet valid")
        if self.issuer is not None and claims.get("iss") != self.issuer:
            raise InvalidTokenError("wrong issuer")
        if self.audiences is not None:
            aud = claims.get("aud")
            given = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
            if not any(audience in given for audience in self.audiences):
                raise InvalidTokenError("wrong audience")
        if not isinstance(sub, str) or not sub:
            raise InvalidTokenError("no subject")
        return JWTClaims(sub=sub, claims=claims)


def _header(token: str) -> dict[str, Any]:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii() or token.count(".") != 2:
        raise InvalidTokenError("not a compact JWS")
    try:
        header = strict_json(urlsafe_b64decode(token.split(".")[0].encode("ascii")))
    except (ValueError, TypeError):
        raise InvalidTokenError("bad header") from None
    if not isinstance(header, dict) or not header.keys() <= _HEADER_KEYS:
        raise InvalidTokenError("header not allowed")  # no crit, zip, jku, jwk, b64
    return header
