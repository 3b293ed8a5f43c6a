"""The `session_data` cookie cache codecs and cookie chunking (docs/better-auth.md#cookies, #cookie-cache;
S10, T1-T3, T8, C2).

The `BA_*` vectors below were produced by better-auth 1.7.25's own `setCookieCache` (from `better-auth/cookies`, run
unchanged in Node 20 with a fake endpoint context and `Date` frozen at 2026-11-22T12:00:00.000Z, cookieCache
`{enabled: true, maxAge: 300, version: "1"}`) for the fixed `BA_SESSION` / `BA_USER` and secret `SECRET`; the
`*_OLD_SECRET` ones the same way under `OLD_SECRET`. better-auth's `decodeCookieCache` decoded each of them back, and
also decoded values made by our encoder (every strategy, a chunked one, and a jwe under a rotated-out secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from joserfc import jwe, jws
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey, RSAKey
from starlette.responses import Response

from fastapi_betterauth.cookies import MAX_COOKIE_CHUNKS, MAX_COOKIE_SIZE, AuthCookies
from fastapi_betterauth.crypto import jose
from fastapi_betterauth.crypto.keyring import Keyring
from fastapi_betterauth.sessions import cookie_cache
from fastapi_betterauth.sessions.cookie_cache import (
    JWE_SALT,
    MAX_VALUE_LENGTH,
    CachedSession,
    CacheStrategy,
    CookieCacheCodec,
    json_stringify,
)

from ..conftest import settings

SECRET = "better-auth-test-secret-0123456789abcdefghij"
OLD_SECRET = "an-older-secret-0123456789abcdefghijklmnopq"
FOREIGN_SECRET = "someone-elses-secret-0123456789abcdefghijkl"
STRATEGIES: list[CacheStrategy] = ["compact", "jwt", "jwe"]
MAX_AGE = timedelta(seconds=300)

# ---- Produced by better-auth 1.7.25 (see the module docstring). Do not edit. ----
NOW_MS = 1795348800000
BA_SESSION: dict[str, Any] = {
    "expiresAt": "2026-11-29T12:00:00.000Z",
    "token": "tok0123456789abcdefghijABCDEFGHIJ",
    "createdAt": "2026-11-22T11:59:30.125Z",
    "updatedAt": "2026-11-22T11:59:30.125Z",
    "ipAddress": "203.0.113.7",
    "userAgent": 'Mozilla/5.0 (X11; Linux x86_64) "quoted"',
    "userId": "usr0123456789abcdefghijABCDEFGHI",
    "id": "ses0123456789abcdefghijABCDEFGHI",
}
BA_USER: dict[str, Any] = {
    "name": 'Zo\xeb "Z" O\'Neil \U0001f680 \u2028 tab\there\nnewline \x01 \\ </script>',
    "email": "zoe@example.com",
    "emailVerified": False,
    "image": None,
    "createdAt": "2026-01-02T03:04:05.006Z",
    "updatedAt": "2026-11-20T08:00:00.999Z",
    "score": 1.5,
    "big": 1e21,
    "tiny": 1e-07,
    "whole": 100,
    "neg": -0.25,
    "list": [
        1,
        "two",
        None,
        True,
        {
            "nested": "\xfc",
        },
    ],
    "id": "usr0123456789abcdefghijABCDEFGHI",
}
BA_COMPACT = (
    "eyJzZXNzaW9uIjp7InNlc3Npb24iOnsiZXhwaXJlc0F0IjoiMjAyNi0xMS0yOVQxMjowMDowMC4wMDBaIiwidG9rZW4iOiJ0b2sw"
    "MTIzNDU2Nzg5YWJjZGVmZ2hpakFCQ0RFRkdISUoiLCJjcmVhdGVkQXQiOiIyMDI2LTExLTIyVDExOjU5OjMwLjEyNVoiLCJ1cGRh"
    "dGVkQXQiOiIyMDI2LTExLTIyVDExOjU5OjMwLjEyNVoiLCJpcEFkZHJlc3MiOiIyMDMuMC4xMTMuNyIsInVzZXJBZ2VudCI6Ik1v"
    "emlsbGEvNS4wIChYMTE7IExpbnV4IHg4Nl82NCkgXCJxdW90ZWRcIiIsInVzZXJJZCI6InVzcjAxMjM0NTY3ODlhYmNkZWZnaGlq"
    "QUJDREVGR0hJIiwiaWQiOiJzZXMwMTIzNDU2Nzg5YWJjZGVmZ2hpakFCQ0RFRkdISSJ9LCJ1c2VyIjp7Im5hbWUiOiJab8OrIFwi"
    "WlwiIE8nTmVpbCDwn5qAIOKAqCB0YWJcdGhlcmVcbm5ld2xpbmUgXHUwMDAxIFxcIDwvc2NyaXB0PiIsImVtYWlsIjoiem9lQGV4"
    "YW1wbGUuY29tIiwiZW1haWxWZXJpZmllZCI6ZmFsc2UsImltYWdlIjpudWxsLCJjcmVhdGVkQXQiOiIyMDI2LTAxLTAyVDAzOjA0"
    "OjA1LjAwNloiLCJ1cGRhdGVkQXQiOiIyMDI2LTExLTIwVDA4OjAwOjAwLjk5OVoiLCJzY29yZSI6MS41LCJiaWciOjFlKzIxLCJ0"
    "aW55IjoxZS03LCJ3aG9sZSI6MTAwLCJuZWciOi0wLjI1LCJsaXN0IjpbMSwidHdvIixudWxsLHRydWUseyJuZXN0ZWQiOiLDvCJ9"
    "XSwiaWQiOiJ1c3IwMTIzNDU2Nzg5YWJjZGVmZ2hpakFCQ0RFRkdISSJ9LCJ1cGRhdGVkQXQiOjE3OTUzNDg4MDAwMDAsInZlcnNp"
    "b24iOiIxIn0sImV4cGlyZXNBdCI6MTc5NTM0OTEwMDAwMCwic2lnbmF0dXJlIjoiN01PdEVjMnY1V1hZZmJsN2pmcHlFVjlqY3hs"
    "RDhFWHJ0U3pCbXNmSTk0WSJ9"
)
BA_JWT = (
    "eyJhbGciOiJIUzI1NiJ9.eyJzZXNzaW9uIjp7ImV4cGlyZXNBdCI6IjIwMjYtMTEtMjlUMTI6MDA6MDAuMDAwWiIsInRva2VuIjo"
    "idG9rMDEyMzQ1Njc4OWFiY2RlZmdoaWpBQkNERUZHSElKIiwiY3JlYXRlZEF0IjoiMjAyNi0xMS0yMlQxMTo1OTozMC4xMjVaIiw"
    "idXBkYXRlZEF0IjoiMjAyNi0xMS0yMlQxMTo1OTozMC4xMjVaIiwiaXBBZGRyZXNzIjoiMjAzLjAuMTEzLjciLCJ1c2VyQWdlbnQ"
    "iOiJNb3ppbGxhLzUuMCAoWDExOyBMaW51eCB4ODZfNjQpIFwicXVvdGVkXCIiLCJ1c2VySWQiOiJ1c3IwMTIzNDU2Nzg5YWJjZGV"
    "mZ2hpakFCQ0RFRkdISSIsImlkIjoic2VzMDEyMzQ1Njc4OWFiY2RlZmdoaWpBQkNERUZHSEkifSwidXNlciI6eyJuYW1lIjoiWm_"
    "DqyBcIlpcIiBPJ05laWwg8J-agCDigKggdGFiXHRoZXJlXG5uZXdsaW5lIFx1MDAwMSBcXCA8L3NjcmlwdD4iLCJlbWFpbCI6Inp"
    "vZUBleGFtcGxlLmNvbSIsImVtYWlsVmVyaWZpZWQiOmZhbHNlLCJpbWFnZSI6bnVsbCwiY3JlYXRlZEF0IjoiMjAyNi0wMS0wMlQ"
    "wMzowNDowNS4wMDZaIiwidXBkYXRlZEF0IjoiMjAyNi0xMS0yMFQwODowMDowMC45OTlaIiwic2NvcmUiOjEuNSwiYmlnIjoxZSs"
    "yMSwidGlueSI6MWUtNywid2hvbGUiOjEwMCwibmVnIjotMC4yNSwibGlzdCI6WzEsInR3byIsbnVsbCx0cnVlLHsibmVzdGVkIjo"
    "iw7wifV0sImlkIjoidXNyMDEyMzQ1Njc4OWFiY2RlZmdoaWpBQkNERUZHSEkifSwidXBkYXRlZEF0IjoxNzk1MzQ4ODAwMDAwLCJ"
    "2ZXJzaW9uIjoiMSIsImlhdCI6MTc5NTM0ODgwMCwiZXhwIjoxNzk1MzQ5MTAwfQ.9h3OqEHU-nwX6kK4GnQz3320ltIzxcEUafvZ"
    "nYmAIMY"
)
BA_JWE = (
    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoiVm1LVWdNOVFlTFY3R0J0MTZaX1pNMjcyd0tmcHpTT0hP"
    "aWd1MGJZeUVnVSJ9..zj7-ZGTFUpcVJSUWwJN_eg.pXI_VYETdIFhCCXLRrZ4uuNC_CSfjoNMI7vKmy4vDRwWYSjY3-hsATuyNF9"
    "RcgXydF15bV5Vo941pbeYmvPX9KgW2PQNRjlg2JnklQV3UNItrivnMXF2x9fXo7N3QAs8gepiJTn6jrWHMZrRPP_jB1PyayjmztS"
    "879uYPXoBd1Z0sgJv1Uk_eb_f8WzCJT4-_oqb8ePFZCKHHaCWe9roa3PcoX5Or7T6QRMLVZ7cMGRlwfa6hdvoxzCw7XeSCXIw97S"
    "lZahRvI381iBWe3yGPCI5VX-qkBtHHWGOCkwe7mc0hhaX2pfq6ja-YyKVIKtX6IGhx-LOArsyTObkyFytOzU3_NS1JNnreci_6C6"
    "fnGURZ0JtJufWsGblxPaVMkgEXOr7aHVM_-4Jr3tYCohtt85-iQBQ5YSR-mgCphp5MA_BMCzog0croquNMZSRxQwWcw5EvtrgmCJ"
    "S6WhW610LgetTcFFTE-NqzQWrq3p4hBl8zupDCNF5xoHGQeBxe8CANOnUSwvxLQPiiUxEmLfGbn_W2Dyrjv9LuiW2vgwQ0XPjBXg"
    "wAXA-VkiNBIFeVkavfcFcbdIf2lAisOzq6DGOcZRc9yZVrKOTi8tcsFq1lVtqa8d9qaBLwC-HpPOXXPhO1FCBRLvS7sxAQOqVkOV"
    "dJ8bTTCtitNwV_RQmNGcAEB1Ph3IBk5uO6bgTfcRxAKvDMIYUpWY2kPS4G_u7eg2Je-wUeumv_KsHHYOOvUoqUK9ONr-VCObNKsa"
    "mUZ0uT50EnpekROYE1oENsA-OSceaxy1WeyEhhlKCYlAipeCYMW8TC2LvW_VHtMkIiHpf8ovSczXa22JLCx-bFbsDUm2Gg7oH_D1"
    "VEAdGkBNQ4XY_VK06DCzrSZNJA9eIKhXadENTtarxO0tTLAOPCgeyfzG1jEqVO1rWy9SwuStGZIjPtAvdv_DecRGMHZEkzYnlrUi"
    "m8XCmH5B--Z_H-jqDqNSUjhluwbl4uS88DcoYTrRY-TdG4LlTgwcuiVGh-XGnohMeN2zGZyllj3OihtSguV2z-rRcwIOEwmzyUA-"
    "7a8-EIamBRHmfm5n9tk3IK2B3Ybmc7Y923o-JJx3WR7myNbTngw.CO9YjZBkbfSXpFna3uQ4Cwxae_m7DH5FBoLYAHxBrFo"
)
BA_COMPACT_OLD_SECRET = (
    "eyJzZXNzaW9uIjp7InNlc3Npb24iOnsiZXhwaXJlc0F0IjoiMjAyNi0xMS0yOVQxMjowMDowMC4wMDBaIiwidG9rZW4iOiJ0b2sw"
    "MTIzNDU2Nzg5YWJjZGVmZ2hpakFCQ0RFRkdISUoiLCJjcmVhdGVkQXQiOiIyMDI2LTExLTIyVDExOjU5OjMwLjEyNVoiLCJ1cGRh"
    "dGVkQXQiOiIyMDI2LTExLTIyVDExOjU5OjMwLjEyNVoiLCJpcEFkZHJlc3MiOiIyMDMuMC4xMTMuNyIsInVzZXJBZ2VudCI6Ik1v"
    "emlsbGEvNS4wIChYMTE7IExpbnV4IHg4Nl82NCkgXCJxdW90ZWRcIiIsInVzZXJJZCI6InVzcjAxMjM0NTY3ODlhYmNkZWZnaGlq"
    "QUJDREVGR0hJIiwiaWQiOiJzZXMwMTIzNDU2Nzg5YWJjZGVmZ2hpakFCQ0RFRkdISSJ9LCJ1c2VyIjp7Im5hbWUiOiJab8OrIFwi"
    "WlwiIE8nTmVpbCDwn5qAIOKAqCB0YWJcdGhlcmVcbm5ld2xpbmUgXHUwMDAxIFxcIDwvc2NyaXB0PiIsImVtYWlsIjoiem9lQGV4"
    "YW1wbGUuY29tIiwiZW1haWxWZXJpZmllZCI6ZmFsc2UsImltYWdlIjpudWxsLCJjcmVhdGVkQXQiOiIyMDI2LTAxLTAyVDAzOjA0"
    "OjA1LjAwNloiLCJ1cGRhdGVkQXQiOiIyMDI2LTExLTIwVDA4OjAwOjAwLjk5OVoiLCJzY29yZSI6MS41LCJiaWciOjFlKzIxLCJ0"
    "aW55IjoxZS03LCJ3aG9sZSI6MTAwLCJuZWciOi0wLjI1LCJsaXN0IjpbMSwidHdvIixudWxsLHRydWUseyJuZXN0ZWQiOiLDvCJ9"
    "XSwiaWQiOiJ1c3IwMTIzNDU2Nzg5YWJjZGVmZ2hpakFCQ0RFRkdISSJ9LCJ1cGRhdGVkQXQiOjE3OTUzNDg4MDAwMDAsInZlcnNp"
    "b24iOiIxIn0sImV4cGlyZXNBdCI6MTc5NTM0OTEwMDAwMCwic2lnbmF0dXJlIjoialEzckF2aDdISm84dHdEdUNWcGNzZUx3clUy"
    "NGlrbGNNSlNPMFB1T2ZiayJ9"
)
BA_JWE_OLD_SECRET = (
    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoiVm5XeW1vN2JPRTk5ekV6MzRHcTRTeHZ2SVJfY01VOE4w"
    "QUhwam1TbDFUVSJ9..5slQ3goGd-1Hwc4DIUgloQ.vxxCYYa3L21aJGK07ZxvqnQNNYhKgFOAJyi-Eo5zmh8ccsH9DYXzOHXD2ko"
    "BiPmufeinvCFIMoFCL8WFaEmWYY7P8uXMEF3ivMXPCYnrfZQ_Uub8FoLEAjLn88F7bWkMAcKVcPrM3Usi6GedUzM3vubNU39J_Fi"
    "yT7tjQPEv16PYSpgSmonqClhMDFccp42f_wZMmyqc23EiEMyqSm2BFFqFqPANQJJoYmaRkwHSIHVh6am3WlH-jtHPShuIONmb3YM"
    "CTYc7GlP_se9IRPryNmgecxWonQVaUAxcAXvd8_bcvvOfpk98nS-0tb91ql4apQv_JEgKzkB3_A9PFJQCKd5Efi4YvaofxgWB-EF"
    "QOF7ZO45j4sk4xuKL2d6diWzJ-15QUvhAwynazrtuA8xKG2ztmtTR3n0IaiuzaoNdiIzZ-Tuuj-NhKcUIhrnQkNCQ3AfLCdLQmjQ"
    "eJ1MMMkykkWMajbO2KWeL7rvgVS4RjuB-dRMF5aBBnv6FTzF0rw5RhMrjK8Voq_d1RzMr1i_xKjm3k-JZ8VzqIb-1soPJtF1U_sx"
    "Wo5KpJvnBQd6kRggm92APXreus_9qXyk65cPRq8eE6uiNAxrCQzd1-n9Hyxa8U2n_WQaBRlfBmBFmbwCtlMJLAb92ZeWASw52ZXI"
    "y4p3d9zoLNdyOEwF9zxRF6a1IM3FM3kdk6VeJU6x_L_-onlujjd6LQ9beh0RU3ZrVXUPkUNNz-TkxYw6t44qLNX_8kAOrEFyDNq1"
    "O-OvG5Fb_dh8qOCMHwm-Mr9EetFANlLr_WBbpZzoxw7mYP_U2IoSalR5JqOuqzE_g3rFaWhl690Q4QmbDEzqirDhHK5_3arEotCl"
    "WjOwJfhAO8R7nBR6lA6u2CKFvsEmNWJJ101YdPy6BEIBc8kuXyO1Z6U41xGwNvxXXVv34gbQQ54kUbjmOb-lnmNd8sHOBbU1UcHM"
    "iNeX9BTpMs3J2ENgodUtydRDUmx9lmggLCqe6WMwrf68XTv7YJ0cpnnx_TnwJWb26mgpKQxq1AuKAkL5unEgzDwjNSVmWv8dJI_q"
    "4nuhD_VEOGFZuOWCIS7JnF0v824V-38TpfpKrfxVjmU2e_2IMTQ.i7Bsa_dFpKQqPCKDJ8TrIlpUlwmvHyvvc5FI16ZNuAQ"
)
# ---- end of better-auth vectors ----

NOW = datetime.fromtimestamp(NOW_MS / 1000, UTC)
BA_VALUES: dict[CacheStrategy, str] = {"compact": BA_COMPACT, "jwt": BA_JWT, "jwe": BA_JWE}
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def codec(strategy: CacheStrategy, *secrets: str) -> CookieCacheCodec:
    return CookieCacheCodec(strategy, Keyring(list(secrets or (SECRET,))))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def session_key(secret: str = SECRET) -> bytes:
    return jose.derive_key(secret, JWE_SALT, jose.ENCRYPTION_KEY_INFO, 64)


def claims(now: datetime = NOW, **extra: Any) -> dict[str, Any]:
    seconds = int(now.timestamp())
    payload = {"session": BA_SESSION, "user": BA_USER, "updatedAt": NOW_MS, "version": "1"}
    return {**payload, "iat": seconds, "exp": seconds + 300, **extra}


def assert_ba_payload(found: CachedSession | None, expires_at: datetime = NOW + MAX_AGE) -> None:
    assert found is not None
    assert found.session == BA_SESSION
    assert list(found.session) == list(BA_SESSION)
    assert found.user == BA_USER
    assert list(found.user) == list(BA_USER)
    assert found.updated_at_ms == NOW_MS
    assert found.version == "1"
    assert found.expires_at == expires_at
    assert found.expires_at.tzinfo is not None


# --- better-auth's own values -------------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_better_auth_values_decode(strategy: CacheStrategy) -> None:
    """Each better-auth-made value decodes to the payload it was made from, dates and key order intact."""
    assert_ba_payload(codec(strategy).decode(BA_VALUES[strategy], now=NOW))


@pytest.mark.parametrize("strategy", ["compact", "jwt"])
def test_encode_reproduces_better_auth_byte_for_byte(strategy: CacheStrategy) -> None:
    """Same input, secret and time: the compact and jwt values are identical to better-auth's (the HMAC covers
    JSON.stringify output: unicode, escapes, 1e+21 and 1e-7 included)."""
    value = codec(strategy).encode(BA_SESSION, BA_USER, version="1", now=NOW, max_age=MAX_AGE)
    assert value == BA_VALUES[strategy]


def test_jwe_encode_matches_better_auth_header_and_claims() -> None:
    """JWE is randomised (IV, jti), so compare the parts that are not: the protected header (alg, enc and the kid
    thumbprint of the HKDF key) and the claims, key by key, in order."""
    value = codec("jwe").encode(BA_SESSION, BA_USER, version="1", now=NOW, max_age=MAX_AGE)
    assert value.split(".")[0] == BA_JWE.split(".")[0]
    header = json.loads(base64.urlsafe_b64decode(BA_JWE.split(".")[0] + "=="))
    assert header == {"alg": "dir", "enc": "A256CBC-HS512", "kid": jose.key_thumbprint(session_key())}
    ours = jose.decode_jwe(value, [SECRET], salt=JWE_SALT, now=NOW)
    theirs = jose.decode_jwe(BA_JWE, [SECRET], salt=JWE_SALT, now=NOW)
    assert ours is not None
    assert theirs is not None
    assert list(ours) == list(theirs) == ["session", "user", "updatedAt", "version", "iat", "exp", "jti"]
    assert {k: v for k, v in ours.items() if k != "jti"} == {k: v for k, v in theirs.items() if k != "jti"}
    assert ours["jti"] != theirs["jti"]


def test_compact_layout_is_better_auths() -> None:
    """`{"session": P, "expiresAt": ms, "signature": base64url(HMAC(secret, JSON.stringify({...P, expiresAt})))}`."""
    outer = json.loads(base64.urlsafe_b64decode(BA_COMPACT + "=" * (-len(BA_COMPACT) % 4)))
    assert list(outer) == ["session", "expiresAt", "signature"]
    assert list(outer["session"]) == ["session", "user", "updatedAt", "version"]
    assert outer["expiresAt"] == NOW_MS + 300_000
    signed = json_stringify({**outer["session"], "expiresAt": outer["expiresAt"]})
    assert outer["signature"] == b64url(hmac.new(SECRET.encode(), signed.encode(), hashlib.sha256).digest())


# --- round trips, secrets, rotation ------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_round_trip(strategy: CacheStrategy) -> None:
    now = NOW + timedelta(milliseconds=1234)
    value = codec(strategy).encode(BA_SESSION, BA_USER, version="v9", now=now, max_age=timedelta(seconds=60))
    found = codec(strategy).decode(value, now=now)
    assert found is not None
    assert (found.session, found.user, found.version) == (BA_SESSION, BA_USER, "v9")
    assert found.updated_at_ms == NOW_MS + 1234
    # compact keeps milliseconds; jwt/jwe `exp` is whole seconds from floor(now), as jose writes it.
    expected = now + timedelta(seconds=60) if strategy == "compact" else NOW + timedelta(seconds=61)
    assert found.expires_at == expected


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_foreign_secret_is_refused(strategy: CacheStrategy) -> None:
    """S10: a value made with another secret, ours or better-auth's, is not believed."""
    assert codec(strategy, FOREIGN_SECRET).decode(BA_VALUES[strategy], now=NOW) is None
    value = codec(strategy, FOREIGN_SECRET).encode(BA_SESSION, BA_USER, version="1", now=NOW, max_age=MAX_AGE)
    assert codec(strategy).decode(value, now=NOW) is None


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_rotation_accepts_every_keyring_secret(strategy: CacheStrategy) -> None:
    """A value made under the previous secret still decodes after rotation (better-auth: jwe only), and new values
    are made with the current secret."""
    old = codec(strategy, OLD_SECRET).encode(BA_SESSION, BA_USER, version="1", now=NOW, max_age=MAX_AGE)
    assert codec(strategy, SECRET).decode(old, now=NOW) is None
    assert_ba_payload(codec(strategy, SECRET, OLD_SECRET).decode(old, now=NOW))
    new = codec(strategy, SECRET, OLD_SECRET).encode(BA_SESSION, BA_USER, version="1", now=NOW, max_age=MAX_AGE)
    assert codec(strategy, SECRET).decode(new, now=NOW) is not None
    assert codec(strategy, OLD_SECRET).decode(new, now=NOW) is None


