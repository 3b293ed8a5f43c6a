"""better-auth's `symmetricEncrypt` envelope (docs/better-auth.md#secrets-and-rotation), for values a Node better-auth
app must be able to read.

`$ba$<version>$<hex>` where hex is `nonce(24) || XChaCha20-Poly1305(key = SHA-256(secret))(data) || tag(16)`. A
keyring without version numbers (a plain `BETTER_AUTH_SECRET`) writes bare hex, as better-auth does then; bare hex is
read with the unversioned secret. Used for provider tokens at rest and the `oauth_state` cookie.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
)
from nacl.exceptions import CryptoError

from .keyring import Keyring

PREFIX = "$ba$"
_PURPOSE_SALT = b"better-auth:oauth-encryption:v1"
_NONCE_BYTES: int = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
_TAG_BYTES = 16
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


class EnvelopeError(ValueError):
    """The value is not an envelope this keyring can open (tampered, truncated, or a retired secret)."""


def _key(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def _seal(secret: str, data: str) -> str:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return (nonce + crypto_aead_xchacha20poly1305_ietf_encrypt(data.encode(), None, nonce, _key(secret))).hex()


def _open(secret: str, hex_value: str) -> str:
    if not _HEX.fullmatch(hex_value) or len(hex_value) < 2 * (_NONCE_BYTES + _TAG_BYTES):
        raise EnvelopeError("not an envelope")
    raw = bytes.fromhex(hex_value)
    try:
        plain = crypto_aead_xchacha20poly1305_ietf_decrypt(raw[_NONCE_BYTES:], None, raw[:_NONCE_BYTES], _key(secret))
        return plain.decode()
    except (CryptoError, UnicodeDecodeError):
        raise EnvelopeError("cannot open the envelope") from None


def seal(keyring: Keyring, data: str) -> str:
    """Encrypt with the current secret: `$ba$<version>$<hex>`, or bare hex when secrets are unversioned."""
    version = keyring.versions[0]
    sealed = _seal(keyring.current, data)
    return sealed if version is None else f"{PREFIX}{version}${sealed}"


def is_sealed(value: str) -> bool:
    """Whether `value` looks like an envelope (better-auth's test: the prefix, or even-length hex)."""
    return value.startswith(PREFIX) or bool(_HEX.fullmatch(value))


def open_sealed(keyring: Keyring, value: str) -> str:
    """Decrypt `value`; `EnvelopeError` if that fails.

    `$ba$<version>$` opens with the secret of that version only (as better-auth). Bare hex is what a single
    `BETTER_AUTH_SECRET` sealed (before versioned secrets were set, or on a Node app without them): better-auth
    opens it with `BETTER_AUTH_SECRET`; here it opens with that one first and then with every other configured
    secret, so a legacy secret that was moved into `BETTER_AUTH_SECRETS` (`2:new,1:old`) keeps opening it.
    """
    if value.startswith(PREFIX):
        version_text, separator, body = value[len(PREFIX) :].partition("$")
        if not separator or not version_text.isdigit():
            raise EnvelopeError("malformed envelope")
        candidates = [s for s, v in zip(keyring.secrets, keyring.versions, strict=True) if v == int(version_text)]
        if not candidates:
            raise EnvelopeError("no secret for this envelope (retired?)")
        return _open(candidates[0], body)
    unversioned = [s for s, v in zip(keyring.secrets, keyring.versions, strict=True) if v is None]
    for secret in dict.fromkeys([*unversioned, *keyring.secrets]):
        try:
            return _open(secret, value)
        except EnvelopeError:
            continue
    raise EnvelopeError("no configured secret opens this envelope")


def could_be_sealed(value: str) -> bool:
    """Whether `value` is long enough, and of the form, to be an envelope at all (nonce and tag included)."""
    body = value[len(PREFIX) :].partition("$")[2] if value.startswith(PREFIX) else value
    return value.startswith(PREFIX) or (bool(_HEX.fullmatch(body)) and len(body) >= 2 * (_NONCE_BYTES + _TAG_BYTES))


def purpose_keyring(keyring: Keyring, purpose: str) -> Keyring:
    """A keyring of secrets derived for one purpose (better-auth's `derivePurposeKey`, e.g. `oauth-state-cookie`):
    HKDF-SHA-256 with its salt and info, hex-encoded, versions kept."""

    def derive(secret: str) -> str:
        hkdf = HKDF(algorithm=SHA256(), length=32, salt=_PURPOSE_SALT, info=f"better-auth:{purpose}:v1".encode())
        return hkdf.derive(secret.encode()).hex()

    return Keyring([derive(secret) for secret in keyring.secrets], keyring.versions)
