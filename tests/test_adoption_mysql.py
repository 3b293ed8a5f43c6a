"""Adopting a MariaDB/MySQL database that better-auth's own migrator created (docs/concepts/database.md).

The DDL below is derived by hand from better-auth 1.7.25's MySQL type mapping (`getMigrations`: `varchar(36)` ids and
foreign keys, `varchar(255)` unique and indexed strings, `text`, `boolean`, `timestamp(3)` with `CURRENT_TIMESTAMP(3)`
defaults), with the api-key plugin's table; the suite has no Node app on MySQL to print it as tests/node_app/schema.mjs
prints the PostgreSQL and SQLite ones.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from fastapi_betterauth import User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.migrate import ADOPTED_REVISION, VERSION_TABLE, upgrade
from fastapi_betterauth.db.urls import async_url_string

from .services import mariadb_url
from .test_migrations import sql, table_names

pytestmark = pytest.mark.mariadb

_TS = "timestamp(3) default CURRENT_TIMESTAMP(3) not null"
BETTER_AUTH_MYSQL = [
    "create table `user` (`id` varchar(36) not null primary key, `name` text not null, "
    f"`email` varchar(255) not null unique, `emailVerified` boolean not null, `image` text, `createdAt` {_TS}, "
    f"`updatedAt` {_TS})",
    "create table `session` (`id` varchar(36) not null primary key, `expiresAt` timestamp(3) not null, "
    f"`token` varchar(255) not null unique, `createdAt` {_TS}, `updatedAt` timestamp(3) not null, "
    "`ipAddress` text, `userAgent` text, `userId` varchar(36) not null, "
    "foreign key (`userId`) references `user` (`id`) on delete cascade)",
    "create table `account` (`id` varchar(36) not null primary key, `accountId` text not null, "
    "`providerId` text not null, `userId` varchar(36) not null, `accessToken` text, `refreshToken` text, "
    "`idToken` text, `accessTokenExpiresAt` timestamp(3) null, `refreshTokenExpiresAt` timestamp(3) null, "
    f"`scope` text, `password` text, `createdAt` {_TS}, `updatedAt` timestamp(3) not null, "
    "foreign key (`userId`) references `user` (`id`) on delete cascade)",
    "create table `verification` (`id` varchar(36) not null primary key, `identifier` varchar(255) not null, "
    f"`value` text not null, `expiresAt` timestamp(3) not null, `createdAt` {_TS}, `updatedAt` {_TS})",
    "create table `apikey` (`id` varchar(36) not null primary key, `configId` varchar(255) not null, `name` text, "
    "`start` text, `referenceId` varchar(255) not null, `prefix` text, `key` varchar(255) not null, "
    "`refillInterval` integer, `refillAmount` integer, `lastRefillAt` timestamp(3) null, `enabled` boolean, "
    "`rateLimitEnabled` boolean, `rateLimitTimeWindow` integer, `rateLimitMax` integer, `requestCount` integer, "
    "`remaining` integer, `lastRequest` timestamp(3) null, `expiresAt` timestamp(3) null, "
    "`createdAt` timestamp(3) not null, `updatedAt` timestamp(3) not null, `permissions` text, `metadata` text)",
    "create index `session_userId_idx` on `session` (`userId`)",
    "create index `account_userId_idx` on `account` (`userId`)",
    "create index `verification_identifier_idx` on `verification` (`identifier`)",
    "create index `apikey_configId_idx` on `apikey` (`configId`)",
    "create index `apikey_referenceId_idx` on `apikey` (`referenceId`)",
    "create index `apikey_key_idx` on `apikey` (`key`)",
]
NODE_USER = (
    "INSERT INTO `user` (id, name, email, `emailVerified`, `createdAt`, `updatedAt`) "
    "VALUES ('node-user-id', 'Nod', 'nod@example.com', false, '2026-01-02 03:04:05.678', '2026-01-02 03:04:05.678')"
)


def test_migrate_adopts_a_better_auth_mysql_database(mariadb_db: str) -> None:
    """The tables and rows stay; `rateLimit`, `twoFactor`, `jwks`, `passkey` and the organization tables are added
    (their foreign key to better-auth's `user.id` takes), `verification.id` is widened for the toolkit's single-use
    marks, and a `timestamp(3)` written by Node (UTC) reads as the same instant."""
    url = async_url_string(mariadb_url(mariadb_db))
    sql(url, *BETTER_AUTH_MYSQL, NODE_USER)

    result = upgrade(url)

    assert result.adopted
    assert set(result.created) == {
        "table rateLimit",
        "table jwks",
        "table twoFactor",
        *(f"table {name}" for name in ("organization", "team", "teamMember", "member", "invitation", "passkey")),
        "column verification.id as varchar(255)",
    }
    assert {"rateLimit", "twoFactor", "jwks", VERSION_TABLE} <= table_names(url)
    assert sql(url, f"SELECT version_num FROM {VERSION_TABLE}") == [[(ADOPTED_REVISION,)]]
    mark = "used-" + "x" * 43  # the longest single-use mark id
    sql(url, f"INSERT INTO verification (id, identifier, value, `expiresAt`) VALUES ('{mark}', 'i', '', NOW(3))")

    async def node_user_created_at() -> datetime:
        database = Database(url)
        try:
            async with database.session() as db:
                return (await db.exec(select(User).where(User.id == "node-user-id"))).one().created_at
        finally:
            await database.dispose()

    assert asyncio.run(node_user_created_at()) == datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert not upgrade(url).adopted
