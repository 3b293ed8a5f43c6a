"""`current_member`, `active_organization` and `require_org_permission` guard an app's own tenant-scoped routes:
401 without a session, 400 without an active organization, 403 once the member is removed or without the
permission; custom roles (given in settings as JSON) and hooks around the plugin's writes (docs/security.md M3)."""

from __future__ import annotations

from typing import Annotated, Any

import httpx2 as httpx
import pytest
from fastapi import Depends, FastAPI

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.errors import AuthError, ErrorCode
from fastapi_betterauth.organization import (
    Membership,
    OrganizationHooks,
    active_organization,
    current_member,
    require_org_permission,
)
from fastapi_betterauth.organization.models import Organization as OrganizationRow

from ..conftest import BASE_URL
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
    plugin,
    sign_up,
)

__all__ = ["app", "auth", "clock", "fresh_url", "new_client", "org_env", "outbox", "owner", "postgres_db"]

CUSTOM_ROLES = '{"billing": {"organization": ["update"], "invoice": ["pay"]}}'


@pytest.fixture
async def tenant_app(app: FastAPI) -> FastAPI:
    @app.get("/projects")
    async def projects(membership: Annotated[Membership, Depends(current_member)]) -> dict[str, Any]:
        return {"organization": membership.organization.id, "role": membership.member.role}

    @app.get("/org-name")
    async def org_name(organization: Annotated[OrganizationRow, Depends(active_organization)]) -> dict[str, Any]:
        return {"name": organization.name}

    @app.post("/invoices/pay")
    async def pay(membership: Annotated[Membership, Depends(require_org_permission({"invoice": ["pay"]}))]) -> Any:
        return {"paid_by": membership.member.user_id}

    return app


async def get(client: httpx.AsyncClient, path: str) -> httpx.Response:
    return await client.get(BASE_URL + path)


async def test_tenant_scoped_routes(tenant_app: FastAPI, owner: Person, new_client: Client) -> None:
    nobody = await get(new_client(), "/projects")
    assert (nobody.status_code, nobody.json()["code"]) == (401, "UNAUTHORIZED")
    assert error(await get(owner.client, "/projects")) == (400, "NO_ACTIVE_ORGANIZATION")
    created = await create_org(owner)
    assert (await get(owner.client, "/projects")).json() == {"organization": created["id"], "role": "owner"}
    assert (await get(owner.client, "/org-name")).json() == {"name": "Acme"}
    member = await sign_up(new_client, "member@example.com")
    joined = await join(owner, member, created["id"])
    assert (await get(member.client, "/projects")).json()["role"] == "member"
    await owner.ok("remove-member", {"memberIdOrEmail": joined["id"]})
    # the removed member's session still names the organization: the membership is checked anew
    assert (await member.session())["activeOrganizationId"] == created["id"]
    assert error(await get(member.client, "/projects")) == (403, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION")


@pytest.mark.parametrize("org_env", [{"BETTER_AUTH_PLUGINS__ORGANIZATION__ROLES": CUSTOM_ROLES}])
async def test_custom_roles_from_settings(tenant_app: FastAPI, owner: Person, new_client: Client) -> None:
    created = await create_org(owner)
    member = await sign_up(new_client, "billing@example.com")
    joined = await join(owner, member, created["id"], "member")
    pay = await member.client.post(BASE_URL + "/invoices/pay")
    assert (pay.status_code, pay.json()["code"]) == (403, "ORGANIZATION_PERMISSION_DENIED")
    await owner.ok("update-member-role", {"memberId": joined["id"], "role": "billing"})
    assert (await member.client.post(BASE_URL + "/invoices/pay")).json() == {"paid_by": member.id}
    assert await member.ok("has-permission", {"permissions": {"invoice": ["pay"]}}) == {"error": None, "success": True}
    assert (await member.ok("update", {"data": {"name": "Billed"}}))["name"] == "Billed"
    assert error(await owner.post("update-member-role", {"memberId": joined["id"], "role": "boss"})) == (
        400,
        "ROLE_NOT_FOUND",
    )


async def test_hooks_run_around_create_invite_accept_remove(
    auth: BetterAuth, owner: Person, new_client: Client
) -> None:
    seen: list[str] = []

    async def refuse_outsiders(data: dict[str, Any]) -> dict[str, Any] | None:
        seen.append("before_create_invitation")
        if not data["email"].endswith("@example.com"):
            raise AuthError(ErrorCode.BAD_REQUEST, 400, "Only company addresses")
        return None

    async def record(name: str) -> Any:
        async def hook(data: dict[str, Any]) -> None:
            seen.append(name)

        return hook

    async def rename(data: dict[str, Any]) -> dict[str, Any]:
        seen.append("before_create_organization")
        return {"name": data["name"].upper()}

    options = plugin(auth).options
    hooks = OrganizationHooks(
        before_create_organization=rename,
        after_create_organization=await record("after_create_organization"),
        before_create_invitation=refuse_outsiders,
        after_create_invitation=await record("after_create_invitation"),
        before_accept_invitation=await record("before_accept_invitation"),
        after_accept_invitation=await record("after_accept_invitation"),
        before_remove_member=await record("before_remove_member"),
        after_remove_member=await record("after_remove_member"),
    )
    object.__setattr__(options, "hooks", hooks)  # as if given in code: OrganizationOptions(hooks=...)
    created = await create_org(owner)
    assert created["name"] == "ACME"
    refused = await owner.post("invite-member", {"email": "x@elsewhere.test", "role": "member"})
    assert (refused.status_code, refused.json()["message"]) == (400, "Only company addresses")
    member = await sign_up(new_client, "member@example.com")
    joined = await join(owner, member, created["id"])
    await owner.ok("remove-member", {"memberIdOrEmail": joined["id"]})
    assert seen == [
        "before_create_organization",
        "after_create_organization",
        "before_create_invitation",
        "before_create_invitation",
        "after_create_invitation",
        "before_accept_invitation",
        "after_accept_invitation",
        "before_remove_member",
        "after_remove_member",
    ]
