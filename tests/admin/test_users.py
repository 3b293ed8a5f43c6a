"""User management by an admin: create-user, get-user, list-users (search, filter, sort, pages), set-role,
update-user, set-user-password and remove-user, with better-auth's answers and the route-specific 403s."""

from __future__ import annotations

import httpx2 as httpx
import pytest

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
    sign_in,
    user,
)

__all__ = ["admin", "admin_env", "app", "auth", "clock", "fresh_url", "new_client", "postgres_db", "user"]


async def create(admin: Person, **body: object) -> dict[str, object]:
    body.setdefault("name", "Made By Admin")
    answer = await admin.client.post("/admin/create-user", json=body)
    assert answer.status_code == 200, answer.text
    made: dict[str, object] = answer.json()["user"]
    return made


async def test_create_user(admin: Person, new_client: Client) -> None:
    answer = await admin.client.post(
        "/admin/create-user", json={"email": "New@Example.COM", "password": PASSWORD, "name": "New"}
    )
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"user"}
    made = answer.json()["user"]
    assert (made["email"], made["role"], made["banned"], made["emailVerified"]) == (
        "new@example.com",
        "user",
        False,
        False,
    )
    assert "set-cookie" not in answer.headers  # the admin's own session is untouched
    signed_in = await sign_in(new_client(), "new@example.com")
    assert signed_in.json()["user"]["id"] == made["id"]
    with_data = await create(
        admin,
        email="data@example.com",
        password=PASSWORD,
        role=["admin", "user"],
        data={"emailVerified": True, "image": "https://img.example/a.png", "username": "Data_One"},
    )
    assert (with_data["role"], with_data["emailVerified"], with_data["username"]) == ("admin,user", True, "data_one")


