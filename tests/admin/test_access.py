"""Roles and permissions (docs/plugins/admin.md): the default roles, `admin_user_ids`, roles set in
code or settings, `POST /admin/has-permission`, and the empty 401 of admin routes without a session."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.admin import (
    DEFAULT_ROLES,
    AccessControl,
    Admin,
    AdminOptions,
    Role,
    has_permission,
)
from fastapi_betterauth.db.models import User

from ..conftest import PASSWORD
from ..test_migrations import fresh_url, postgres_db
from .fixtures import (
    Client,
    Person,
    admin,
    admin_env,
    app,
    auth,
    clock,
    error,
    new_client,
    user,
)

__all__ = ["admin", "admin_env", "app", "auth", "clock", "fresh_url", "new_client", "postgres_db", "user"]


def test_default_roles_grant_as_better_auths() -> None:
    def allowed(role: str | None, permissions: dict[str, list[str]], user_id: str = "u1") -> bool:
        return has_permission(permissions, user_id=user_id, role=role, roles=DEFAULT_ROLES)

    assert allowed("admin", {"user": ["list", "ban"], "session": ["revoke", "delete"]})
    assert not allowed("admin", {"user": ["impersonate-admins"]})
    assert not allowed("admin", {"user": ["fly"]})
    assert not allowed("admin", {"project": ["create"]})
    assert not allowed("admin", {"user": []})
    assert not allowed("admin", {})
    assert not allowed("user", {"user": ["list"]})
    assert not allowed(None, {"user": ["list"]})  # no role: the default one
    assert not allowed("superhero", {"user": ["list"]})  # a role nobody defined grants nothing
    assert allowed("user,admin", {"user": ["ban"]})  # several roles: any one of them may grant it
    assert has_permission(
        {"anything": ["at-all"]}, user_id="root", role=None, roles=DEFAULT_ROLES, admin_user_ids=["root"]
    )


def test_a_role_can_ask_for_any_one_of_several_actions() -> None:
    role = Role({"user": ("list",)})
    assert role.authorize({"user": {"actions": ["ban", "list"], "connector": "OR"}}).success
    assert not role.authorize({"user": ["ban", "list"]}).success
    assert role.authorize({"user": ["list"], "project": ["x"]}, connector="OR").success


def test_roles_are_checked_against_the_statements_and_admin_roles_must_exist() -> None:
    ac = AccessControl({"project": ["create", "delete"]})
    with pytest.raises(ValueError, match="no statements"):
        ac.new_role({"project": ["create", "launch"]})
    with pytest.raises(ValidationError, match="admin_roles"):
        AdminOptions(admin_roles=["owner"])
    with pytest.raises(ValidationError, match="resource -> list of actions"):
        AdminOptions(roles={"support": {"user": "list"}})


async def test_has_permission_answers_for_the_signed_in_user(admin: Person, user: Person) -> None:
    async def check(client: httpx.AsyncClient, permissions: object) -> bool:
        answer = await client.post("/admin/has-permission", json={"permissions": permissions})
        assert answer.status_code == 200, answer.text
        assert set(answer.json()) == {"error", "success"}
        assert answer.json()["error"] is None
        result: bool = answer.json()["success"]
        return result

    assert await check(admin.client, {"user": ["list", "ban"], "session": ["revoke"]})
    assert not await check(admin.client, {"user": ["impersonate-admins"]})
    assert not await check(admin.client, {"project": ["create"]})
    assert not await check(user.client, {"user": ["list"]})
    # with a session, the body's role and userId are not the caller's
    answer = await user.client.post(
        "/admin/has-permission", json={"permissions": {"user": ["list"]}, "role": "admin", "userId": admin.id}
    )
    assert answer.json()["success"] is False


async def test_has_permission_body_as_better_auth_reads_it(admin: Person) -> None:
    only_permission = await admin.client.post("/admin/has-permission", json={"permission": {"user": ["list"]}})
    assert only_permission.status_code == 400
    assert only_permission.json() == {"message": "invalid permission check. no permission(s) were passed."}
    both = await admin.client.post(
        "/admin/has-permission", json={"permission": {"user": ["list"]}, "permissions": {"user": ["list"]}}
    )
    assert error(both) == (400, "VALIDATION_ERROR")


async def test_admin_routes_without_a_session_answer_401_with_an_empty_body(new_client: Client, user: Person) -> None:
    client = new_client()
    for method, path, body in (
        ("POST", "/admin/create-user", {"email": "x@example.com", "password": "p-12345678", "name": "x"}),
        ("GET", "/admin/list-users", None),
        ("POST", "/admin/set-role", {"userId": user.id, "role": "admin"}),
        ("POST", "/admin/ban-user", {"userId": user.id}),
        ("POST", "/admin/remove-user", {"userId": user.id}),
        ("POST", "/admin/has-permission", {"permissions": {"user": ["list"]}}),
        ("POST", "/admin/stop-impersonating", {}),
        ("POST", "/admin/impersonate-user", {"userId": user.id}),
    ):
        answer = await client.request(method, path, json=body)
        assert answer.status_code == 401, (path, answer.text)
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.content == b""


class TestConfiguredRoles:
    """Roles from settings: JSON in the environment, `admin_user_ids` for the first admin."""

    @pytest.fixture
    def admin_env(self) -> dict[str, str]:
        return {
            "BETTER_AUTH_PLUGINS__ADMIN__ROLES": '{"admin": {"user": ["list", "set-role", "get"]}, '
            '"support": {"user": ["list", "get"]}, "user": {}}',
            "BETTER_AUTH_PLUGINS__ADMIN__ADMIN_USER_IDS": '["root-id"]',
        }

    async def test_roles_from_settings_grant_what_they_list(
        self, auth: BetterAuth, admin: Person, user: Person
    ) -> None:
        options = auth.plugin(Admin).options
        assert set(options.active_roles) == {"admin", "support", "user"}
        assert options.admin_user_ids == ["root-id"]
        set_support = await admin.client.post("/admin/set-role", json={"userId": user.id, "role": "support"})
        assert set_support.status_code == 200, set_support.text
        assert (await user.client.get("/admin/list-users")).status_code == 200
        refused = await user.client.post("/admin/ban-user", json={"userId": admin.id})
        assert error(refused) == (403, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS")
        # with configured roles, only those may be set
        unknown = await admin.client.post("/admin/set-role", json={"userId": user.id, "role": "superhero"})
        assert error(unknown) == (400, "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE")

    async def test_admin_user_ids_may_do_anything_whatever_their_role(self, auth: BetterAuth) -> None:
        """The first admin without touching the database: a user whose id is in `admin_user_ids`."""
        root = User(id="root-id", name="Root", email="root@example.com")
        service = auth.plugin(Admin).service
        assert service.permitted(root, {"user": ["impersonate-admins"], "project": ["anything"]})
        assert service.is_admin(root)
        assert not service.permitted(User(id="other", name="O", email="o@example.com"), {"user": ["list"]})


def test_roles_given_in_code_are_roles() -> None:
    ac = AccessControl({"project": ["create", "delete"]})
    options = AdminOptions(roles={"admin": ac.new_role({"project": ["create", "delete"]}), "user": ac.new_role({})})
    assert options.active_roles["admin"].authorize({"project": ["delete"]}).success
    assert not options.active_roles["user"].authorize({"project": ["create"]}).success


async def test_nobody_gives_themselves_a_role_or_lifts_their_ban(new_client: Client) -> None:
    """The admin fields are the server's: a sign-up asking for a role gets the default one, and `update-user` refuses
    them (400 `FIELD_NOT_ALLOWED`)."""
    client = new_client()
    body = {"name": "Eve", "email": "eve@example.com", "password": PASSWORD, "role": "admin", "banned": True}
    signed_up = (await client.post("/sign-up/email", json=body)).json()["user"]
    assert (signed_up["role"], signed_up["banned"]) == ("user", False)
    for field, value in (("role", "admin"), ("banned", True), ("banExpires", "2000-01-01T00:00:00Z")):
        answer = await client.post("/update-user", json={field: value})
        assert error(answer) == (400, "FIELD_NOT_ALLOWED"), field
    assert (await client.get("/admin/list-users")).status_code == 403


async def test_the_admin_routes_are_documented(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert {path for path in paths if "/admin/" in path} == {
        f"/api/auth/admin/{name}"
        for name in (
            "create-user",
            "get-user",
            "list-users",
            "set-role",
            "update-user",
            "ban-user",
            "unban-user",
            "set-user-password",
            "remove-user",
            "has-permission",
            "list-user-sessions",
            "revoke-user-session",
            "revoke-user-sessions",
            "impersonate-user",
            "stop-impersonating",
        )
    }
    listed = [parameter["name"] for parameter in paths["/api/auth/admin/list-users"]["get"]["parameters"]]
    assert {"searchValue", "filterField", "sortBy", "limit", "offset"} <= set(listed)
    assert [parameter["name"] for parameter in paths["/api/auth/admin/get-user"]["get"]["parameters"]] == ["id"]