@pytest.mark.parametrize(("strategy", "value"), [("compact", BA_COMPACT_OLD_SECRET), ("jwe", BA_JWE_OLD_SECRET)])
def test_rotation_accepts_better_auth_values_under_an_old_secret(strategy: CacheStrategy, value: str) -> None:
    """better-auth's own values from before a rotation: its jwe picks the key by `kid`; its compact would be
    dropped by better-auth after rotating, we keep it."""
    assert codec(strategy).decode(value, now=NOW) is None
    assert_ba_payload(codec(strategy, SECRET, OLD_SECRET).decode(value, now=NOW))


def test_jwe_without_kid_tries_every_secret() -> None:
    """No `kid` (better-auth never omits it, its decoder allows it): every secret is tried, current first."""
    token = jwe.encrypt_compact(
        {"alg": "dir", "enc": "A256CBC-HS512"},
        json_stringify(claims()).encode(),
        OctKey.import_key(session_key(OLD_SECRET)),
        algorithms=["dir", "A256CBC-HS512"],
    )
    assert_ba_payload(codec("jwe", SECRET, OLD_SECRET).decode(token, now=NOW))
    assert codec("jwe", SECRET, FOREIGN_SECRET).decode(token, now=NOW) is None


def test_jwe_kid_picks_the_secret() -> None:
    """A `kid` naming one secret's key, on a token encrypted with another's: refused, no fallback to the others."""
    token = jwe.encrypt_compact(
        {"alg": "dir", "enc": "A256CBC-HS512", "kid": jose.key_thumbprint(session_key(SECRET))},
        json_stringify(claims()).encode(),
        OctKey.import_key(session_key(OLD_SECRET)),
        algorithms=["dir", "A256CBC-HS512"],
    )
    assert codec("jwe", SECRET, OLD_SECRET).decode(token, now=NOW) is None


