"""better-auth's jwt plugin: `GET /jwks`, `GET /token` and `set-auth-jwt` (docs/plugins/jwt.md), and `JWTUser`,
which verifies those tokens in another FastAPI service."""

from .keys import ALGORITHMS, Algorithm
from .options import JwtOptions
from .plugin import Jwt
from .remote import InvalidTokenError, JWTClaims, JWTUser
from .remote_keys import JWKSUnavailableError, RemoteJWKS

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "InvalidTokenError",
    "JWKSUnavailableError",
    "JWTClaims",
    "JWTUser",
    "Jwt",
    "JwtOptions",
    "RemoteJWKS",
]
