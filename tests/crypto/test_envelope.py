"""better-auth's `$ba$` envelope (docs/better-auth.md#secrets-and-rotation): values sealed by better-auth 1.7.25 open
here, and ours round-trip.

The vectors below were produced by better-auth 1.7.25's own `symmetricEncrypt` on Node (keys `{2: new, 1: old}`,
legacy secret `legacy`); a value this module seals was checked to open with its `symmetricDecrypt`.
"""

from __future__ import annotations

import pytest

from fastapi_betterauth.crypto.envelope import EnvelopeError, is_sealed, open_sealed, purpose_keyring, seal
from fastapi_betterauth.crypto.keyring import Keyring

NEW = "new-secret-0123456789abcdefghijklmnop"
OLD = "old-secret-0123456789abcdefghijklmnop"
LEGACY = "legacy-secret-0123456789abcdefghijkl"
KEYRING = Keyring.from_versioned([(2, NEW), (1, OLD), (None, LEGACY)])

FROM_NODE_V2 = (
    "$ba$2$b99e14c56a119b80b017823dbe4e5cdb5e8f05c56c76ee2da4f0637"
    "58acdda1a2372fef018d526652ccbf292d1730fe2552911a6ba4a9afa517a"
)
FROM_NODE_V1 = (
    "$ba$1$3418a4b444e4b05b99eb9756fae7624bc68c0d49b02d2c52a5b17"
    "4daa2c24deaed7148898a5a98c0993739dc7f29f6603edf639ec9f6639b"
)
FROM_NODE_BARE = (
    "788e951d20f6d0b886d9046d0f2f3372ceec2008e63f0f6642fafcab44"
    "db908f447f36605bb6d78141f2b6be08e255e422abd0eed3f3386a06b5"
)


def test_better_auths_envelopes_open_with_the_secret_they_name() -> None:
    assert open_sealed(KEYRING, FROM_NODE_V2) == "gho_access-token-1"
    assert open_sealed(KEYRING, FROM_NODE_V1) == "refresh-token-ü"
    assert open_sealed(KEYRING, FROM_NODE_BARE) == "plain-secret-token"


def test_seal_uses_the_current_version_and_a_fresh_nonce() -> None:
    first, second = seal(KEYRING, "token"), seal(KEYRING, "token")
    assert first.startswith("$ba$2$")
    assert first != second
    assert open_sealed(KEYRING, first) == open_sealed(KEYRING, second) == "token"
    assert is_sealed(first)


def test_an_unversioned_secret_writes_bare_hex_as_better_auth_does() -> None:
    keyring = Keyring([LEGACY])
    sealed = seal(keyring, "token")
    assert not sealed.startswith("$ba$")
    assert is_sealed(sealed)
    assert open_sealed(keyring, sealed) == "token"
    assert open_sealed(keyring, FROM_NODE_BARE) == "plain-secret-token"


def test_a_rotated_keyring_still_opens_what_the_old_secret_sealed() -> None:
    before = seal(Keyring.from_versioned([(1, OLD)]), "kept")
    assert open_sealed(KEYRING, before) == "kept"


@pytest.mark.parametrize(
    "value",
    [
        FROM_NODE_V2[:-2] + ("00" if not FROM_NODE_V2.endswith("00") else "11"),  # tag tampered
        "$ba$2$" + "ab" * 30,  # too short to hold nonce and tag
        "$ba$9$" + FROM_NODE_V2[6:],  # a version the keyring does not have (retired)
        "$ba$x$00",
        "$ba$2",
        "$ba$2$zz",
        FROM_NODE_V1.replace("$ba$1$", "$ba$2$"),  # the wrong secret for this ciphertext
    ],
)
def test_tampered_truncated_or_unknown_envelopes_are_refused(value: str) -> None:
    with pytest.raises(EnvelopeError):
        open_sealed(KEYRING, value)


def test_bare_hex_opens_with_the_legacy_secret_or_any_other_configured_one() -> None:
    """Node opens bare hex with `BETTER_AUTH_SECRET`. When that secret is also a version in `BETTER_AUTH_SECRETS`
    (`2:new,1:old` with `BETTER_AUTH_SECRET=old`), the keyring lists it once, as version 1: it must still open."""
    with pytest.raises(EnvelopeError):
        open_sealed(Keyring.from_versioned([(2, NEW)]), FROM_NODE_BARE)
    assert open_sealed(Keyring.from_versioned([(2, NEW), (1, LEGACY)]), FROM_NODE_BARE) == "plain-secret-token"
    sealed_before_rotation = seal(Keyring([OLD]), "kept")
    assert open_sealed(Keyring.from_versioned([(2, NEW), (1, OLD)]), sealed_before_rotation) == "kept"


def test_purpose_keys_match_better_auths_derive_purpose_key() -> None:
    """better-auth 1.7.25 seals its `oauth_state` cookie with HKDF-derived per-purpose secrets."""
    from_node = (
        "$ba$2$0b2421af12f2a7a29a24b2bb2422d89ba37d4e813806cd1bb5de2ed331b85a408607fe0bf89866d57180fc39e707ac6cd8eb32"
        "e51ebc461e5c21aa08d59dded46c9233e882b77aa0bd12618d0865a57b759820e35d67b27889fbe1361e96146a194a8f086a19338e878"
        "7e1b2275453ac838f17eb4208939bc43ed27a59"
    )
    derived = purpose_keyring(Keyring.from_versioned([(2, NEW)]), "oauth-state-cookie")
    assert open_sealed(derived, from_node) == (
        '{"callbackURL":"/in","codeVerifier":"v","expiresAt":4102444800000,"oauthState":"abc"}'
    )
    legacy = purpose_keyring(Keyring([LEGACY]), "oauth-state-cookie")
    assert (
        open_sealed(legacy, "3253aa09dd5987fb2c58920b5f50b959f22c44295eb93e48f229e7d02aff219fd2b5855be48f42f97c") == "x"
    )
    with pytest.raises(EnvelopeError):
        open_sealed(Keyring.from_versioned([(2, NEW)]), from_node)  # the plain secret is not the purpose key
