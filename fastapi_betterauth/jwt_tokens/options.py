"""The jwt plugin's options (better-auth's `jwt({...})`), under `AuthSettings.plugins.jwt`."""

from __future__ import annotations

from pydantic import Field

from ..plugins.base import PluginOptions
from .keys import Algorithm


class JwtOptions(PluginOptions):
    """JWTs of the signed-in user for other services, and the JWKS that verifies them (better-auth's jwt plugin)."""

    algorithm: Algorithm = "EdDSA"
    """The algorithm of new signing keys (better-auth's `jwks.keyPairConfig.alg`): `EdDSA` (Ed25519, better-auth's
    default), `ES256`, `RS256` or `PS256`. Changing it makes a key of the new algorithm on the next signature; the
    older keys stay published (better-auth keeps signing with its first key instead)."""
    issuer: str | None = None
    """The `iss` claim (default: the base URL, `BETTER_AUTH_URL`, as better-auth uses its `baseURL`)."""
    audience: str | None = None
    """The `aud` claim (default: the base URL)."""
    expiration_time: int = Field(default=900, ge=1)
    """Seconds a token is valid (`exp - iat`; better-auth's `jwt.expirationTime`, default `15m`)."""
    rotation_interval: int | None = Field(default=None, ge=1)
    """Seconds a signing key signs before a new one replaces it on the next signature (`jwks.rotationInterval`;
    default: keys never expire)."""
    grace_period: int = Field(default=2_592_000, ge=0)
    """Seconds a rotated-out key is still published in `/jwks`, so tokens it signed keep verifying
    (`jwks.gracePeriod`, default 30 days)."""
    disable_setting_jwt_header: bool = False
    """Do not send the `set-auth-jwt` header on `get-session` (better-auth's `disableSettingJwtHeader`)."""