# --- expiry ---------------------------------------------------------------------------------------------------------


def test_compact_expires_at_expires_at() -> None:
    """S10: the compact copy is believed until `expiresAt`, not a millisecond longer."""
    compact = codec("compact")
    assert compact.decode(BA_COMPACT, now=NOW + MAX_AGE - timedelta(milliseconds=1)) is not None
    assert compact.decode(BA_COMPACT, now=NOW + MAX_AGE) is None
    assert compact.decode(BA_COMPACT, now=NOW + timedelta(days=1)) is None


@pytest.mark.parametrize("strategy", ["jwt", "jwe"])
def test_jwt_and_jwe_expire_at_exp_without_tolerance(strategy: CacheStrategy) -> None:
    """S10 for jwt/jwe: believed until `exp`, not a millisecond longer. (better-auth's get-session compares the
    copy's `exp` with now, whatever tolerance jose allowed while decoding it.)"""
    found = codec(strategy).decode(BA_VALUES[strategy], now=NOW + MAX_AGE - timedelta(milliseconds=1))
    assert_ba_payload(found)
    assert codec(strategy).decode(BA_VALUES[strategy], now=NOW + MAX_AGE) is None
    assert codec(strategy).decode(BA_VALUES[strategy], now=NOW + MAX_AGE + timedelta(seconds=14)) is None
    assert codec(strategy).decode(BA_VALUES[strategy], now=NOW + timedelta(hours=1)) is None


