"""Signing key pairs as better-auth's jwt plugin makes and keeps them (jose's `generateKeyPair` + `exportJWK`).

A key is kept as two JWKs: the public one as JSON text, the private one as JSON sealed with the secret in
better-auth's envelope (`symmetricEncrypt`), itself stored as a JSON string (`"\"<hex>\""`), exactly as better-auth
writes its `jwks.privateKey`. docs/security.md T9.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, OKPKey, RSAKey

from ..crypto.envelope import open_sealed, seal
from ..crypto.keyring import Keyring

Algorithm = Literal["EdDSA", "ES256", "RS256", "PS256"]
"""The algorithms keys are made for: better-auth's default EdDSA (Ed25519), and ES256 (P-256), RS256 and PS256
(RSA, 2048 bits, jose's default size)."""

ALGORITHMS: tuple[Algorithm, ...] = ("EdDSA", "ES256", "RS256", "PS256")

KeyObject = OKPKey | ECKey | RSAKey

_KEY_TYPE: dict[str, tuple[str, str | None]] = {
    "EdDSA": ("OKP", "Ed25519"),
    "ES256": ("EC", "P-256"),
    "RS256": ("RSA", None),
    "PS256": ("RSA", None),
}
"""Each algorithm's key type and curve: a key of another type is never used with it."""

# The members of each key type in the order jose's `exportJWK` writes them.
_PUBLIC_ORDER = {"OKP": ("crv", "x", "kty"), "EC": ("kty", "x", "y", "crv"), "RSA": ("kty", "n", "e")}
_PRIVATE_ORDER = {
    "OKP": ("crv", "d", "x", "kty"),
    "EC": ("kty", "x", "y", "crv", "d"),
    "RSA": ("kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"),
}


@contextmanager
def eddsa_allowed() -> Iterator[None]:
    """joserfc warns that RFC 9864 deprecates the algorithm name `EdDSA` (for `Ed25519`); better-auth and jose still
    sign with that name, so JWS operations run inside this to use it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "EdDSA is deprecated", SecurityWarning)
        yield


class KeyDecryptionError(RuntimeError):
    """A stored private key does not open with any configured secret (the secret changed without rotation)."""


def key_type(alg: str) -> tuple[str, str | None]:
    """The key type (`kty`) and curve an algorithm needs; `ValueError` for one not supported."""
    if alg not in _KEY_TYPE:
        raise ValueError(f"unsupported JWT algorithm {alg!r} (supported: {', '.join(ALGORITHMS)})")
    return _KEY_TYPE[alg]


def generate(alg: Algorithm) -> KeyObject:
    """A new key pair for `alg`."""
    kty = key_type(alg)[0]
    if kty == "OKP":
        return OKPKey.generate_key("Ed25519", auto_kid=False)
    if kty == "EC":
        return ECKey.generate_key("P-256", auto_kid=False)
    return RSAKey.generate_key(2048, auto_kid=False)


def _ordered(members: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {name: members[name] for name in order if name in members}


def public_jwk(key: KeyObject) -> dict[str, Any]:
    """The public members of `key` only (no `kid`, `alg` or `use`), as better-auth stores them."""
    members = key.as_dict(private=False)
    return _ordered(members, _PUBLIC_ORDER[key.key_type])


def private_jwk(key: KeyObject) -> dict[str, Any]:
    return _ordered(key.as_dict(private=True), _PRIVATE_ORDER[key.key_type])


def json_text(members: dict[str, Any]) -> str:
    """JSON as JavaScript's `JSON.stringify` writes it (no spaces)."""
    return json.dumps(members, separators=(",", ":"))


def seal_private_key(keyring: Keyring, key: KeyObject) -> str:
    """The `privateKey` column's value: the sealed private JWK as a JSON string."""
    return json.dumps(seal(keyring, json_text(private_jwk(key))))


def open_private_key(keyring: Keyring, stored: str, alg: str) -> KeyObject:
    """The private key of a `privateKey` column's value (sealed; or a plain JWK, which better-auth writes with
    `disablePrivateKeyEncryption`), checked to be of the type `alg` needs."""
    try:
        value = json.loads(stored)
        members = json.loads(open_sealed(keyring, value)) if isinstance(value, str) else value
    except ValueError:
        raise KeyDecryptionError(
            "a JWT signing key in the jwks table does not open with the configured secrets: keep the secret it was "
            "sealed with in BETTER_AUTH_SECRETS, or delete that row"
        ) from None
    return import_jwk(members, alg)


def import_jwk(members: Any, alg: str) -> KeyObject:
    """A key from JWK members, refused (`ValueError`) unless it is of the type and curve `alg` needs."""
    kty, crv = key_type(alg)
    if not isinstance(members, dict) or members.get("kty") != kty or (crv is not None and members.get("crv") != crv):
        raise ValueError(f"key is not a {kty} key for {alg}")
    if kty == "OKP":
        return OKPKey.import_key(members)
    if kty == "EC":
        return ECKey.import_key(members)
    return RSAKey.import_key(members)
