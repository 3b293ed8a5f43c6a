"""L7: authentication events are logged, and no password, token or address appears in any log record."""

from __future__ import annotations

import logging

import httpx2 as httpx
import pytest

from .conftest import PASSWORD, sign_in, sign_up


async def test_auth_events_are_logged_without_secrets(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = (await sign_up(client)).json()["token"]
    await sign_in(client, password="wrong-password-1")
    await sign_in(client, email="nobody@example.com")
    signed_in = (await sign_in(client)).json()["token"]
    await client.post(
        "/api/auth/change-password", json={"currentPassword": PASSWORD, "newPassword": "another long passphrase"}
    )
    await client.post("/api/auth/sign-out")

    events = [getattr(r, "auth_event", None) for r in caplog.records if r.name == "fastapi_betterauth.audit"]
    assert events == [
        "sign_up",
        "sign_in.failed",
        "sign_in.failed",
        "sign_in.succeeded",
        "password.changed",
        "sign_out",
    ]
    failed = [r for r in caplog.records if getattr(r, "auth_event", "") == "sign_in.failed"]
    assert failed[0].auth_fields["reason"] == "wrong_password"  # type: ignore[attr-defined]
    assert failed[1].auth_fields["reason"] == "unknown_email"  # type: ignore[attr-defined]
    # Ours at any level, everyone's at INFO and above (database drivers log SQL parameters at DEBUG).
    checked = [r for r in caplog.records if r.name.startswith("fastapi_betterauth") or r.levelno >= logging.INFO]
    everything = "\n".join(record.getMessage() + repr(record.__dict__) for record in checked)
    for secret in (PASSWORD, "wrong-password-1", "another long passphrase", token, signed_in):
        assert secret not in everything
    assert "nobody@example.com" not in everything
    assert "ann@example.com" not in everything
