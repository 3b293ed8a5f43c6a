"""Helpers of the built-in providers' flows against the loopback provider (tests/oauth/fake_provider.py): the
provider moved onto it, one sign-in through the routes, and what it stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
from sqlmodel import select

from fastapi_betterauth import Account, User
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.oauth.providers import OAuthProvider

from .fake_provider import FakeProvider


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def on_loopback(provider: OAuthProvider, base: str) -> OAuthProvider:
    """The provider with its token and user-info endpoints moved to the loopback server, paths and queries kept."""

    def moved(url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url)
        return f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    return replace(
        provider,
        token_endpoint=f"{base}/token",
        jwks_uri=f"{base}/jwks" if provider.jwks_uri else None,
        userinfo_endpoint=moved(provider.userinfo_endpoint),
        email_endpoint=moved(provider.email_endpoint),
    )


async def sign_in(
    client: httpx.AsyncClient,
    provider_id: str,
    fake: FakeProvider | None = None,
    callback: Mapping[str, str] | None = None,
) -> str:
    """Start a sign-in and come back with a good code (and `callback`'s further parameters); where it lands."""
    started = await client.post("/api/auth/sign-in/social", json={"provider": provider_id, "callbackURL": "/in"})
    assert started.status_code == 200, started.text
    state = query(started.json()["url"])["state"]
    if fake is not None:
        fake.nonce = query(started.json()["url"]).get("nonce")
    params = {"code": "good-code", "state": state, **(callback or {})}
    back = await client.get(f"/api/auth/callback/{provider_id}", params=params)
    return str(back.headers["location"])


async def stored(database: Database) -> list[tuple[User, Account]]:
    async with database.session() as db:
        return list((await db.exec(select(User, Account).where(Account.user_id == User.id))).all())