@pytest.mark.parametrize("strategy", ["jwt", "jwe"])
@pytest.mark.parametrize(
    "changes",
    [{"exp": None}, {"exp": "2099-01-01"}, {"exp": True}, {"nbf": int(NOW.timestamp()) + 16}, {"iat": "now"}],
    ids=["no-exp", "string-exp", "bool-exp", "future-nbf", "string-iat"],
)
def test_jwt_and_jwe_time_claims_are_checked(strategy: CacheStrategy, changes: dict[str, Any]) -> None:
    """`exp` is required and numeric, `nbf` may not be in the future (beyond tolerance), `iat` must be numeric."""
    body = {k: v for k, v in {**claims(), **changes}.items() if v is not None}
    data = json_stringify(body).encode()
    token = jose.encode_jws(data, SECRET) if strategy == "jwt" else jose.encode_jwe(data, SECRET, salt=JWE_SALT)
    assert codec(strategy).decode(token, now=NOW) is None


# --- tampering (S10, T2) -----------------------------------------------------------------------------------------


def flip(value: str, index: int) -> str:
    char = value[index]
    replacement = "A" if char != "A" else "B"
    return value[:index] + replacement + value[index + 1 :]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_single_character_change_is_refused(strategy: CacheStrategy) -> None:
    """S10, T2: change any one character of a valid value (any segment of a JWS or JWE, any byte of the compact
    JSON, its signature or its padding bits) and it is refused, with the same None."""
    value = BA_VALUES[strategy]
    decoder = codec(strategy)
    assert decoder.decode(value, now=NOW) is not None
    accepted = [index for index in range(len(value)) if decoder.decode(flip(value, index), now=NOW) is not None]
    assert accepted == []


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_non_canonical_base64_spellings_are_refused(strategy: CacheStrategy) -> None:
    """A last character that differs only in unused low bits decodes to the same bytes; it is still refused."""
    for bio in ("", "x", "xy"):  # lengths with 2, 4 or 0 unused bits somewhere
        value = codec(strategy).encode(BA_SESSION, {**BA_USER, "bio": bio}, version="1", now=NOW, max_age=MAX_AGE)
        for segment_end in [i for i, c in enumerate(value) if c == "."] + [len(value)]:
            last = segment_end - 1
            if last < 0 or value[last] == ".":
                continue
            spare_bits = {2: 4, 3: 2}.get(len(value[:segment_end].split(".")[-1]) % 4, 0)
            if not spare_bits:
                continue
            index = B64URL.index(value[last])
            twin = B64URL[index ^ 1]  # flip the lowest (unused) bit
            variant = value[:last] + twin + value[last + 1 :]
            assert base64.urlsafe_b64decode(variant[:segment_end].split(".")[-1] + "==") == base64.urlsafe_b64decode(
                value[:segment_end].split(".")[-1] + "=="
            )
            assert codec(strategy).decode(variant, now=NOW) is None, (bio, segment_end)


