"""Database hooks: before hooks veto or change writes; after hooks run only after commit
(docs/better-auth.md#database-hooks)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth import DatabaseHooks, ManualClock, ModelHooks, User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Session

from .conftest import AuthFactory, ConfiguredClientFactory, sign_in, sign_up


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def after(self, name: str) -> Any:
        async def hook(data: dict[str, Any]) -> None:
            self.calls.append((name, data))

        return hook

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


@pytest.fixture
def build(make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory) -> Any:
    async def build_client(hooks: DatabaseHooks) -> httpx.AsyncClient:
        return await make_configured_client(make_auth(hooks=hooks))

    return build_client


async def users(database: Database) -> list[User]:
    async with database.session() as db:
        return list((await db.exec(select(User))).all())


async def test_before_create_can_veto_sign_up(build: Any, database: Database) -> None:
    async def refuse_spam(data: dict[str, Any]) -> bool | None:
        return False if data["email"].endswith("@spam.example") else None

    client = await build(DatabaseHooks(user=ModelHooks(before_create=refuse_spam)))
    response = await sign_up(client, email="x@spam.example")
    assert response.status_code == 422
    assert response.json() == {"code": "FAILED_TO_CREATE_USER", "message": "Failed to create user"}
    assert await users(database) == []
    assert (await sign_up(client)).status_code == 200


async def test_before_create_can_change_the_row(build: Any, database: Database) -> None:
    async def tidy(data: dict[str, Any]) -> dict[str, Any]:
        return {"name": data["name"].strip().title(), "id": "attacker-chosen"}

    client = await build(DatabaseHooks(user=ModelHooks(before_create=tidy)))
    body = (await sign_up(client, name="  ann smith ")).json()
    assert body["user"]["name"] == "Ann Smith"
    assert body["user"]["id"] != "attacker-chosen"  # ids stay ours
    assert [u.name for u in await users(database)] == ["Ann Smith"]


async def test_after_hooks_run_after_commit_and_never_for_a_rollback(build: Any, database: Database) -> None:
    recorder = Recorder()

    async def refuse_sessions(data: dict[str, Any]) -> bool:
        return False

    hooks = DatabaseHooks(
        user=ModelHooks(after_create=recorder.after("user")),
        account=ModelHooks(after_create=recorder.after("account")),
        session=ModelHooks(before_create=refuse_sessions, after_create=recorder.after("session")),
    )
    client = await build(hooks)
    response = await sign_up(client)
    assert response.status_code == 401
    assert response.json()["code"] == "FAILED_TO_CREATE_SESSION"
    assert await users(database) == []  # the whole sign-up rolled back...
    assert recorder.calls == []  # ...so no after hook saw a row that does not exist


async def test_after_create_sees_the_committed_rows(build: Any, database: Database) -> None:
    recorder = Recorder()
    seen_in_database: list[bool] = []

    async def user_created(data: dict[str, Any]) -> None:
        recorder.calls.append(("user", data))
        seen_in_database.append(any(u.id == data["id"] for u in await users(database)))

    hooks = DatabaseHooks(
        user=ModelHooks(after_create=user_created),
        account=ModelHooks(after_create=recorder.after("account")),
        session=ModelHooks(after_create=recorder.after("session")),
    )
    client = await build(hooks)
    user_id = (await sign_up(client)).json()["user"]["id"]
    assert recorder.names() == ["user", "account", "session"]
    assert seen_in_database == [True]
    assert recorder.calls[1][1]["provider_id"] == "credential"
    assert "password" in recorder.calls[1][1]
    assert recorder.calls[2][1]["user_id"] == user_id


async def test_session_hooks_on_sign_in_refresh_and_revoke(build: Any, clock: ManualClock, database: Database) -> None:
    recorder = Recorder()
    hooks = DatabaseHooks(
        session=ModelHooks(
            after_create=recorder.after("create"),
            after_update=recorder.after("update"),
            after_delete=recorder.after("delete"),
        )
    )
    client = await build(hooks)
    await sign_up(client)
    await sign_in(client)
    clock.advance(timedelta(days=2))
    await client.get("/me")
    await client.post("/api/auth/revoke-sessions")
    assert recorder.names() == ["create", "create", "update", "delete", "delete"]
    assert recorder.calls[2][1]["expires_at"] == clock.now() + timedelta(days=7)
    async with database.session() as db:
        assert (await db.exec(select(Session))).all() == []


async def test_delete_veto_keeps_every_session(build: Any, database: Database) -> None:
    async def keep(data: dict[str, Any]) -> bool:
        return False

    client = await build(DatabaseHooks(session=ModelHooks(before_delete=keep)))
    await sign_up(client)
    await sign_in(client)
    response = await client.post("/api/auth/revoke-sessions")
    assert response.status_code == 403
    assert response.json()["code"] == "REFUSED_BY_HOOK"
    async with database.session() as db:
        assert len((await db.exec(select(Session))).all()) == 2
    signed_out = await client.post("/api/auth/sign-out")
    assert signed_out.json() == {"success": True}  # sign-out still clears the browser's cookies


async def test_before_update_user_changes_the_update(build: Any) -> None:
    async def upper(data: dict[str, Any]) -> dict[str, Any]:
        return {"name": str(data.get("name", "")).upper()} if "name" in data else {}

    client = await build(DatabaseHooks(user=ModelHooks(before_update=upper)))
    await sign_up(client)
    assert (await client.post("/api/auth/update-user", json={"name": "ann b"})).json() == {"status": True}
    assert (await client.get("/api/auth/get-session")).json()["user"]["name"] == "ANN B"


async def test_a_failing_after_hook_does_not_fail_the_request(build: Any, caplog: pytest.LogCaptureFixture) -> None:
    async def broken(data: dict[str, Any]) -> None:
        raise RuntimeError("webhook down")

    client = await build(DatabaseHooks(user=ModelHooks(after_create=broken)))
    assert (await sign_up(client)).status_code == 200
    assert "after-write database hook failed" in caplog.text


async def test_deleting_a_user_runs_their_sessions_delete_hooks(
    make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    """Each session a user deletion ends goes through the session delete hooks, as a revocation does.

    The hooks see every one, and the user and sessions are gone.
    """
    recorder = Recorder()
    hooks = DatabaseHooks(session=ModelHooks(after_delete=recorder.after("session-deleted")))
    client = await make_configured_client(make_auth(hooks=hooks, user={"delete_user": {"enabled": True}}))
    user_id = (await sign_up(client)).json()["user"]["id"]
    await sign_in(client)

    deleted = await client.post("/api/auth/delete-user", json={})

    assert deleted.status_code == 200, deleted.text
    assert recorder.names() == ["session-deleted", "session-deleted"]
    assert {data["user_id"] for _, data in recorder.calls} == {user_id}
    assert await users(database) == []
