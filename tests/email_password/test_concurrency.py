"""Concurrent sign-ups: the unique email decides races (exactly one wins, the rest get the documented 422, never a
500), and SQLite serves concurrent writers without "database is locked"."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlmodel import select

from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import Account, Session, User

from ..conftest import ClientFactory, sign_in, sign_up

ALREADY_EXISTS = {"code": "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "message": "User already exists. Use another email."}


async def count_rows(database: Database) -> tuple[int, int, int]:
    async with database.session() as db:
        users = len((await db.exec(select(User))).all())
        accounts = len((await db.exec(select(Account))).all())
        sessions = len((await db.exec(select(Session))).all())
    return users, accounts, sessions


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # truly parallel transactions
async def test_concurrent_sign_ups_with_one_email_on_postgres(make_client: ClientFactory, database: Database) -> None:
    """20 browsers sign up with one address (in various cases) at once: one 200, nineteen 422, one user."""
    clients = [make_client() for _ in range(20)]
    emails = ["race@example.com", "Race@Example.com", "RACE@EXAMPLE.COM", "race@EXAMPLE.com"]

    responses = await asyncio.gather(
        *(sign_up(client, email=emails[i % len(emails)]) for i, client in enumerate(clients))
    )

    assert Counter(response.status_code for response in responses) == {200: 1, 422: 19}
    winner = next(response for response in responses if response.status_code == 200)
    assert winner.json()["user"]["email"] == "race@example.com"
    for response in responses:
        if response.status_code == 422:
            assert response.json() == ALREADY_EXISTS
            assert "set-cookie" not in response.headers
    assert await count_rows(database) == (1, 1, 1)
    assert (await sign_in(clients[0], email="race@example.com")).status_code == 200


async def test_concurrent_sign_ups_with_one_email(make_client: ClientFactory, database: Database) -> None:
    """The same race, smaller, on both databases."""
    clients = [make_client() for _ in range(6)]

    responses = await asyncio.gather(*(sign_up(client, email="race@example.com") for client in clients))

    assert Counter(response.status_code for response in responses) == {200: 1, 422: 5}
    assert all(response.json() == ALREADY_EXISTS for response in responses if response.status_code == 422)
    assert await count_rows(database) == (1, 1, 1)


async def test_concurrent_sign_ups_with_different_emails_all_succeed(
    make_client: ClientFactory, database: Database
) -> None:
    """10 writers at once: on SQLite none of them fails with "database is locked"."""
    clients = [make_client() for _ in range(10)]

    responses = await asyncio.gather(
        *(sign_up(client, email=f"user{i}@example.com") for i, client in enumerate(clients))
    )

    assert [response.status_code for response in responses] == [200] * 10, [r.text for r in responses]
    assert len({response.json()["user"]["id"] for response in responses}) == 10
    assert await count_rows(database) == (10, 10, 10)


async def test_concurrent_sign_ins_get_distinct_sessions(make_client: ClientFactory, database: Database) -> None:
    assert (await sign_up(make_client())).status_code == 200
    clients = [make_client() for _ in range(8)]

    responses = await asyncio.gather(*(sign_in(client) for client in clients))

    assert [response.status_code for response in responses] == [200] * 8
    assert len({response.json()["token"] for response in responses}) == 8
    assert await count_rows(database) == (1, 1, 9)
