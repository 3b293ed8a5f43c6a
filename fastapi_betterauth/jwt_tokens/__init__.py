"""better-auth's jwt plugin: `GET /jwks`, `GET /token` and `set-auth-jwt` (README "JWT and JWKS"), and `JWTUser`,
which verifies those tokens in another FastAPI service."""

from .keys import ALGORITHMS, Algorithm
from .options import JwtOptions
from .plugin import Jwt

__all__ = ["ALGORITHMS", "Algorithm", "Jwt", "JwtOptions"]
