"""Every JOSE operation of the toolkit, as thin joserfc wrappers with better-auth 1.7.25's parameters.

better-auth (`ba/crypto/jwt.ts`) uses two token kinds for cookies:

- **JWS HS256** keyed with the raw UTF-8 bytes of the secret (`signJWT` / `verifyJWT`);
- **JWE `dir` + `A256CBC-HS512`** keyed with HKDF-SHA256(secret, salt, "BetterAuth.js Generated Encryption Key",
  64 bytes), header `kid` = RFC 7638 thumbprint of that key (`symmetricEncodeJWT` / `symmetricDecodeJWT`).
  Decryption allows `enc` `A256GCM` too, as better-auth does; but better-auth passes the same 64-byte key, which
  `A256GCM` cannot use (jose: "Invalid Content Encryption Key length"), so with derived keys a GCM token never
  decrypts, there or here.

Hardening over joserfc's defaults (docs/security.md T1-T3, T8):

- algorithm allow-lists are explicit registries, never joserfc's defaults;
- a token longer than `MAX_TOKEN_LENGTH` is refused before anything is decoded, and so is any header with `zip`
  (compression of secrets, decompression bombs) or `crit`;
- `exp` is required and checked here (joserfc's JWT decoding does not), with better-auth's 15 s clock tolerance,
  against a `now` passed in: no wall clock;
- every failure gives the same `None`; no library error escapes.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeGuard

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey
from joserfc.jws import JWSRegistry
from joserfc.util import urlsafe_b64decode, urlsafe_b64encode

__all__ = [
    "CLOCK_TOLERANCE",
    "ENCRYPTION_KEY_INFO",
    "MAX_TOKEN_LENGTH",
    "Verified",
    "decode_jwe",
    "decode_jws",
    "derive_key",
    "encode_jwe",
    "encode_jws",
    "is_number",
    "key_thumbprint",
    "strict_json",
    "verify_jws",
]

#: The longest token (one cookie value after its chunks are joined) that is even looked at. docs/security.md T3 asks
#: that a token over 8 KB be refused before decryption; a session cache is ~1.1-1.5 KB (a 1.3 KB JWE measured with
#: better-auth 1.7.25), so this leaves room for big user rows and keeps the cost of a hostile cookie bounded.
MAX_TOKEN_LENGTH = 8192
#: better-auth's `jwtDecrypt` option `clockTolerance: 15` (seconds).
CLOCK_TOLERANCE = timedelta(seconds=15)
#: The HKDF `info` of better-auth's JWE keys.
ENCRYPTION_KEY_INFO = "BetterAuth.js Generated Encryption Key"

_ENCRYPTION_KEY_LENGTH = 64  # A256CBC-HS512 takes a 512-bit key
_JWE_ALG = "dir"
_JWE_ENC = "A256CBC-HS512"
_JWE_ENCS = frozenset({"A256CBC-HS512", "A256GCM"})
_JWS_ALG = "HS256"
_JWE_REGISTRY = JWERegistry(algorithms=[_JWE_ALG, *sorted(_JWE_ENCS)])
_JWS_REGISTRY = JWSRegistry(algorithms=[_JWS_ALG])
_JWE_HEADER_KEYS = frozenset({"alg", "enc", "kid", "typ", "cty"})
_JWS_HEADER_KEYS = frozenset({"alg", "kid", "typ"})


@lru_cache(maxsize=64)
def derive_key(secret: str, salt: str, info: str, length: int) -> bytes:
    """HKDF-SHA256 over the UTF-8 bytes of `secret`, `salt` and `info` (better-auth's `deriveEncryptionSecret`)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=salt.encode(), info=info.encode())
    return hkdf.derive(secret.encode())


@lru_cache(maxsize=64)
def key_thumbprint(key: bytes) -> str:
    """RFC 7638 SHA-256 thumbprint of the JWK `{"kty": "oct", "k": base64url(key)}`: better-auth's JWE `kid`."""
    k = urlsafe_b64encode(key).decode("ascii")
    canonical = json.dumps({"k": k, "kty": "oct"}, separators=(",", ":"))
    return urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).decode("ascii")


@lru_cache(maxsize=64)
def _oct_key(raw: bytes) -> OctKey:
    # Built directly from the bytes, as `OctKey.generate_key` does: `import_key` would probe the bytes with the PEM,
    # DER and SSH loaders and warn on short keys, but these are our own secrets (validated at start-up) or HKDF output.
    return OctKey(raw, raw)


def _encryption_key(secret: str, salt: str) -> bytes:
    return derive_key(secret, salt, ENCRYPTION_KEY_INFO, _ENCRYPTION_KEY_LENGTH)


def encode_jwe(claims: bytes, secret: str, *, salt: str) -> str:
    """Compact JWE of the JSON `claims` under `secret`: `alg dir`, `enc A256CBC-HS512`, `kid` as better-auth sets it."""
    key = _encryption_key(secret, salt)
    header = {"alg": _JWE_ALG, "enc": _JWE_ENC, "kid": key_thumbprint(key)}
    return jwe.encrypt_compact(header, claims, _oct_key(key), registry=_JWE_REGISTRY)