async def test_create_user_refusals(admin: Person, user: Person) -> None:
    async def refused(body: dict[str, object]) -> tuple[int, str | None]:
        return error(await admin.client.post("/admin/create-user", json=body))

    base = {"email": "fresh@example.com", "password": PASSWORD, "name": "X"}
    assert await refused({**base, "email": user.email.upper()}) == (400, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
    assert await refused({**base, "email": "not-an-email"}) == (400, "INVALID_EMAIL")
    assert await refused({**base, "password": "x" * 129}) == (400, "PASSWORD_TOO_LONG")
    # unlike better-auth, the password policy holds for passwords an admin sets too
    assert await refused({**base, "password": "short"}) == (400, "PASSWORD_TOO_SHORT")
    missing = await admin.client.post("/admin/create-user", json={"email": "a@example.com", "password": PASSWORD})
    assert missing.json()["message"] == "[body.name] Invalid input: expected string, received undefined"
    by_user = await user.client.post("/admin/create-user", json=base)
    assert error(by_user) == (403, "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS")


async def test_a_user_created_without_password_gets_one_from_set_user_password(
    admin: Person, new_client: Client
) -> None:
    made = await create(admin, email="nopw@example.com")
    assert error(await sign_in(new_client(), "nopw@example.com")) == (401, "INVALID_EMAIL_OR_PASSWORD")
    answer = await admin.client.post("/admin/set-user-password", json={"userId": made["id"], "newPassword": PASSWORD})
    assert answer.json() == {"status": True}
    assert (await sign_in(new_client(), "nopw@example.com")).status_code == 200


async def test_set_user_password(admin: Person, user: Person, new_client: Client) -> None:
    answer = await admin.client.post(
        "/admin/set-user-password", json={"userId": user.id, "newPassword": "brand-new-pass-1"}
    )
    assert answer.json() == {"status": True}
    assert error(await sign_in(new_client(), user.email)) == (401, "INVALID_EMAIL_OR_PASSWORD")
    assert (await sign_in(new_client(), user.email, "brand-new-pass-1")).status_code == 200
    assert (await user.client.get("/get-session")).json()["user"]["id"] == user.id  # sessions stay

    async def refused(body: dict[str, object]) -> httpx.Response:
        return await admin.client.post("/admin/set-user-password", json=body)

    assert error(await refused({"userId": user.id, "newPassword": "short"})) == (400, "PASSWORD_TOO_SHORT")
    empty = await refused({"userId": user.id, "newPassword": ""})
    assert empty.json()["message"] == "[body.newPassword] newPassword cannot be empty"
    assert error(await refused({"userId": "nobody", "newPassword": "brand-new-pass-1"})) == (404, "USER_NOT_FOUND")


async def test_get_user(admin: Person, user: Person) -> None:
    answer = await admin.client.get("/admin/get-user", params={"id": user.id})
    assert (answer.json()["id"], answer.json()["email"], answer.json()["role"]) == (user.id, user.email, "user")
    assert error(await admin.client.get("/admin/get-user", params={"id": "nobody"})) == (404, "USER_NOT_FOUND")
    missing = await admin.client.get("/admin/get-user")
    assert missing.json()["message"] == "[query.id] Invalid input: expected string, received undefined"
    by_user = await user.client.get("/admin/get-user", params={"id": admin.id})
    assert error(by_user) == (403, "YOU_ARE_NOT_ALLOWED_TO_GET_USER")


@pytest.fixture
async def trio(admin: Person) -> dict[str, str]:
    """'team alpha|bravo|charlie', made in the order charlie, alpha, bravo; bravo is an admin."""
    ids = {}
    for name in ("charlie", "alpha", "bravo"):
        made = await create(admin, email=f"list-{name}@team.example", name=f"team {name}", password=PASSWORD)
        ids[name] = str(made["id"])
    await admin.client.post("/admin/set-role", json={"userId": ids["bravo"], "role": "admin"})
    return ids


async def names(admin: Person, **params: object) -> list[str]:
    answer = await admin.client.get("/admin/list-users", params=params)
    assert answer.status_code == 200, answer.text
    return [user["name"].split(" ", 1)[1] for user in answer.json()["users"]]


async def test_list_users_search_sort_and_pages(admin: Person, trio: dict[str, str]) -> None:
    everyone = await admin.client.get("/admin/list-users")
    assert set(everyone.json()) == {"users", "total"}
    assert everyone.json()["total"] == 4
    assert sorted(await names(admin, searchValue="@team.")) == ["alpha", "bravo", "charlie"]
    by_name = {"searchValue": "team", "searchField": "name", "searchOperator": "starts_with", "sortBy": "name"}
    assert await names(admin, **by_name) == ["alpha", "bravo", "charlie"]
    assert await names(admin, **by_name, sortDirection="desc") == ["charlie", "bravo", "alpha"]
    assert await names(admin, searchValue="pha", searchField="name", searchOperator="ends_with") == ["alpha"]
    page = await admin.client.get("/admin/list-users", params={**by_name, "limit": 2})
    assert (page.json()["total"], page.json()["limit"], "offset" in page.json()) == (3, 2, False)
    second = await admin.client.get("/admin/list-users", params={**by_name, "limit": 2, "offset": 2})
    assert [u["name"] for u in second.json()["users"]] == ["team charlie"]
    assert (second.json()["limit"], second.json()["offset"]) == (2, 2)
    bad_field = await admin.client.get("/admin/list-users", params={"searchValue": "x", "searchField": "role"})
    assert bad_field.json()["message"] == '[query.searchField] Invalid option: expected one of "email"|"name"'


async def test_list_users_filters(admin: Person, trio: dict[str, str]) -> None:
    team = {"searchValue": "team", "searchField": "name", "sortBy": "name"}
    assert await names(admin, **team, filterField="role", filterValue="admin") == ["bravo"]
    assert await names(admin, **team, filterField="role", filterValue="admin", filterOperator="ne") == [
        "alpha",
        "charlie",
    ]
    assert await names(admin, filterValue="list-alpha@team.example") == ["alpha"]  # email, eq by default
    assert await names(admin, **team, filterField="banned", filterValue="false") == ["alpha", "bravo", "charlie"]


async def test_list_users_names_what_it_cannot_sort_or_filter_by(admin: Person, user: Person) -> None:
    """Unlike better-auth (an empty list, the database error swallowed), an unknown field is a 400 naming it."""
    unsorted = await admin.client.get("/admin/list-users", params={"sortBy": "noSuchColumn"})
    assert error(unsorted) == (400, "INVALID_SORT_FIELD")
    unfiltered = await admin.client.get("/admin/list-users", params={"filterField": "noSuchColumn", "filterValue": "x"})
    assert error(unfiltered) == (400, "INVALID_FILTER_FIELD")
    assert error(await user.client.get("/admin/list-users")) == (403, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS")


async def test_set_role_counts_at_once(admin: Person, user: Person) -> None:
    answer = await admin.client.post("/admin/set-role", json={"userId": user.id, "role": "admin"})
    assert set(answer.json()) == {"user"}
    assert answer.json()["user"]["role"] == "admin"
    assert (await user.client.get("/admin/list-users", params={"limit": 1})).status_code == 200
    several = await admin.client.post("/admin/set-role", json={"userId": user.id, "role": ["user", "admin"]})
    assert several.json()["user"]["role"] == "user,admin"
    await admin.client.post("/admin/set-role", json={"userId": user.id, "role": "user"})
    assert (await user.client.get("/admin/list-users")).status_code == 403
    free_text = await admin.client.post("/admin/set-role", json={"userId": user.id, "role": "superhero"})
    assert free_text.json()["user"]["role"] == "superhero"  # the default roles take any text (it grants nothing)
    missing = await admin.client.post("/admin/set-role", json={"userId": user.id})
    assert missing.json()["message"] == "[body.role] Invalid input"
    assert error(await admin.client.post("/admin/set-role", json={"userId": "nobody", "role": "user"})) == (
        404,
        "USER_NOT_FOUND",
    )


async def test_update_user(admin: Person, user: Person) -> None:
    answer = await admin.client.post(
        "/admin/update-user",
        json={"userId": user.id, "data": {"name": "Renamed", "email": "Moved@Example.com", "unknown": 1}},
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["id"], answer.json()["name"], answer.json()["email"]) == (
        user.id,
        "Renamed",
        "moved@example.com",
    )
    assert (await user.client.get("/get-session")).json()["user"]["name"] == "Renamed"

    async def refused(data: object) -> tuple[int, str | None]:
        return error(await admin.client.post("/admin/update-user", json={"userId": user.id, "data": data}))

    assert await refused({}) == (400, "NO_DATA_TO_UPDATE")
    assert await refused({"password": "x-12345678"}) == (400, "PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER")
    assert await refused({"id": "x"}) == (400, "USER_ID_CANNOT_BE_UPDATED")
    assert await refused({"role": 5}) == (400, "INVALID_ROLE_TYPE")
    assert await refused({"email": "nope"}) == (400, "INVALID_EMAIL")
    assert await refused({"email": admin.email}) == (400, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
    assert await refused({"emailVerified": "yes"}) == (400, "VALIDATION_ERROR")
    missing = await admin.client.post("/admin/update-user", json={"userId": user.id})
    assert missing.json()["message"] == "[body.data] Invalid input: expected record, received undefined"
    by_user = await user.client.post("/admin/update-user", json={"userId": admin.id, "data": {"name": "x"}})
    assert error(by_user) == (403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS")


async def test_remove_user(admin: Person, user: Person, new_client: Client) -> None:
    assert error(await user.client.post("/admin/remove-user", json={"userId": admin.id})) == (
        403,
        "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS",
    )
    answer = await admin.client.post("/admin/remove-user", json={"userId": user.id})
    assert answer.json() == {"success": True}
    assert (await user.client.get("/get-session")).json() is None
    assert error(await sign_in(new_client(), user.email)) == (401, "INVALID_EMAIL_OR_PASSWORD")
    assert error(await admin.client.post("/admin/remove-user", json={"userId": user.id})) == (404, "USER_NOT_FOUND")
    assert error(await admin.client.post("/admin/remove-user", json={"userId": admin.id})) == (
        400,
        "YOU_CANNOT_REMOVE_YOURSELF",
    )
    again = await new_client().post("/sign-up/email", json={"name": "Again", "email": user.email, "password": PASSWORD})
    assert again.status_code == 200


async def test_list_users_takes_any_page_size(admin: Person, user: Person) -> None:
    huge = await admin.client.get("/admin/list-users", params={"limit": "99999999999999999999", "offset": "abc"})
    assert huge.status_code == 200, huge.text
    assert (huge.json()["total"], huge.json()["limit"], "offset" in huge.json()) == (2, 2**31 - 1, False)
