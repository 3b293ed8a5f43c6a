"""Cookie-cache copies (`session_data`, docs/concepts/sessions.md) made on one side are believed by the other, for each
strategy, with a Node instance and our app configured alike (the `compact`, `jwt` and `jwe` instances)."""

from __future__ import annotations

import pytest

from .conftest import HereFactory, Interop, NodeFactory
from .support import SESSION_DATA, STRATEGIES, execute, new_email, only_token, tampered

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("direction", ["node-to-here", "here-to-node"])
async def test_a_copy_made_on_one_side_is_believed_by_the_other(
    interop: Interop, strategy: str, direction: str, node: NodeFactory, here: HereFactory
) -> None:
    theirs, ours = node(strategy), await here(strategy)
    maker, user = (theirs, ours) if direction == "node-to-here" else (ours, theirs)
    made, cookies = await maker.sign_up(new_email())
    assert SESSION_DATA in cookies

    # With the session row gone, only the copy can vouch for the session.
    await execute(interop.databases["node-first"], "DELETE FROM session WHERE token = $1", made["token"])
    found = await user.get_session(cookies)

    assert found is not None, f"{user.name} did not believe {maker.name}'s {strategy} copy"
    assert found["user"]["id"] == made["user"]["id"]
    assert found["user"]["email"] == made["user"]["email"]
    assert found["session"]["token"] == made["token"]
    # Believed because it verifies, not because it is there: a changed copy, or none, finds no session.
    assert await user.get_session({**cookies, SESSION_DATA: tampered(cookies[SESSION_DATA])}) is None
    assert await user.get_session(only_token(cookies)) is None
