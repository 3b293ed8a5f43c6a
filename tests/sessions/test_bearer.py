"""`Authorization: Bearer <signed token>` and `set-auth-token` (docs/better-auth.md#bearer-tokens): S11, K5."""

from __future__ import annotations

from urllib.parse import unquote

from ..conftest import ConfiguredClientFactory, sign_in, sign_up

COOKIE = "__Secure-better-auth.session_token"


async def test_set_auth_token_header_on_sign_in(make_configured_client: ConfiguredClientFactory) -> None:
    client = await make_configured_client(bearer={"enabled": True})
    await sign_up(client)
    response = await sign_in(client)
    signed = response.headers["set-auth-token"]
    assert signed == unquote(client.cookies[COOKIE])
    assert signed.startswith(response.json()["token"] + ".")
    assert response.headers["access-control-expose-headers"] == "set-auth-token"


async def test_signed_bearer_token_authenticates(make_configured_client: ConfiguredClientFactory) -> None:
    client = await make_configured_client(bearer={"enabled": True})
    signed = (await sign_up(client)).headers["set-auth-token"]
    api = await make_configured_client(bearer={"enabled": True}, headers={})
    response = await api.get("/me", headers={"authorization": f"Bearer {signed}"})
    assert response.status_code == 200
    assert response.json()["email"] == "ann@example.com"
    # No cookie, so no ambient credential: the origin check does not apply (K5).
    assert (await api.post("/profile", headers={"authorization": f"Bearer {signed}"})).status_code == 200


async def test_bare_or_forged_bearer_tokens_are_refused(make_configured_client: ConfiguredClientFactory) -> None:
    """better-auth accepts the bare token (as listed by list-sessions); we never do
    (docs/design.md#session-tokens-at-rest)."""
    client = await make_configured_client(bearer={"enabled": True})
    token = (await sign_up(client)).json()["token"]
    api = await make_configured_client(bearer={"enabled": True}, headers={})
    for value in (token, f"{token}.{'A' * 43}=", "garbage", ""):
        response = await api.get("/me", headers={"authorization": f"Bearer {value}"})
        assert response.status_code == 401, value


async def test_bearer_is_off_by_default(make_configured_client: ConfiguredClientFactory) -> None:
    client = await make_configured_client()
    response = await sign_up(client)
    assert "set-auth-token" not in response.headers
    signed = unquote(client.cookies[COOKIE])
    api = await make_configured_client(headers={})
    assert (await api.get("/me", headers={"authorization": f"Bearer {signed}"})).status_code == 401


async def test_session_token_in_the_query_is_ignored(make_configured_client: ConfiguredClientFactory) -> None:
    """S11: tokens are never read from URLs."""
    client = await make_configured_client(bearer={"enabled": True})
    signed = (await sign_up(client)).headers["set-auth-token"]
    api = await make_configured_client(bearer={"enabled": True}, headers={})
    for name in ("token", "session", "session_token", "authorization"):
        assert (await api.get("/me", params={name: signed})).status_code == 401
