"""Two-factor authentication enabled on one side signs in on the other, in both directions, on a database migrated by
either side first: the TOTP secret and the backup codes are sealed in the same envelope, the `twoFactor` row and
`user.twoFactorEnabled` mean the same, and a backup code spent on one side is spent on both."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import HereFactory, NodeFactory
from .support import PASSWORD, Side, cookies_set_by, new_email

pytestmark = pytest.mark.postgres

DIRECTIONS = ("node-to-here", "here-to-node")


def totp(key: bytes) -> str:
    counter = int(time.time() // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return str((struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000).zfill(6)


def settle() -> None:
    """Wait past a period boundary that is less than 3 s away: a code made now stays valid on arrival."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.2)


async def challenge(side: Side, email: str) -> dict[str, str]:
    """A password sign-in that answers the challenge: its cookies (the `two_factor` one)."""
    answer = await side.call("POST", "/api/auth/sign-in/email", json={"email": email, "password": PASSWORD})
    assert answer.json() == {"twoFactorRedirect": True, "twoFactorMethods": ["totp"]}, f"{side.name}: {answer.text}"
    return cookies_set_by(answer)


@pytest.mark.parametrize("direction", DIRECTIONS)
async def test_two_factor_enabled_on_one_side_signs_in_on_the_other(
    order: str, direction: str, node: NodeFactory, here: HereFactory
) -> None:
    theirs, ours = node("plain", order), await here("plain", order)
    maker, user = (theirs, ours) if direction == "node-to-here" else (ours, theirs)
    email = new_email()
    _, cookies = await maker.sign_up(email)
    started = await maker.call("POST", "/api/auth/two-factor/enable", cookies=cookies, json={"password": PASSWORD})
    assert started.status_code == 200, started.text
    secret = parse_qs(urlsplit(started.json()["totpURI"]).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    codes = started.json()["backupCodes"]
    settle()
    enabled = await maker.call("POST", "/api/auth/two-factor/verify-totp", cookies=cookies, json={"code": totp(key)})
    assert enabled.status_code == 200, enabled.text

    settle()
    signed_in = await user.call(
        "POST", "/api/auth/two-factor/verify-totp", cookies=await challenge(user, email), json={"code": totp(key)}
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["twoFactorEnabled"] is True
    backup = await user.call(
        "POST", "/api/auth/two-factor/verify-backup-code", cookies=await challenge(user, email), json={"code": codes[0]}
    )
    assert backup.status_code == 200, backup.text
    spent = await maker.call(
        "POST",
        "/api/auth/two-factor/verify-backup-code",
        cookies=await challenge(maker, email),
        json={"code": codes[0]},
    )
    assert spent.status_code == 401
    assert spent.json()["code"] == "INVALID_BACKUP_CODE"


@pytest.mark.parametrize("direction", DIRECTIONS)
async def test_a_challenge_opened_on_one_side_is_answered_on_the_other(
    direction: str, node: NodeFactory, here: HereFactory
) -> None:
    """The challenge (`two_factor` cookie and its verification rows) and the trusted-device cookie and record are
    kept alike: either side completes and honours the other's."""
    theirs, ours = node(), await here()
    maker, user = (theirs, ours) if direction == "node-to-here" else (ours, theirs)
    email = new_email()
    _, cookies = await maker.sign_up(email)
    started = await maker.call("POST", "/api/auth/two-factor/enable", cookies=cookies, json={"password": PASSWORD})
    secret = parse_qs(urlsplit(started.json()["totpURI"]).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    settle()
    await maker.call("POST", "/api/auth/two-factor/verify-totp", cookies=cookies, json={"code": totp(key)})

    opened = await challenge(maker, email)
    settle()
    trusted = await user.call(
        "POST", "/api/auth/two-factor/verify-totp", cookies=opened, json={"code": totp(key), "trustDevice": True}
    )
    assert trusted.status_code == 200, trusted.text
    trust = {name: value for name, value in cookies_set_by(trusted).items() if name == "better-auth.trust_device"}
    assert trust

    again = await maker.call(
        "POST", "/api/auth/sign-in/email", cookies=trust, json={"email": email, "password": PASSWORD}
    )
    assert again.status_code == 200, again.text
    assert again.json()["token"]