def decode_jwe(token: str, secrets: Sequence[str], *, salt: str, now: datetime) -> dict[str, Any] | None:
    """The claims of a JWE made by `encode_jwe` (or better-auth) under any of `secrets`, or None.

    With a `kid`, only the secret whose derived key has that thumbprint is tried; without, every secret in order
    (better-auth: the current one, then the others). Then `exp` must be valid at `now` (15 s tolerance).
    """
    header = _protected_header(token, segments=5)
    if header is None or not _header_allowed(header, _JWE_HEADER_KEYS):
        return None
    if header.get("alg") != _JWE_ALG or header.get("enc") not in _JWE_ENCS:
        return None
    keys = [_encryption_key(secret, salt) for secret in secrets]
    kid = header.get("kid")
    if kid is not None:
        if not isinstance(kid, str):
            return None
        keys = [key for key in keys if key_thumbprint(key) == kid][:1]
    for key in keys:
        try:
            plaintext = jwe.decrypt_compact(token, _oct_key(key), registry=_JWE_REGISTRY).plaintext
        except (JoseError, ValueError, TypeError, KeyError):
            continue
        if plaintext is None:
            return None
        return _valid_claims(plaintext, now)
    return None


def encode_jws(claims: bytes, secret: str) -> str:
    """Compact JWS HS256 of the JSON `claims`, keyed with the UTF-8 bytes of `secret`; header `{"alg":"HS256"}`."""
    return jws.serialize_compact({"alg": _JWS_ALG}, claims, _oct_key(secret.encode()), registry=_JWS_REGISTRY)


def decode_jws(token: str, secrets: Sequence[str], *, now: datetime) -> dict[str, Any] | None:
    """The claims of an HS256 JWS signed with any of `secrets` and unexpired at `now` (15 s tolerance), or None."""
    return verify_jws(token, secrets, now=now, tolerance=CLOCK_TOLERANCE).claims


@dataclass(frozen=True, slots=True)
class Verified:
    """What a presented JWS turned out to be: its claims, or why there are none."""

    claims: dict[str, Any] | None
    expired: bool = False
    """Authentic, but past its `exp` (then `claims` is None)."""


def verify_jws(token: str, secrets: Sequence[str], *, now: datetime, tolerance: timedelta) -> Verified:
    """Check an HS256 JWS against each of `secrets` in turn, then its time claims at `now` with `tolerance`.

    Only an authentic token can be `expired`; anything else is `Verified(None)`.
    """
    header = _protected_header(token, segments=3)
    if header is None or not _header_allowed(header, _JWS_HEADER_KEYS) or header.get("alg") != _JWS_ALG:
        return Verified(None)
    for secret in secrets:
        try:
            payload = jws.deserialize_compact(token, _oct_key(secret.encode()), registry=_JWS_REGISTRY).payload
        except (JoseError, ValueError, TypeError, KeyError):
            continue
        return _checked_claims(payload, now, tolerance)
    return Verified(None)


def _protected_header(token: str, *, segments: int) -> dict[str, Any] | None:
    """The decoded protected header, or None for a token too long, of the wrong shape, or not base64url/JSON."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    parts = token.split(".")
    if len(parts) != segments:
        return None
    try:
        header = strict_json(urlsafe_b64decode(parts[0].encode("ascii")))
    except (ValueError, binascii.Error):
        return None
    return header if isinstance(header, dict) else None


def _header_allowed(header: dict[str, Any], allowed: frozenset[str]) -> bool:
    # Only the parameters we and better-auth write: no `zip` (T3), no `crit`, no `b64`, no embedded keys (`jwk`, `jku`).
    return header.keys() <= allowed


def _valid_claims(payload: bytes, now: datetime) -> dict[str, Any] | None:
    return _checked_claims(payload, now, CLOCK_TOLERANCE).claims


def _checked_claims(payload: bytes, now: datetime, tolerance: timedelta) -> Verified:
    """The claims if they are a JSON object with a numeric `exp` not past (with tolerance) and `nbf` not future.

    jose's rules: expired when `exp <= now - tolerance`, early when `nbf > now + tolerance`, `now` in whole seconds.
    """
    try:
        claims = strict_json(payload)
    except ValueError:
        return Verified(None)
    if not isinstance(claims, dict):
        return Verified(None)
    seconds = math.floor(now.astimezone(UTC).timestamp())
    leeway = tolerance.total_seconds()
    exp = claims.get("exp")
    if not is_number(exp):
        return Verified(None)
    nbf = claims.get("nbf")
    if nbf is not None and (not is_number(nbf) or nbf > seconds + leeway):
        return Verified(None)
    iat = claims.get("iat")
    if iat is not None and not is_number(iat):
        return Verified(None)
    if exp <= seconds - leeway:
        return Verified(None, expired=True)
    return Verified(claims)


def is_number(value: object) -> TypeGuard[int | float]:
    """A finite JSON number (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def strict_json(data: bytes) -> Any:
    """JSON as `JSON.parse` reads it: UTF-8 only, no NaN/Infinity. Raises ValueError."""
    return json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