@pytest.mark.parametrize("strategy", ["jwt", "jwe"])
def test_segment_surgery_is_refused(strategy: CacheStrategy) -> None:
    """T2: dropping, emptying, duplicating or swapping segments."""
    value = BA_VALUES[strategy]
    parts = value.split(".")
    candidates = [
        ".".join(parts[:-1]),
        value + ".",
        value + "." + parts[-1],
        *(".".join([*parts[:i], "", *parts[i + 1 :]]) for i in range(len(parts)) if parts[i]),
        ".".join(parts[::-1]),
        value[:-1],
    ]
    for candidate in candidates:
        assert codec(strategy).decode(candidate, now=NOW) is None, candidate


def test_jwe_segments_from_another_token_are_refused() -> None:
    """T2: each of the 5 JWE segments swapped with the same segment of another valid token."""
    other = codec("jwe").encode(BA_SESSION, BA_USER, version="1", now=NOW, max_age=MAX_AGE).split(".")
    parts = BA_JWE.split(".")
    for i in (2, 3, 4):  # header and empty encrypted key are the same in both
        mixed = [*parts[:i], other[i], *parts[i + 1 :]]
        assert codec("jwe").decode(".".join(mixed), now=NOW) is None


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(
    "value",
    ["", "a", "....", "a.b.c", "a.b.c.d.e", "é" * 40, "%7B%7D", "eyJ9", "null", "e30", "W10"],
)
def test_malformed_values_are_refused(strategy: CacheStrategy, value: str) -> None:
    assert codec(strategy).decode(value, now=NOW) is None


def test_values_of_another_strategy_are_refused() -> None:
    for strategy in STRATEGIES:
        for other in STRATEGIES:
            if other != strategy:
                assert codec(strategy).decode(BA_VALUES[other], now=NOW) is None


def signed_compact(payload: Any, expires_at: Any = NOW_MS + 300_000, secret: str = SECRET) -> str:
    signature = b64url(
        hmac.new(
            secret.encode(), json_stringify({**payload, "expiresAt": expires_at}).encode(), hashlib.sha256
        ).digest()
    )
    outer = json_stringify({"session": payload, "expiresAt": expires_at, "signature": signature})
    return b64url(outer.encode())


