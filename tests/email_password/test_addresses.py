"""L9: addresses are validated whole. `ann@example.com\n` once passed the email pattern (its `$` matches before a final
newline), registered as a second account, and broke the headers of the mail sent to it. Every route that takes an
address refuses one with control characters, with the code better-auth gives for an invalid address there."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from sqlmodel import select

from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import User

from ..conftest import ConfiguredClientFactory, sign_in, sign_up

CONTROLLED = [
    "ann@example.com\n",
    "ann@example.com\r\n",
    "ann@example.com\nBcc: eve@example.com",
    "ann@exa\tmple.com",
    "ann@example.com\x7f",
    "ann@example.com\x85",
    "ann@example.com\u2028",
]
"""A NUL is refused even before the address rule, as in every text field (`test_a_nul_is_refused_too`)."""


def invalid_address(field: str) -> dict[str, str]:
    return {"code": "VALIDATION_ERROR", "message": f"[body.{field}] Invalid email address"}


async def user_emails(database: Database) -> list[str]:
    async with database.session() as db:
        return [user.email for user in (await db.exec(select(User))).all()]


async def test_a_trailing_newline_registers_no_second_account(client: httpx.AsyncClient, database: Database) -> None:
    await sign_up(client)
    for email in CONTROLLED:
        response = await sign_up(client, email=email)
        assert (response.status_code, response.json()) == (400, invalid_address("email")), repr(email)
    assert await user_emails(database) == ["ann@example.com"]


async def test_a_nul_is_refused_too(client: httpx.AsyncClient, database: Database) -> None:
    response = await sign_up(client, email="ann\x00@example.com")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert await user_emails(database) == []


async def test_sign_in_refuses_them_as_an_invalid_email(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    for email in CONTROLLED:
        response = await sign_in(client, email=email)
        assert (response.status_code, response.json()) == (400, {"code": "INVALID_EMAIL", "message": "Invalid email"})


@pytest.mark.parametrize(
    "path", ["/api/auth/request-password-reset", "/api/auth/forget-password", "/api/auth/send-verification-email"]
)
async def test_reset_and_verification_requests_refuse_them(client: httpx.AsyncClient, path: str) -> None:
    for email in CONTROLLED:
        response = await client.post(path, json={"email": email})
        assert (response.status_code, response.json()) == (400, invalid_address("email")), repr(email)


async def test_change_email_refuses_them(make_configured_client: ConfiguredClientFactory, database: Database) -> None:
    client = await make_configured_client(user={"change_email": {"enabled": True}})
    await sign_up(client)
    for email in CONTROLLED:
        response = await client.post("/api/auth/change-email", json={"newEmail": email})
        assert (response.status_code, response.json()) == (400, invalid_address("newEmail")), repr(email)
    assert await user_emails(database) == ["ann@example.com"]
