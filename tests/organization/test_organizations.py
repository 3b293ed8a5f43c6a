"""The organization plugin switched on from settings alone: creating an organization makes its creator the owner
and a member of a default team, the active organization shows in `get-session`, and the rows are better-auth's."""

from __future__ import annotations

import hashlib
import json
from base64 import urlsafe_b64encode

from sqlalchemy import column, func, select, table

from fastapi_betterauth import BetterAuth

from ..test_migrations import fresh_url, postgres_db
from .fixtures import (
    Client,
    Person,
    app,
    auth,
    clock,
    create_org,
    error,
    join,
    new_client,
    org_env,
    outbox,
    owner,
    sign_up,
)

__all__ = ["app", "auth", "clock", "fresh_url", "new_client", "org_env", "outbox", "owner", "postgres_db"]

# Better-auth's columns, read with the database's own quoting (MySQL quotes names with backticks).
team_table = table("team", column("id"), column("memberCount"))
team_member_table = table("teamMember", column("membershipKey"))


async def test_create_makes_an_owner_a_default_team_and_an_active_organization(owner: Person) -> None:
    created = await create_org(owner, metadata={"plan": "pro"})
    assert (created["members"][0]["role"], created["members"][0]["userId"]) == ("owner", owner.id)
    assert created["metadata"] == {"plan": "pro"}
    session = await owner.session()
    assert session["activeOrganizationId"] == created["id"]
    teams = (await owner.client.get("/organization/list-teams")).json()
    assert [team["name"] for team in teams] == ["Acme"]
    assert session["activeTeamId"] == teams[0]["id"]
    listed = (await owner.client.get("/organization/list")).json()
    assert listed[0]["metadata"] == '{"plan":"pro"}'  # reads answer the stored JSON text, as better-auth's do


async def test_team_rows_are_better_auths(auth: BetterAuth, owner: Person) -> None:
    """A Node better-auth app sharing the database finds the same `membershipKey` and `memberCount` it writes."""
    await create_org(owner)
    async with auth.database.session() as db:
        (team_id, count), *_ = (await db.exec(select(team_table.c.id, team_table.c.memberCount))).all()  # type: ignore[call-overload]
        (key,) = (await db.exec(select(team_member_table.c.membershipKey))).one()  # type: ignore[call-overload]
    digest = hashlib.sha256(json.dumps([team_id, owner.id], separators=(",", ":")).encode()).digest()
    assert key == urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert count == 1


async def test_slugs_are_unique(owner: Person, new_client: Client) -> None:
    await create_org(owner)
    other = await sign_up(new_client, "other@example.com")
    assert error(await other.post("create", {"name": "Copy", "slug": "acme"})) == (400, "ORGANIZATION_ALREADY_EXISTS")
    assert error(await other.post("check-slug", {"slug": "acme"})) == (400, "ORGANIZATION_SLUG_ALREADY_TAKEN")
    assert await other.ok("check-slug", {"slug": "ACME"}) == {"status": True}  # case-sensitive, as better-auth's


async def test_update_with_no_changes_answers_the_organization(owner: Person) -> None:
    """better-auth answers an empty `data` with a 500; here the organization as it is (README differences)."""
    created = await create_org(owner)
    assert (await owner.ok("update", {"data": {}}))["id"] == created["id"]


async def test_deleting_an_organization_removes_its_rows(auth: BetterAuth, owner: Person, new_client: Client) -> None:
    created = await create_org(owner)
    member = await sign_up(new_client, "member@example.com")
    await join(owner, member, created["id"])
    await owner.ok("delete", {"organizationId": created["id"]})
    async with auth.database.session() as db:
        for name in ("organization", "member", "invitation", "team", "teamMember"):
            (count,) = (await db.exec(select(func.count()).select_from(table(name)))).one()  # type: ignore[call-overload]
            assert count == 0, name
    assert (await owner.session())["activeOrganizationId"] is None


async def test_member_count_follows_team_memberships(auth: BetterAuth, owner: Person, new_client: Client) -> None:
    """better-auth's `team.memberCount` (a Node app's seat counter) follows adding, removing and a member's removal."""
    created = await create_org(owner)
    member = await sign_up(new_client, "member@example.com")
    joined = await join(owner, member, created["id"])
    [team] = (await owner.client.get("/organization/list-teams")).json()

    async def count() -> int:
        async with auth.database.session() as db:
            statement = select(team_table.c.memberCount).where(team_table.c.id == team["id"])
            (value,) = (await db.exec(statement)).one()  # type: ignore[call-overload]
        return int(value)

    await owner.ok("add-team-member", {"teamId": team["id"], "userId": member.id})
    assert await count() == 2
    await owner.ok("remove-member", {"memberIdOrEmail": joined["id"]})
    assert await count() == 1
    assert error(await owner.post("update-team", {"teamId": team["id"], "data": {"name": ""}})) == (
        400,
        "VALIDATION_ERROR",
    )
