"""Emailed verification links and provider tokens made by one side are used by the other.

- **Verification links**: better-auth mails an HS256 JWT signed with the secret; ours are the same, so a link mailed
  by either side verifies the address at the other's `GET /verify-email`, with one secret or a rotation.
- **Provider tokens**: OAuth access and refresh tokens stored encrypted (better-auth's `$ba$<version>$...`
  envelope) by one side are read by the other's `POST /get-access-token` (Node: `account.encryptOAuthTokens`; here:
  `social.encrypt_oauth_tokens`), with one secret and with a rotation.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from fastapi_betterauth.crypto.keyring import Keyring
from fastapi_betterauth.oauth.token_storage import ProviderTokenCipher
from fastapi_betterauth.settings import resolve_secrets

from ..conftest import settings
from .conftest import HereFactory, Interop, NodeFactory, our_settings
from .support import Side, execute, new_email

pytestmark = pytest.mark.postgres

MAIL_WAIT = 10.0


def last_mail(outbox: Path, email: str) -> dict[str, Any] | None:
    if not outbox.exists():
        return None
    lines = [json.loads(line) for line in outbox.read_text().splitlines() if line.strip()]
    found = [line for line in lines if line.get("to") == email]
    return found[-1] if found else None


async def mailed_to(outbox: Path, email: str) -> dict[str, Any]:
    """The newest message to `email` in an outbox file (the senders write after their response: wait for it)."""
    for _ in range(int(MAIL_WAIT / 0.05)):
        if (mail := last_mail(outbox, email)) is not None:
            return mail
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mail to {email} in {outbox}")


async def verified(side: Side, cookies: dict[str, str]) -> bool:
    found = await side.get_session(cookies, **{"cache-control": "no-cache"})
    assert found is not None
    return bool(found["user"]["emailVerified"])


@pytest.mark.parametrize("variant", ["plain", "rotated"])
@pytest.mark.parametrize("direction", ["node-to-here", "here-to-node"])
async def test_a_verification_link_mailed_by_one_side_verifies_on_the_other(
    interop: Interop, direction: str, variant: str, node: NodeFactory, here: HereFactory
) -> None:
    theirs, ours = node(variant), await here(variant)
    maker, user = (theirs, ours) if direction == "node-to-here" else (ours, theirs)
    outbox = interop.node_outbox if maker is theirs else interop.our_outbox
    email = new_email()
    _, cookies = await maker.sign_up(email)
    asked = await maker.call("POST", "/api/auth/send-verification-email", cookies=cookies, json={"email": email})
    assert asked.status_code == 200, asked.text
    token = (await mailed_to(outbox, email))["token"]

    followed = await user.call("GET", f"/api/auth/verify-email?token={token}")

    assert followed.status_code == 200, followed.text
    assert followed.json() == {"status": True, "user": None}
    assert await verified(maker, {key: value for key, value in cookies.items() if key.endswith("session_token")})


async def sealed_by(maker: Side, node_url: str, variant: str, token: str) -> str:
    """`token` as the maker stores it: Node's own `symmetricEncrypt` (tests/node_app/server.mjs), or our cipher with
    the keyring our app of that variant runs with."""
    if maker.name.startswith("node"):
        async with httpx.AsyncClient(base_url=node_url) as client:
            response = await client.post("/test/seal", json={"data": token})
        sealed: str = response.json()["sealed"]
        return sealed
    keyring = Keyring.from_versioned(resolve_secrets(settings(**our_settings(variant, "sqlite+aiosqlite://"))))
    ours = ProviderTokenCipher(keyring, encrypt=True).seal(token)
    assert ours is not None
    return ours


@pytest.mark.parametrize("variant", ["plain", "rotated"])
@pytest.mark.parametrize("direction", ["node-to-here", "here-to-node"])
async def test_provider_tokens_encrypted_by_one_side_are_read_by_the_other(
    interop: Interop, direction: str, variant: str, node: NodeFactory, here: HereFactory
) -> None:
    theirs, ours = node(variant), await here(variant)
    maker, user = (theirs, ours) if direction == "node-to-here" else (ours, theirs)
    made, cookies = await user.sign_up(new_email())
    access, refresh = f"gho_{uuid.uuid4().hex}", f"ghr_{uuid.uuid4().hex}"
    sealed_access = await sealed_by(maker, interop.node_app(variant), variant, access)
    sealed_refresh = await sealed_by(maker, interop.node_app(variant), variant, refresh)
    assert access not in sealed_access
    if variant == "rotated":
        assert sealed_access.startswith("$ba$2$")  # sealed with the newest secret, and says so
    row_id = f"acct-{uuid.uuid4().hex[:16]}"
    await execute(
        interop.databases["node-first"],
        'INSERT INTO account (id, "accountId", "providerId", "userId", "accessToken", "refreshToken", '
        '"accessTokenExpiresAt", scope, "createdAt", "updatedAt") '
        "VALUES ($1, $2, 'github', $3, $4, $5, now() + interval '1 hour', 'read:user', now(), now())",
        row_id,
        f"gh-{uuid.uuid4().hex[:8]}",
        made["user"]["id"],
        sealed_access,
        sealed_refresh,
    )

    answer = await user.call("POST", "/api/auth/get-access-token", cookies=cookies, json={"accountId": row_id})

    assert answer.status_code == 200, answer.text
    assert answer.json()["accessToken"] == access