def test_compact_checks_the_payload_shape_after_the_signature() -> None:
    """Correctly signed but not a session cache (better-auth's `parseCookieCachePayload`): refused."""
    good = {"session": BA_SESSION, "user": BA_USER, "updatedAt": NOW_MS, "version": "1"}
    assert_ba_payload(codec("compact").decode(signed_compact(good), now=NOW))
    bad_payloads = [
        {**good, "session": "x"},
        {**good, "user": None},
        {**good, "updatedAt": "yesterday"},
        {**good, "updatedAt": True},
        {**good, "version": 1},
        {**good, "session": {k: v for k, v in BA_SESSION.items() if k != "token"}},
        {**good, "user": {k: v for k, v in BA_USER.items() if k != "id"}},
    ]
    for payload in bad_payloads:
        assert codec("compact").decode(signed_compact(payload), now=NOW) is None, payload
    assert codec("compact").decode(signed_compact(good, expires_at="soon"), now=NOW) is None


def test_compact_value_as_written_is_checked_over_its_own_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """A value laid out as `JSON.stringify` writes it is verified over the received text, never serialised again
    (the fast path of a cache hit), with the same result."""

    def refuse(value: Any) -> str:
        raise AssertionError("the payload was serialised again")

    monkeypatch.setattr(cookie_cache, "json_stringify", refuse)
    assert_ba_payload(codec("compact").decode(BA_COMPACT, now=NOW))


def test_compact_value_laid_out_otherwise_is_read_as_better_auth_reads_it() -> None:
    """better-auth parses the value and signs the parsed payload again, so spacing, escapes, member order and extra
    members do not matter to it; nor to us: such values are checked by serialising the payload again."""
    outer = json.loads(base64.urlsafe_b64decode(BA_COMPACT + "=" * (-len(BA_COMPACT) % 4)))
    reordered = {"signature": outer["signature"], "expiresAt": outer["expiresAt"], "session": outer["session"]}
    extra = {"session": outer["session"], "x": {"session": {}}, "expiresAt": outer["expiresAt"], "signature": "s"}
    extra["signature"] = outer["signature"]
    for text in [json.dumps(outer, indent=1), json.dumps(reordered, ensure_ascii=False), json_stringify(extra)]:
        assert_ba_payload(codec("compact").decode(b64url(text.encode()), now=NOW))


def test_compact_payload_that_mimics_the_layout_reads_back_as_written() -> None:
    """Fields holding the layout's own seams (`,"expiresAt":`, `,"signature":"`, braces) change nothing."""
    seams = '"},"expiresAt":1,"signature":"' + "A" * 43 + '"}'
    user = {**BA_USER, "name": seams, "image": ',"expiresAt":9e99}'}
    value = codec("compact").encode(BA_SESSION, user, version="1", now=NOW, max_age=MAX_AGE)
    found = codec("compact").decode(value, now=NOW)
    assert found is not None
    assert found.user == user
    assert found.expires_at == NOW + MAX_AGE


def test_missing_version_reads_as_1() -> None:
    """better-auth compares `payload.version || "1"`."""
    payload = {"session": BA_SESSION, "user": BA_USER, "updatedAt": NOW_MS}
    found = codec("compact").decode(signed_compact(payload), now=NOW)
    assert found is not None
    assert found.version == "1"


# --- algorithms, compression, size (T1, T3, T8) -------------------------------------------------------------------


def _jwe_with(header: dict[str, Any], key: Any, algorithms: list[str]) -> str:
    return jwe.encrypt_compact(
        header, json_stringify(claims()).encode(), key, registry=JWERegistry(algorithms=algorithms)
    )


def test_jwe_outside_the_allow_list_is_refused() -> None:
    """T1: only `alg dir` with `enc A256CBC-HS512` decrypts. A256GCM is in better-auth's allow-list, but it passes
    the 64-byte derived key, which GCM cannot use: better-auth 1.7.25 refuses every such token (checked in Node with
    the HKDF-32 key and both halves of the 64-byte key), and so do we."""
    key64 = session_key()
    key32 = jose.derive_key(SECRET, JWE_SALT, jose.ENCRYPTION_KEY_INFO, 32)
    rsa = RSAKey.generate_key(2048)
    tokens = {
        "A128GCM": _jwe_with({"alg": "dir", "enc": "A128GCM"}, OctKey.import_key(key64[:16]), ["dir", "A128GCM"]),
        "A256GCM hkdf-32": _jwe_with({"alg": "dir", "enc": "A256GCM"}, OctKey.import_key(key32), ["dir", "A256GCM"]),
        "A256GCM first half": _jwe_with(
            {"alg": "dir", "enc": "A256GCM", "kid": jose.key_thumbprint(key64)},
            OctKey.import_key(key64[:32]),
            ["dir", "A256GCM"],
        ),
        "A256GCM second half": _jwe_with(
            {"alg": "dir", "enc": "A256GCM"}, OctKey.import_key(key64[32:]), ["dir", "A256GCM"]
        ),
        "A128CBC-HS256": _jwe_with(
            {"alg": "dir", "enc": "A128CBC-HS256"}, OctKey.import_key(key64[:32]), ["dir", "A128CBC-HS256"]
        ),
        "A256KW": _jwe_with(
            {"alg": "A256KW", "enc": "A256CBC-HS512"}, OctKey.import_key(key64[:32]), ["A256KW", "A256CBC-HS512"]
        ),
        "RSA-OAEP": _jwe_with({"alg": "RSA-OAEP", "enc": "A256CBC-HS512"}, rsa, ["RSA-OAEP", "A256CBC-HS512"]),
    }
    # The control: the same construction with the allowed pair is accepted.
    control = _jwe_with({"alg": "dir", "enc": "A256CBC-HS512"}, OctKey.import_key(key64), ["dir", "A256CBC-HS512"])
    assert_ba_payload(codec("jwe").decode(control, now=NOW))
    for name, token in tokens.items():
        assert codec("jwe").decode(token, now=NOW) is None, name
    # alg "none" presented as a JWE-looking or JWS value.
    none_jws = f"{b64url_json({'alg': 'none'})}.{b64url(json_stringify(claims()).encode())}."
    assert codec("jwe").decode(none_jws, now=NOW) is None
    assert codec("jwt").decode(none_jws, now=NOW) is None


def test_compressed_jwe_is_refused() -> None:
    """T3: `zip: DEF` is refused although the token is otherwise valid (joserfc's default registry, which lists
    DEF as recommended, would inflate it)."""
    key = OctKey.import_key(session_key())
    header = {"alg": "dir", "enc": "A256CBC-HS512", "zip": "DEF", "kid": jose.key_thumbprint(session_key())}
    token = _jwe_with(header, key, ["dir", "A256CBC-HS512", "DEF"])
    assert jwe.decrypt_compact(token, key).plaintext is not None  # valid, given a permissive registry
    assert codec("jwe").decode(token, now=NOW) is None


def hs256(header: dict[str, Any], payload: bytes, key: bytes) -> str:
    signing_input = f"{b64url_json(header)}.{b64url(payload)}"
    return f"{signing_input}.{b64url(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())}"


