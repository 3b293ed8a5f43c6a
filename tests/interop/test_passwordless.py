"""Magic links and email codes issued by one side are accepted by the other, where better-auth's storage allows.

Ours are stored hashed (better-auth's `storeToken` / `storeOTP: "hashed"` formats); better-auth stores them plain by
default. So a Node app's links and codes work here either way, and ours work on a Node app configured with
`"hashed"`; a Node app left on `"plain"` cannot read ours (docs/plugins/magic-link.md, "Email one-time codes").
"""

from __future__ import annotations

import pytest

from .conftest import HereFactory, Interop, NodeFactory
from .support import new_email
from .test_links_and_provider_tokens import mailed_to

pytestmark = pytest.mark.postgres

CASES = [
    ("plain", "node-to-here", True),
    ("hashed", "node-to-here", True),
    ("hashed", "here-to-node", True),
    ("plain", "here-to-node", False),  # a Node app storing plain tokens looks ours up by the token itself
]


@pytest.mark.parametrize(("variant", "direction", "accepted"), CASES)
async def test_a_magic_link_mailed_by_one_side_signs_in_on_the_other(
    interop: Interop, variant: str, direction: str, accepted: bool, node: NodeFactory, here: HereFactory
) -> None:
    theirs, ours = node(variant), await here(variant)
    maker, user = (theirs, ours) if direction == "node-to-here" else (ours, theirs)
    outbox = interop.node_outbox if maker is theirs else interop.our_outbox
    email = new_email()
    asked = await maker.call("POST", "/api/auth/sign-in/magic-link", json={"email": email, "name": "Link"})
    assert asked.json() == {"status": True}, asked.text
    token = (await mailed_to(outbox, email))["token"]

    followed = await user.call("GET", f"/api/auth/magic-link/verify?token={token}")

    if not accepted:
        assert followed.status_code == 302
        assert followed.headers["location"].endswith("/?error=INVALID_TOKEN")
        return
    assert followed.status_code == 200, followed.text
    body = followed.json()
    assert (body["user"]["email"], body["user"]["name"], body["user"]["emailVerified"]) == (email, "Link", True)
    again = await maker.call("GET", f"/api/auth/magic-link/verify?token={token}")
    assert again.headers["location"].endswith("/?error=INVALID_TOKEN")  # used up on both sides


@pytest.mark.parametrize(("variant", "direction", "accepted"), CASES)
async def test_an_email_code_mailed_by_one_side_signs_in_on_the_other(
    interop: Interop, variant: str, direction: str, accepted: bool, node: NodeFactory, here: HereFactory
) -> None:
    theirs, ours = node(variant), await here(variant)
    maker, user = (theirs, ours) if direction == "node-to-here" else (ours, theirs)
    outbox = interop.node_outbox if maker is theirs else interop.our_outbox
    email = new_email()
    asked = await maker.call(
        "POST", "/api/auth/email-otp/send-verification-otp", json={"email": email, "type": "sign-in"}
    )
    assert asked.json() == {"success": True}, asked.text
    otp = (await mailed_to(outbox, email))["otp"]

    signed_in = await user.call("POST", "/api/auth/sign-in/email-otp", json={"email": email, "otp": otp})

    if not accepted:
        assert (signed_in.status_code, signed_in.json()["code"]) == (400, "INVALID_OTP")
        return
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["email"] == email
    again = await maker.call("POST", "/api/auth/sign-in/email-otp", json={"email": email, "otp": otp})
    assert (again.status_code, again.json()["code"]) == (400, "INVALID_OTP")
