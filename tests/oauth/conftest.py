"""Fixtures of the built-in providers' flows: the loopback provider and an app whose one provider talks to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import httpx2 as httpx
import pytest

from fastapi_betterauth import ManualClock
from fastapi_betterauth.oauth.providers import OAuthProvider

from ..conftest import AuthFactory, ConfiguredClientFactory
from .catalogue import on_loopback
from .fake_provider import FakeProvider, serving


@pytest.fixture
async def fake() -> AsyncIterator[FakeProvider]:
    async with serving(FakeProvider()) as provider:
        yield provider


@pytest.fixture
def client_for(
    fake: FakeProvider, make_auth: AuthFactory, make_configured_client: ConfiguredClientFactory, clock: ManualClock
) -> Callable[[OAuthProvider], Awaitable[httpx.AsyncClient]]:
    clock.set(datetime.now(UTC))

    async def build(provider: OAuthProvider) -> httpx.AsyncClient:
        return await make_configured_client(make_auth(social_providers=[on_loopback(provider, fake.base)]))

    return build
