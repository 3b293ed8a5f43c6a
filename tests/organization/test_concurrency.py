"""Races: two accepts of one invitation make one member (docs/security.md M2), and members removed or leaving at
the same time never leave an organization without an owner (docs/security.md M1)."""

from __future__ import annotations

import asyncio

import pytest

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.errors import AuthError

from ..conftest import PASSWORD
from ..test_migrations import fresh_url, postgres_db
from .fixtures import (
    Client,
    Person,
    app,
    auth,
    clock,
    create_org,
    join,
    new_client,
    org_env,
    outbox,
    owner,
    plugin,
    sign_up,
)

__all__ = ["app", "auth", "clock", "fresh_url", "new_client", "org_env", "outbox", "owner", "postgres_db"]


async def members_of(auth: BetterAuth, organization_id: str) -> list[tuple[str, str]]:
    from fastapi_betterauth.organization import store

    async with auth.database.session() as db:
        rows, _ = await store.members_page(db, organization_id, limit=None, offset=0, sort=None)
    return [(member.user_id, member.role) for member, _user in rows]


async def test_concurrent_accepts_make_one_member(auth: BetterAuth, owner: Person, new_client: Client) -> None:
    """M2: the same invitee accepts one invitation from several browsers at once."""
    created = await create_org(owner)
    invitee = await sign_up(new_client, "invitee@example.com")
    invitation = await owner.ok("invite-member", {"email": invitee.email, "role": "member"})
    browsers = [invitee.client]
    for _ in range(4):
        browser = new_client()
        signed_in = await browser.post("/sign-in/email", json={"email": invitee.email, "password": PASSWORD})
        if signed_in.status_code == 200:
            browsers.append(browser)
    answers = await asyncio.gather(
        *(b.post("/organization/accept-invitation", json={"invitationId": invitation["id"]}) for b in browsers * 2)
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(200) == 1, [a.text for a in answers]
    assert all(a.json().get("code") == "INVITATION_NOT_FOUND" for a in answers if a.status_code != 200)
    assert [u for u, _ in await members_of(auth, created["id"])].count(invitee.id) == 1


async def test_concurrent_removals_keep_an_owner(auth: BetterAuth, owner: Person, new_client: Client) -> None:
    """M1: two owners remove each other at the same moment: one removal wins, the other is refused."""
    created = await create_org(owner)
    second = await sign_up(new_client, "second@example.com")
    second_member = await join(owner, second, created["id"], "owner")
    first_member = created["members"][0]
    answers = await asyncio.gather(
        owner.post("remove-member", {"memberIdOrEmail": second_member["id"]}),
        second.post("remove-member", {"memberIdOrEmail": first_member["id"]}),
    )
    assert sorted(a.status_code for a in answers)[0] == 200
    owners = [u for u, role in await members_of(auth, created["id"]) if "owner" in role.split(",")]
    assert len(owners) == 1, answers


async def test_concurrent_leaves_keep_an_owner(auth: BetterAuth, owner: Person, new_client: Client) -> None:
    """M1: every owner leaves at once: all but one are let go."""
    created = await create_org(owner)
    others = [await sign_up(new_client, f"owner{n}@example.com") for n in range(3)]
    for other in others:
        await join(owner, other, created["id"], "owner")
    everyone = [owner, *others]
    answers = await asyncio.gather(*(p.post("leave", {"organizationId": created["id"]}) for p in everyone))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 400]
    refused = next(a for a in answers if a.status_code == 400)
    assert refused.json()["code"] == "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER"
    assert len(await members_of(auth, created["id"])) == 1


async def test_server_side_add_member(auth: BetterAuth, owner: Person, new_client: Client) -> None:
    """`add_member` (better-auth's server-only `addMember`, no HTTP route) makes a member once, with a known role."""
    created = await create_org(owner)
    other = await sign_up(new_client, "direct@example.com")
    service = plugin(auth).members
    member = await service.add_member(created["id"], other.id, ["admin"])
    assert (member.user_id, member.role) == (other.id, "admin")
    with pytest.raises(AuthError) as refused:
        await service.add_member(created["id"], other.id, ["member"])
    assert refused.value.code == "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION"
    assert (
        await other.client.post("/organization/add-member", json={"organizationId": created["id"]})
    ).status_code == 404
