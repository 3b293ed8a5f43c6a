"""Secret rotation with better-auth 1.7.25's `secrets` option (`BETTER_AUTH_SECRETS="2:new,1:old"`, newest first) set
alike on both sides: the `rotated` instances, whose cookie cache is `jwe`."""

from __future__ import annotations

import pytest

from .conftest import HereFactory, Interop, NodeFactory
from .support import SESSION_DATA, execute, new_email, only_token

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("direction", ["node-to-here", "here-to-node"])
async def test_sessions_and_jwe_copies_made_after_rotating_cross_both_ways(
    interop: Interop, direction: str, node: NodeFactory, here: HereFactory
) -> None:
    theirs, ours = node("rotated"), await here("rotated")
    maker, user = (theirs, ours) if direction == "node-to-here" else (ours, theirs)
    made, cookies = await maker.sign_up(new_email())
    assert SESSION_DATA in cookies

    found = await user.get_session(only_token(cookies))
    assert found is not None
    assert found["user"]["id"] == made["user"]["id"]
    # Signed with the new secret (version 2): an app that knows only the old one refuses it.
    assert await node("plain").get_session(only_token(cookies)) is None
    assert await (await here("plain")).get_session(only_token(cookies)) is None
    # The encrypted copy (its `kid` names the new key) is read on the other side too.
    await execute(interop.databases["node-first"], "DELETE FROM session WHERE token = $1", made["token"])
    cached = await user.get_session(cookies)
    assert cached is not None
    assert cached["session"]["token"] == made["token"]


async def test_a_session_signed_before_rotating_survives_here_but_not_on_node(
    node: NodeFactory, here: HereFactory
) -> None:
    """The deliberate difference (docs/better-auth.md#differences-on-purpose): here every listed secret verifies signed
    cookies; better-auth checks them against the newest secret only, so rotating signs its users out."""
    made, cookies = await node("plain").sign_up(new_email())  # signed with the old secret, version 1

    kept = await (await here("rotated")).get_session(cookies)

    assert kept is not None
    assert kept["user"]["id"] == made["user"]["id"]
    assert await node("rotated").get_session(cookies) is None
