"""Helpers of the rate-limit tests: apps with the limiter on, and clients that connect from a chosen IP address."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx2 as httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import delete

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.db.models import RateLimit

from ..conftest import BASE_URL, ORIGIN, build_app

CLIENT_IP = "198.51.100.7"


def limits_on(**options: Any) -> dict[str, Any]:
    """`rate_limit` settings with the limiter on (the test settings turn it off)."""
    return {"enabled": True, **options}


async def empty_rate_limit_table(database: Database) -> None:
    """The PostgreSQL and MariaDB databases outlive a test (its fixture empties only the core tables); the test clock
    starts at the same instant in every test, so yesterday's windows would still be open."""
    async with database.engine.begin() as connection:
        await connection.execute(delete(RateLimit.__table__))  # type: ignore[arg-type]


class Servers:
    """Runs each `BetterAuth` given to it as an app (lifespan included) and hands out clients connecting from any IP."""

    def __init__(self, stack: AsyncExitStack) -> None:
        self._stack = stack
        self._apps: dict[int, LifespanManager] = {}

    @classmethod
    @asynccontextmanager
    async def open(cls) -> AsyncIterator[Servers]:
        async with AsyncExitStack() as stack:
            yield cls(stack)

    async def client(
        self, auth: BetterAuth, ip: str = CLIENT_IP, headers: Mapping[str, str] = ORIGIN
    ) -> httpx.AsyncClient:
        """A cookie-keeping client of `auth`'s app whose requests come from `ip` (the ASGI peer address)."""
        if id(auth) not in self._apps:
            self._apps[id(auth)] = await self._stack.enter_async_context(LifespanManager(build_app(auth)))
        transport = httpx.ASGITransport(app=self._apps[id(auth)].app, client=(ip, 50000))
        client = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers)
        return await self._stack.enter_async_context(client)
