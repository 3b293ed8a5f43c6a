"""The `session_data` cookie cache: better-auth 1.7.25's three encodings, byte-compatible
(docs/better-auth.md#cookie-cache).

The payload is `P = {"session": …, "user": …, "updatedAt": <epoch ms>, "version": "<v>"}`, and the cookie is:

- `compact`: `base64url_nopad(JSON{"session": P, "expiresAt": <ms>, "signature": S})` with
  `S = base64url_nopad(HMAC-SHA256(secret, JSON.stringify({...P, "expiresAt": <ms>})))`, `expiresAt = now + maxAge`;
- `jwt`: JWS HS256 over `{...P, "iat", "exp"}` (`exp = iat + maxAge` seconds), keyed with the raw secret;
- `jwe`: JWE `dir`/`A256CBC-HS512` over `{...P, "iat", "exp", "jti"}`, key HKDF(secret, "better-auth-session").

These were checked against better-auth's own `setCookieCache` / `decodeCookieCache` (test vectors in
`tests/sessions/test_cookie_cache.py`). The compact signature covers JSON text, so `json_stringify` reproduces
JavaScript's `JSON.stringify` exactly: insertion order, no spaces, non-ASCII as is, JavaScript's number formatting.

Unlike better-auth, which checks compact and jwt values with the current secret only, `decode` accepts every secret
of the keyring for all three encodings, so rotating the secret does not throw away every cached session.

`decode` answers only "is this an authentic, unexpired copy": binding to the session token and the version check
belong to the caller, as in better-auth's `get-session`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from ..clock import epoch_ms
from ..crypto import jose
from ..crypto.keyring import Keyring
from ..crypto.tokens import hmac_sha256
from ..js_json import json_stringify

__all__ = ["MAX_VALUE_LENGTH", "CacheStrategy", "CachedSession", "CookieCacheCodec", "json_stringify"]

CacheStrategy = Literal["compact", "jwt", "jwe"]

#: The longest cookie value (after chunks are joined) `decode` looks at; longer values are refused unread
#: (docs/security.md T3). A caller should not set a value `encode` made longer than this: it would never be read back.
MAX_VALUE_LENGTH = jose.MAX_TOKEN_LENGTH
#: better-auth's HKDF salt for the session cookie cache JWE.
JWE_SALT = "better-auth-session"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_SIGNATURE_LENGTH = 43  # unpadded base64url of a 32-byte HMAC-SHA256


@dataclass(frozen=True, slots=True)
class CachedSession:
    session: dict[str, Any]  # better-auth's session JSON (camelCase, dates as ISO strings with ms + Z), incl. "token"
    user: dict[str, Any]  # better-auth's user JSON
    updated_at_ms: int
    version: str
    expires_at: datetime  # when the cached copy stops being believed (tz-aware UTC)


class CookieCacheCodec:
    """Encodes and decodes `session_data` values in one strategy, with the secrets of one keyring."""

    __slots__ = ("_keyring", "strategy")

    def __init__(self, strategy: CacheStrategy, keyring: Keyring) -> None:
        if strategy not in ("compact", "jwt", "jwe"):
            raise ValueError(f"unknown cookie cache strategy: {strategy!r}")
        self.strategy: CacheStrategy = strategy
        self._keyring = keyring

    def encode(
        self, session: dict[str, Any], user: dict[str, Any], *, version: str, now: datetime, max_age: timedelta
    ) -> str:
        """The cookie value for `session` and `user` as of `now`, believed for `max_age`.

        `session` and `user` are better-auth's output JSON (the caller filters fields and formats dates); they are
        serialised as given, key order included.
        """
        now_ms = epoch_ms(now)
        payload: dict[str, Any] = {"session": session, "user": user, "updatedAt": now_ms, "version": version}
        secret = self._keyring.current
        if self.strategy == "compact":
            expires_at = now_ms + max_age // _MS
            signature = _compact_signature(secret, json_stringify({**payload, "expiresAt": expires_at}).encode())
            outer = json_stringify({"session": payload, "expiresAt": expires_at, "signature": signature})
            return _b64url(outer.encode())
        # jose's `setIssuedAt()` and better-auth's `Math.floor(Date.now() / 1e3) + maxAge`: whole seconds.
        iat = now_ms // 1000
        claims = {**payload, "iat": iat, "exp": iat + int(max_age.total_seconds())}
        if self.strategy == "jwt":
            return jose.encode_jws(json_stringify(claims).encode(), secret)
        claims["jti"] = str(uuid.uuid4())
        return jose.encode_jwe(json_stringify(claims).encode(), secret, salt=JWE_SALT)

    def decode(self, value: str, *, now: datetime) -> CachedSession | None:
        """The cached session if `value` is authentic under a keyring secret and not expired at `now`, else None.

        Expiry: every value dies at its expiry (`expiresAt`, or `exp` for jwt/jwe), with no clock tolerance: better-auth
        decodes a jwe value with jose's 15 s tolerance but then refuses it once `exp` is past. The version and the
        session token are not checked here.
        """
        if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH:
            return None
        try:
            if self.strategy == "compact":
                return self._decode_compact(value, now)
            if self.strategy == "jwt":
                claims = jose.decode_jws(value, self._keyring.secrets, now=now)
            else:
                claims = jose.decode_jwe(value, self._keyring.secrets, salt=JWE_SALT, now=now)
            if claims is None:
                return None
            return self._unexpired(claims, claims["exp"] * 1000, now)
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
            return None

    def _decode_compact(self, value: str, now: datetime) -> CachedSession | None:
        data = _b64url_decode(value)
        signed = _signed_as_sent(data)
        if signed is not None and self._signed(signed, data[-_SIGNATURE_LENGTH - 2 : -2]):
            # The signed text itself is ours, exactly: read the copy from it, without re-serialising.
            claims = jose.strict_json(signed)
            if isinstance(claims, dict) and jose.is_number(expires_at := claims.pop("expiresAt", None)):
                return self._unexpired(claims, expires_at, now)
            return None
        outer = jose.strict_json(data)
        if not isinstance(outer, dict):
            return None
        payload, expires_at, signature = outer.get("session"), outer.get("expiresAt"), outer.get("signature")
        if not isinstance(payload, dict) or not jose.is_number(expires_at) or not isinstance(signature, str):
            return None
        if len(signature) != _SIGNATURE_LENGTH or not signature.isascii():
            return None
        # Exactly what better-auth signs: `JSON.stringify({...parsed.session, expiresAt})`.
        if not self._signed(json_stringify({**payload, "expiresAt": expires_at}).encode(), signature.encode()):
            return None
        return self._unexpired(payload, expires_at, now)

    def _signed(self, text: bytes, signature: bytes) -> bool:
        """Whether `signature` is a compact signature of `text` under a keyring secret: every secret is tried, each
        compared in constant time."""
        valid = False
        for secret in self._keyring.secrets:
            valid |= hmac.compare_digest(_compact_signature(secret, text).encode(), signature)
        return valid

    @staticmethod
    def _unexpired(payload: dict[str, Any], expires_at: float, now: datetime) -> CachedSession | None:
        expires = _from_epoch_ms(expires_at)
        if expires <= now:
            return None
        return _cached(payload, expires)


_OUTER_START = b'{"session":{'
_EXPIRES_AT = b',"expiresAt":'
_SIGNATURE_START = b',"signature":"'


def _signed_as_sent(data: bytes) -> bytes | None:
    """The text a compact value's signature covers, cut from the value as received, when the value is laid out the
    way `JSON.stringify` writes it: `{"session":P,"expiresAt":E,"signature":"S"}` covers `P` with `,"expiresAt":E`
    spliced in before its closing brace. None when it is laid out otherwise (then the caller re-serialises).

    Safe on its own: the splice matches a signature only if it is, byte for byte, a text we signed, which is one
    JSON object whose last member is `expiresAt`, so the copy is read from that text alone.
    """
    end = len(data) - _SIGNATURE_LENGTH - len(b'"}')
    if not data.startswith(_OUTER_START) or not data.endswith(b'"}') or end < 0:
        return None
    if data[end - len(_SIGNATURE_START) : end] != _SIGNATURE_START:
        return None
    rest = data[: end - len(_SIGNATURE_START)]  # {"session":P,"expiresAt":E
    split = rest.rfind(_EXPIRES_AT)
    payload = rest[len(_OUTER_START) - 1 : split]
    if split < 0 or not payload.endswith(b"}") or payload == b"{}":
        return None
    return payload[:-1] + rest[split:] + b"}"


def _cached(payload: dict[str, Any], expires_at: datetime) -> CachedSession | None:
    """better-auth's `parseCookieCachePayload`, reduced to what callers rely on; None when the shape is wrong."""
    session, user = payload.get("session"), payload.get("user")
    updated_at, version = payload.get("updatedAt"), payload.get("version", "1")
    if not isinstance(session, dict) or not isinstance(user, dict) or not jose.is_number(updated_at):
        return None
    if not isinstance(version, str):
        return None
    if not all(isinstance(session.get(field), str) for field in ("id", "token", "userId", "expiresAt")):
        return None
    if not isinstance(user.get("id"), str):
        return None
    # `payload.version || "1"` in better-auth: an empty version reads as "1".
    return CachedSession(session, user, int(updated_at), version or "1", expires_at)


def _compact_signature(secret: str, text: bytes) -> str:
    return _b64url(hmac_sha256(secret, text))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(value: str) -> bytes:
    if not value.isascii() or "=" in value or len(value) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        data = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except binascii.Error as error:
        raise ValueError("not base64url") from error
    if _b64url(data) != value:  # unused low bits set in the last character: one value, one spelling
        raise ValueError("not canonical base64url")
    return data


def _from_epoch_ms(ms: float) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)
