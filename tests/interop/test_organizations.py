"""better-auth's organization plugin on both sides of one database: an organization made on one side is the same
organization on the other, an invitation made on one side is accepted on the other (docs/security.md M2: once), and
both then agree on the members, their roles, the teams and the session's active organization."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from .conftest import HereFactory, NodeFactory
from .support import Side, new_email

pytestmark = pytest.mark.postgres

DIRECTIONS = ("node-to-here", "here-to-node")


async def ok(side: Side, method: str, path: str, cookies: dict[str, str], json: Any = None) -> Any:
    answer = await side.call(method, f"/api/auth/organization/{path}", cookies=cookies, json=json)
    assert answer.status_code == 200, f"{side.name} {path}: {answer.status_code} {answer.text}"
    return answer.json()


@pytest.mark.parametrize("direction", DIRECTIONS)
async def test_an_invitation_made_on_one_side_is_accepted_on_the_other(
    order: str, direction: str, node: NodeFactory, here: HereFactory
) -> None:
    theirs, ours = node("plain", order), await here("plain", order)
    maker, joiner = (theirs, ours) if direction == "node-to-here" else (ours, theirs)
    _, owner = await maker.sign_up(new_email())
    slug = f"shared-{secrets.token_hex(4)}"
    created = await ok(maker, "POST", "create", owner, {"name": "Shared", "slug": slug, "metadata": {"plan": "pro"}})
    invitee_email = new_email()
    _, invitee = await joiner.sign_up(invitee_email)
    invitation = await ok(maker, "POST", "invite-member", owner, {"email": invitee_email, "role": "admin"})

    seen = await ok(joiner, "GET", f"get-invitation?id={invitation['id']}", invitee)
    assert (seen["organizationSlug"], seen["role"]) == (slug, "admin")
    accepted = await ok(joiner, "POST", "accept-invitation", invitee, {"invitationId": invitation["id"]})
    assert accepted["member"]["organizationId"] == created["id"]
    again = await maker.call(
        "POST", "/api/auth/organization/accept-invitation", cookies=invitee, json={"invitationId": invitation["id"]}
    )
    assert (again.status_code, again.json()["code"]) == (400, "INVITATION_NOT_FOUND")

    for side, cookies in ((maker, owner), (joiner, invitee), (maker, invitee), (joiner, owner)):
        listed = await ok(side, "GET", f"list-members?organizationId={created['id']}", cookies)
        roles = sorted(member["role"] for member in listed["members"])
        assert (listed["total"], roles) == (2, ["admin", "owner"]), side.name
        [org] = await ok(side, "GET", "list", cookies)
        assert (org["slug"], org["metadata"]) == (slug, '{"plan":"pro"}'), side.name
    session = await joiner.get_session(invitee)
    assert session is not None
    assert session["session"]["activeOrganizationId"] == created["id"]

    # the admin makes a team on its side and adds itself; the owner's side sees it, and the seat count agrees
    team = await ok(joiner, "POST", "create-team", invitee, {"name": "Engineering"})
    await ok(joiner, "POST", "add-team-member", invitee, {"teamId": team["id"], "userId": accepted["member"]["userId"]})
    await ok(maker, "POST", "set-active", owner, {"organizationId": created["id"]})
    names = sorted(t["name"] for t in await ok(maker, "GET", "list-teams", owner))
    assert names == ["Engineering", "Shared"]
    members = await ok(maker, "GET", f"list-team-members?teamId={team['id']}", invitee)
    assert [m["userId"] for m in members] == [accepted["member"]["userId"]]
    # re-adding on the other side finds the same row (the same membershipKey)
    readded = await ok(maker, "POST", "add-team-member", owner, {"teamId": team["id"], "userId": members[0]["userId"]})
    assert readded["id"] == members[0]["id"]
