"""RFC 6238 time-based codes as better-auth's `createOTP` makes them: HMAC-SHA1 over the secret's UTF-8 bytes, a
window of one period each way, and its `otpauth://` URI. Pure functions, no I/O."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from urllib.parse import quote, quote_plus

from ..crypto.tokens import generate_id

SECRET_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
"""better-auth's `generateRandomString` alphabet (`a-z`, `0-9`, `A-Z`, `-_`): a secret is 32 of these."""
BASE32_PREFIX = "base32:"
"""Secrets imported from other providers are kept as `base32:<secret>` (better-auth's convention)."""
_JS_URI_COMPONENT_SAFE = "-_.!~*'()"


def new_secret() -> str:
    """A new TOTP secret: 32 random characters, used as the HMAC key's bytes."""
    return generate_id(32, SECRET_ALPHABET)


def secret_key(secret: str) -> bytes:
    """The HMAC key of a stored (decrypted) secret."""
    if secret.startswith(BASE32_PREFIX):
        encoded = secret[len(BASE32_PREFIX) :].upper()
        return base64.b32decode(encoded + "=" * (-len(encoded) % 8))
    return secret.encode()


def hotp(key: bytes, counter: int, digits: int) -> str:
    """The code of one counter value (RFC 4226)."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(value).zfill(digits)


def matching_step(key: bytes, code: str, *, now: float, period: int, digits: int, window: int = 1) -> int | None:
    """The time step (`now // period` ± `window`) whose code is `code`, or None. Every candidate is compared, in
    constant time each, so the time taken does not say which one matched."""
    current = int(now // period)
    found: int | None = None
    for step in range(current - window, current + window + 1):
        if hmac.compare_digest(hotp(key, step, digits).encode(), code.encode()):
            found = step if found is None else found
    return found


def otpauth_uri(secret: str, *, issuer: str, account: str, digits: int, period: int) -> str:
    """`otpauth://totp/<issuer>:<account>?secret=&issuer=&digits=&period=`, encoded as better-auth encodes it."""
    label = f"{quote(issuer, safe=_JS_URI_COMPONENT_SAFE)}:{quote(account, safe=_JS_URI_COMPONENT_SAFE)}"
    encoded_secret = base64.b32encode(secret_key(secret)).decode().rstrip("=")
    params = {"secret": encoded_secret, "issuer": issuer, "digits": str(digits), "period": str(period)}
    query = "&".join(f"{name}={_form(value)}" for name, value in params.items())
    return f"otpauth://totp/{label}?{query}"


def _form(value: str) -> str:
    """`URLSearchParams`' encoding: space as `+`, only `*-._` and alphanumerics left as they are."""
    return quote_plus(value, safe="*").replace("~", "%7E")
