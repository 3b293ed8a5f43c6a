"""disable_session_refresh and defer_session_refresh (docs/better-auth.md#session-lookup, better-auth #6799): S4."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fastapi_betterauth import ManualClock

from ..conftest import ConfiguredClientFactory, QueryCounter, sign_up

SESSION_STORES = ("database", "stateless")


async def test_disable_session_refresh_never_extends(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    client = await make_configured_client(session={"disable_session_refresh": True})
    await sign_up(client)
    clock.advance(timedelta(days=3))
    response = await client.get("/api/auth/get-session")
    assert response.json()["session"]["expiresAt"] == "2026-11-29T12:00:00.000Z"
    assert "set-cookie" not in response.headers
    assert (await client.get("/me")).status_code == 200
    clock.advance(timedelta(days=4, seconds=1))
    assert (await client.get("/me")).status_code == 401


@pytest.mark.database_sessions
async def test_deferred_get_reports_needs_refresh_without_writing(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock, queries: QueryCounter
) -> None:
    client = await make_configured_client(session={"defer_session_refresh": True})
    await sign_up(client)
    not_due = (await client.get("/api/auth/get-session")).json()
    assert not_due["needsRefresh"] is False
    clock.advance(timedelta(days=2))
    queries.statements.clear()
    due = await client.get("/api/auth/get-session")
    assert due.json()["needsRefresh"] is True
    assert due.json()["session"]["expiresAt"] == "2026-11-29T12:00:00.000Z"
    assert [s.lstrip().split()[0].upper() for s in queries.statements] == ["SELECT"]
    assert "set-cookie" not in due.headers
    # GETs in the app's own routes do not write either.
    queries.statements.clear()
    assert (await client.get("/me")).status_code == 200
    assert len(queries.statements) == 1

    refreshed = await client.post("/api/auth/get-session")
    assert refreshed.status_code == 200
    assert refreshed.json()["session"]["expiresAt"] == "2026-12-01T12:00:00.000Z"
    assert any("Max-Age=604800" in h for h in refreshed.headers.get_list("set-cookie"))
    assert "needsRefresh" not in refreshed.json()


async def test_deferred_get_of_an_expired_session_deletes_nothing(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock, queries: QueryCounter
) -> None:
    client = await make_configured_client(session={"defer_session_refresh": True})
    await sign_up(client)
    clock.advance(timedelta(days=8))
    queries.statements.clear()
    response = await client.get("/api/auth/get-session")
    assert response.json() is None
    assert all(s.lstrip().upper().startswith("SELECT") for s in queries.statements)
    assert any("Max-Age=0" in h for h in response.headers.get_list("set-cookie"))


@pytest.mark.database_sessions
async def test_unsafe_requests_still_refresh_when_deferred(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    """A POST in the app's own routes may write, so a server-rendered app's sessions still slide."""
    client = await make_configured_client(session={"defer_session_refresh": True})
    await sign_up(client)
    clock.advance(timedelta(days=2))
    response = await client.post("/profile")
    assert response.status_code == 200
    assert any("Max-Age=604800" in h for h in response.headers.get_list("set-cookie"))


@pytest.mark.database_sessions
async def test_concurrent_refreshes_of_one_session_do_not_error(
    make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> None:
    import asyncio

    client = await make_configured_client()
    await sign_up(client)
    clock.advance(timedelta(days=2))
    responses = await asyncio.gather(*(client.get("/me") for _ in range(10)))
    assert [r.status_code for r in responses] == [200] * 10
    body = (await client.get("/api/auth/get-session")).json()
    assert body["session"]["expiresAt"] == "2026-12-01T12:00:00.000Z"
