"""API keys (better-auth's api-key plugin 1.7.5 on Node) made on one side authenticate `x-api-key` on the other."""

from __future__ import annotations

import pytest

from .conftest import HereFactory, NodeFactory
from .support import Side, new_email

pytestmark = pytest.mark.postgres


async def authenticates(side: Side, key: str) -> str | None:
    """The id of the user `key` signs in as at `side`: our `api_key()` provider here, better-auth's API-key sessions
    (`GET /get-session` with `x-api-key`) on Node."""
    if side.name.startswith("here"):
        response = await side.call("GET", "/key-owner", headers={"x-api-key": key})
        if response.status_code != 200:
            return None
        user_id: str = response.json()["userId"]
        return user_id
    response = await side.call("GET", "/api/auth/get-session", headers={"x-api-key": key})
    if response.status_code == 401:  # better-auth refuses an unknown key outright
        assert response.json()["code"] == "INVALID_API_KEY"
        return None
    assert response.status_code == 200, response.text
    return str(response.json()["user"]["id"])


@pytest.mark.parametrize("direction", ["node-to-here", "here-to-node"])
async def test_a_key_made_on_one_side_authenticates_on_the_other(
    order: str, direction: str, node: NodeFactory, here: HereFactory
) -> None:
    theirs, ours = node("plain", order), await here("plain", order)
    maker, user = (theirs, ours) if direction == "node-to-here" else (ours, theirs)
    email = new_email()
    made, cookies = await maker.sign_up(email)
    response = await maker.call("POST", "/api/auth/api-key/create", cookies=cookies, json={"name": "interop"})
    assert response.status_code == 200, response.text
    created = response.json()

    assert await authenticates(user, created["key"]) == made["user"]["id"]
    assert await authenticates(maker, created["key"]) == made["user"]["id"]
    assert await authenticates(user, created["key"][:-1] + ("a" if created["key"][-1] != "a" else "b")) is None
    # The other side lists it among the user's keys.
    _, other_cookies = await user.sign_in(email)
    listed = await user.call("GET", "/api/auth/api-key/list", cookies=other_cookies)
    assert listed.status_code == 200, listed.text
    assert created["id"] in listed.text