def test_jws_outside_the_allow_list_is_refused() -> None:
    """T1, T8: only HS256 with the secret. HS384/HS512 with the right secret, HS256 keyed with a public key's PEM,
    and headers with `crit` or `zip` are refused."""
    payload = json_stringify(claims()).encode()
    secret_key = OctKey.import_key(SECRET.encode())
    for alg in ("HS384", "HS512"):
        token = jws.serialize_compact({"alg": alg}, payload, secret_key, algorithms=[alg])
        assert codec("jwt").decode(token, now=NOW) is None, alg
    pem = RSAKey.generate_key(2048).as_pem(private=False)
    assert codec("jwt").decode(hs256({"alg": "HS256"}, payload, pem), now=NOW) is None
    assert codec("jwt").decode(hs256({"alg": "HS256", "crit": ["exp"]}, payload, SECRET.encode()), now=NOW) is None
    assert codec("jwt").decode(hs256({"alg": "HS256", "zip": "DEF"}, payload, SECRET.encode()), now=NOW) is None
    assert_ba_payload(codec("jwt").decode(hs256({"alg": "HS256"}, payload, SECRET.encode()), now=NOW))
    control = jws.serialize_compact({"alg": "HS256"}, payload, secret_key, algorithms=["HS256"])
    assert_ba_payload(codec("jwt").decode(control, now=NOW))


