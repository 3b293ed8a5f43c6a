"""Users, passwords and sessions made on one side are used on the other, in both directions, on a database migrated
by either side first (the `order` fixture)."""

from __future__ import annotations

import pytest

from .conftest import HereFactory, Interop, NodeFactory
from .support import PASSWORD, SESSION_TOKEN, Side, new_email, stored_password, tampered

pytestmark = pytest.mark.postgres

DIRECTIONS = ("node-to-here", "here-to-node")


async def sides(direction: str, order: str, node: NodeFactory, here: HereFactory) -> tuple[Side, Side]:
    """(where things are made, where they are used)."""
    theirs, ours = node("plain", order), await here("plain", order)
    return (theirs, ours) if direction == "node-to-here" else (ours, theirs)


@pytest.mark.parametrize("direction", DIRECTIONS)
async def test_sign_up_on_one_side_sign_in_on_the_other(
    interop: Interop, order: str, direction: str, node: NodeFactory, here: HereFactory
) -> None:
    maker, user = await sides(direction, order, node, here)
    email = new_email()
    made, _ = await maker.sign_up(email)
    stored = await stored_password(interop.databases[order], email)

    signed_in, _ = await user.sign_in(email)

    assert signed_in["user"]["id"] == made["user"]["id"]
    assert signed_in["user"]["email"] == email
    wrong = await user.call("POST", "/api/auth/sign-in/email", json={"email": email, "password": PASSWORD + "!"})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "INVALID_EMAIL_OR_PASSWORD"
    # Signing in leaves the hash as it was (scrypt), so the maker still signs the user in. Before `shared_with_node`
    # a sign-in here rehashed a Node user to argon2id, and Node then answered 500.
    assert await stored_password(interop.databases[order], email) == stored
    again, _ = await maker.sign_in(email)
    assert again["user"]["id"] == made["user"]["id"]


@pytest.mark.parametrize("direction", DIRECTIONS)
async def test_a_session_cookie_from_one_side_authenticates_at_the_other(
    order: str, direction: str, node: NodeFactory, here: HereFactory
) -> None:
    maker, user = await sides(direction, order, node, here)
    email = new_email()
    made, cookies = await maker.sign_up(email)
    assert set(cookies) == {SESSION_TOKEN}

    theirs = await user.get_session(cookies)
    own = await maker.get_session(cookies)

    assert theirs is not None
    assert own is not None
    assert theirs["user"]["id"] == own["user"]["id"] == made["user"]["id"]
    assert theirs["session"]["id"] == own["session"]["id"]
    assert theirs["session"]["token"] == own["session"]["token"] == made["token"]
    assert await user.get_session({SESSION_TOKEN: tampered(cookies[SESSION_TOKEN])}) is None


@pytest.mark.parametrize("direction", DIRECTIONS)
async def test_signing_out_on_one_side_ends_the_session_on_both(
    order: str, direction: str, node: NodeFactory, here: HereFactory
) -> None:
    maker, user = await sides(direction, order, node, here)
    email = new_email()
    _, cookies = await maker.sign_up(email)
    assert await user.get_session(cookies) is not None

    await user.sign_out(cookies)

    assert await user.get_session(cookies) is None
    assert await maker.get_session(cookies) is None
