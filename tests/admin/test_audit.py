"""L7: what admins do to users is written to the audit log (who did it, to whom, which session), never a token."""

from __future__ import annotations

import logging
from urllib.parse import unquote

import pytest

from ..conftest import PASSWORD
from ..test_migrations import fresh_url, postgres_db
from .fixtures import SESSION_COOKIE, Person, admin, admin_env, admin_events, app, auth, clock, new_client, user

__all__ = ["admin", "admin_env", "app", "auth", "clock", "fresh_url", "new_client", "postgres_db", "user"]


async def test_impersonation_is_audited_with_both_sessions(
    admin: Person, user: Person, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fastapi_betterauth.audit")
    own = (await admin.client.get("/get-session")).json()["session"]
    started = await admin.client.post("/admin/impersonate-user", json={"userId": user.id})
    assert started.status_code == 200, started.text
    session = started.json()["session"]
    stopped = await admin.client.post("/admin/stop-impersonating", json={})
    assert stopped.status_code == 200, stopped.text

    assert admin_events(caplog) == [
        ("admin.impersonation_started", {"user": user.id, "by": admin.id, "session": session["id"]}),
        (
            "admin.impersonation_stopped",
            {"user": user.id, "by": admin.id, "session": session["id"], "admin_session": own["id"]},
        ),
    ]
    logged = "\n".join(record.getMessage() + repr(record.__dict__) for record in caplog.records)
    for token in (session["token"], own["token"], unquote(admin.client.cookies[SESSION_COOKIE])):
        assert token not in logged


async def test_bans_roles_and_removals_are_audited(
    admin: Person, user: Person, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fastapi_betterauth.audit")
    for path, body in (
        ("/admin/ban-user", {"userId": user.id, "banReason": "spam"}),
        ("/admin/unban-user", {"userId": user.id}),
        ("/admin/set-role", {"userId": user.id, "role": "admin"}),
        ("/admin/set-user-password", {"userId": user.id, "newPassword": "a brand new passphrase"}),
        ("/admin/remove-user", {"userId": user.id}),
    ):
        answer = await admin.client.post(path, json=body)
        assert answer.status_code == 200, (path, answer.text)

    assert admin_events(caplog) == [
        ("admin.user_banned", {"user": user.id, "by": admin.id}),
        ("admin.user_unbanned", {"user": user.id, "by": admin.id}),
        ("admin.role_set", {"user": user.id, "by": admin.id, "role": "admin"}),
        ("admin.password_set", {"user": user.id, "by": admin.id}),
        ("admin.user_removed", {"user": user.id, "by": admin.id}),
    ]
    logged = "\n".join(record.getMessage() + repr(record.__dict__) for record in caplog.records)
    assert "a brand new passphrase" not in logged
    assert PASSWORD not in logged