def _timed(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_oversize_values_are_refused_unread(strategy: CacheStrategy) -> None:
    """T3: a value over MAX_VALUE_LENGTH (8 KiB) is refused even when it is authentic, and quickly (it is not
    decoded at all): well under 5 ms for a 1 MiB value."""
    big_user = {**BA_USER, "bio": "x" * MAX_VALUE_LENGTH}
    authentic = codec(strategy).encode(BA_SESSION, big_user, version="1", now=NOW, max_age=MAX_AGE)
    assert len(authentic) > MAX_VALUE_LENGTH
    assert codec(strategy).decode(authentic, now=NOW) is None
    huge = authentic + "A" * (1 << 20)
    assert _timed(lambda: codec(strategy).decode(huge, now=NOW)) < 0.005
    fits = codec(strategy).encode(BA_SESSION, {**BA_USER, "bio": "x" * 5000}, version="1", now=NOW, max_age=MAX_AGE)
    assert len(fits) <= MAX_VALUE_LENGTH
    assert codec(strategy).decode(fits, now=NOW) is not None


# --- JSON.stringify ------------------------------------------------------------------------------------------------

# Node 20: `String(n)` / `JSON.stringify(n)` for each number.
JS_NUMBERS: list[tuple[float | int, str]] = [
    (0, "0"),
    (-0.0, "0"),
    (1, "1"),
    (-1, "-1"),
    (0.1, "0.1"),
    (1.5, "1.5"),
    (-0.25, "-0.25"),
    (100.0, "100"),
    (1e20, "100000000000000000000"),
    (1e21, "1e+21"),
    (123456789012345680000.0, "123456789012345680000"),
    (1.2345e21, "1.2345e+21"),
    (1e-6, "0.000001"),
    (1e-7, "1e-7"),
    (1.5e-7, "1.5e-7"),
    (0.000001234, "0.000001234"),
    (2**53, "9007199254740992"),
    (2**60, "1152921504606847000"),
    (9007199254740993, "9007199254740992"),
    (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
    (float("nan"), "null"),
    (float("inf"), "null"),
    (float("-inf"), "null"),
    (123.456, "123.456"),
    (1 / 3, "0.3333333333333333"),
    (2 / 3 * 1e-10, "6.666666666666667e-11"),
    (4.35, "4.35"),
    (0.1 + 0.2, "0.30000000000000004"),
]


@pytest.mark.parametrize(("number", "expected"), JS_NUMBERS)
def test_json_stringify_numbers_as_javascript(number: float, expected: str) -> None:
    assert json_stringify(number) == expected


def test_json_stringify_strings_and_structure_as_javascript() -> None:
    # Node 20: JSON.stringify of this string; DEL, U+2028/9 and non-ASCII stay raw, lone surrogates are escaped.
    text = 'a"b\\c\b\f\n\r\t\x00\x1f\x7f\u2028\u2029é🚀\ud800x\udc00</script>'
    assert (
        json_stringify(text) == '"a\\"b\\\\c\\b\\f\\n\\r\\t\\u0000\\u001f\x7f\u2028\u2029é🚀\\ud800x\\udc00</script>"'
    )
    value = {"b": [1, True, None, {"z": "é"}], "a": datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=UTC), "": False}
    assert json_stringify(value) == '{"b":[1,true,null,{"z":"é"}],"a":"2026-01-02T03:04:05.006Z","":false}'
    for unsupported in ({1: "x"}, {"x": object()}, datetime(2026, 1, 1)):
        with pytest.raises(TypeError):
            json_stringify(unsupported)


# --- chunking (docs/better-auth.md#cookies; C2) ----------------------------------------------------------------------


def auth_cookies(url: str = "https://testserver") -> AuthCookies:
    return AuthCookies(settings(url=url), Keyring([SECRET]))


def written(response: Response) -> list[tuple[str, str, str]]:
    """(name, raw value, whole header) of each Set-Cookie, in order."""
    out = []
    for header in response.headers.getlist("set-cookie"):
        name, rest = header.split("=", 1)
        out.append((name, rest.split(";", 1)[0], header))
    return out


def browser(jar: dict[str, str], response: Response) -> dict[str, str]:
    """What a browser keeps after applying the response's Set-Cookie headers to `jar`."""
    jar = dict(jar)
    for name, value, header in written(response):
        if "Max-Age=0" in header.split("; "):
            jar.pop(name, None)
        else:
            jar[name] = value
    return jar


VALUE_10K = (B64URL * 200)[:10_000]


@pytest.mark.parametrize("url", ["https://testserver", "http://localhost:3000"])
@pytest.mark.parametrize("max_age", [MAX_AGE, None])
def test_large_value_is_split_into_chunks_that_fit(url: str, max_age: timedelta | None) -> None:
    """C2: a 10 KB value becomes `<name>.0..2`, each Set-Cookie (name, value and attributes) at most 4050 bytes, and
    reads back identical. The budget is better-auth's: 4050 minus an empty cookie named `<name>.99`."""
    cookies = auth_cookies(url)
    response = Response()
    assert cookies.set_chunked(response, cookies.session_data, VALUE_10K, max_age, {})
    sets = written(response)
    assert [name for name, _, _ in sets] == [f"{cookies.session_data}.{i}" for i in range(3)]
    assert all(len(header.encode()) <= MAX_COOKIE_SIZE for _, _, header in sets)
    budget = MAX_COOKIE_SIZE - len(cookies.serialize(f"{cookies.session_data}.99", "", max_age))
    assert [len(value) for _, value, _ in sets] == [budget, budget, 10_000 - 2 * budget]
    assert cookies.read_chunked(browser({}, response), cookies.session_data) == VALUE_10K


def test_chunks_account_for_url_encoding() -> None:
    """Values are written encodeURIComponent-encoded; the budget counts the encoded bytes."""
    cookies = auth_cookies()
    value = ("é; %ü=🚀 " * 1200)[:9000]
    response = Response()
    assert cookies.set_chunked(response, cookies.session_data, value, MAX_AGE, {})
    sets = written(response)
    assert len(sets) > 3
    assert all(len(header.encode()) <= MAX_COOKIE_SIZE for _, _, header in sets)
    assert all(";" not in raw and " " not in raw for _, raw, _ in sets)
    assert cookies.read_chunked(browser({}, response), cookies.session_data) == value


def test_value_that_fits_is_one_plain_cookie() -> None:
    cookies = auth_cookies()
    budget = MAX_COOKIE_SIZE - len(cookies.serialize(f"{cookies.session_data}.99", "", MAX_AGE))
    for size, expected in (
        (budget, [cookies.session_data]),
        (budget + 1, [f"{cookies.session_data}.{i}" for i in (0, 1)]),
    ):
        response = Response()
        assert cookies.set_chunked(response, cookies.session_data, "a" * size, MAX_AGE, {})
        assert [name for name, _, _ in written(response)] == expected
        assert all(len(header) <= MAX_COOKIE_SIZE for _, _, header in written(response))


def test_rewrite_expires_every_stale_chunk() -> None:
    """Each write first expires every cookie of that name the request carried, unless it rewrites it."""
    cookies = auth_cookies()
    name = cookies.session_data
    present = {name: "old", **{f"{name}.{i}": "old" for i in range(4)}, "other": "keep", f"{name}.x": "not ours"}
    response = Response()
    assert cookies.set_chunked(response, name, VALUE_10K[:5000], MAX_AGE, present)
    sets = written(response)
    expired = [n for n, _, header in sets if "Max-Age=0" in header]
    kept = [n for n, _, header in sets if "Max-Age=0" not in header]
    assert sorted(expired) == sorted([name, f"{name}.2", f"{name}.3"])
    assert kept == [f"{name}.0", f"{name}.1"]
    assert len({n for n, _, _ in sets}) == len(sets)  # one Set-Cookie per name
    jar = browser(present, response)
    assert cookies.read_chunked(jar, name) == VALUE_10K[:5000]
    assert jar["other"] == "keep"

    response = Response()
    assert cookies.set_chunked(response, name, "small", MAX_AGE, jar)
    assert sorted(n for n, _, header in written(response) if "Max-Age=0" in header) == [f"{name}.0", f"{name}.1"]
    assert cookies.read_chunked(browser(jar, response), name) == "small"


def test_more_than_100_chunks_is_refused() -> None:
    """C2: a value needing over 100 chunks is not written (False); stale cookies are still expired."""
    cookies = auth_cookies()
    name = cookies.session_data
    budget = MAX_COOKIE_SIZE - len(cookies.serialize(f"{name}.99", "", MAX_AGE))
    present = {f"{name}.0": "old", f"{name}.1": "old"}

    response = Response()
    assert not cookies.set_chunked(response, name, "a" * (budget * MAX_COOKIE_CHUNKS + 1), MAX_AGE, present)
    assert [(n, "Max-Age=0" in header) for n, _, header in written(response)] == [
        (f"{name}.0", True),
        (f"{name}.1", True),
    ]

    response = Response()
    assert cookies.set_chunked(response, name, "a" * (budget * MAX_COOKIE_CHUNKS), MAX_AGE, {})
    assert len(written(response)) == MAX_COOKIE_CHUNKS

    response = Response()
    assert not cookies.set_chunked(response, name, "é" * (budget * 40), MAX_AGE, {})  # 6 bytes each once encoded
    assert written(response) == []


def test_read_prefers_the_plain_cookie_then_orders_chunks_numerically() -> None:
    cookies = auth_cookies()
    name = cookies.session_data
    chunks = {f"{name}.{i}": f"<{i}>" for i in (10, 2, 0, 1, 9, 3, 4, 5, 6, 7, 8)}
    assert cookies.read_chunked(chunks, name) == "".join(f"<{i}>" for i in range(11))
    assert cookies.read_chunked({**chunks, name: "plain"}, name) == "plain"
    assert cookies.read_chunked({**chunks, name: ""}, name) == "".join(f"<{i}>" for i in range(11))
    odd = {f"{name}.01": "x", f"{name}.-1": "x", f"{name}.1e1": "x", f"{name}.": "x", f"{name}x.0": "x", "other": "x"}
    assert cookies.read_chunked(odd, name) is None
    assert cookies.read_chunked({}, name) is None
    assert cookies.read_chunked({f"{name}.0": "a%20b"}, name) == "a b"


def test_clear_chunked_and_clear_session() -> None:
    cookies = auth_cookies()
    name = cookies.session_data
    present = {f"{name}.0": "x", f"{name}.1": "x", "unrelated": "x"}
    response = Response()
    cookies.clear_chunked(response, name, present)
    assert [(n, "Max-Age=0" in h) for n, _, h in written(response)] == [
        (name, True),
        (f"{name}.0", True),
        (f"{name}.1", True),
    ]

    response = Response()
    cookies.clear_session(response)
    assert [n for n, _, _ in written(response)] == [cookies.session_token, name, cookies.dont_remember]
    response = Response()
    cookies.clear_session(response, present)
    assert [n for n, _, _ in written(response)] == [
        cookies.session_token,
        name,
        f"{name}.0",
        f"{name}.1",
        cookies.dont_remember,
    ]
    assert all("Max-Age=0" in header for _, _, header in written(response))


def test_cache_value_travels_through_chunks() -> None:
    """End to end without an app: encode a big session, chunk it, let a browser keep it, read and decode it."""
    cookies = auth_cookies()
    big_user = {**BA_USER, "bio": "b" * 4000}
    for strategy in STRATEGIES:
        value = codec(strategy).encode(BA_SESSION, big_user, version="1", now=NOW, max_age=MAX_AGE)
        response = Response()
        assert cookies.set_chunked(response, cookies.session_data, value, MAX_AGE, {})
        assert len(written(response)) == 2
        read = cookies.read_chunked(browser({}, response), cookies.session_data)
        assert read == value
        found = codec(strategy).decode(read, now=NOW)
        assert found is not None
        assert found.user == big_user
