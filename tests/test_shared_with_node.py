"""`shared_with_node` (docs/migrating/better-auth.md#sharing-a-database): every password stays in better-auth's
scrypt format, and start-up refuses the settings that would break a Node app on the same database.

That a Node better-auth app really signs these users in is checked against a live one in tests/interop/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fastapi_betterauth import AuthSettings, BetterAuth
from fastapi_betterauth.db.engine import Database
from fastapi_betterauth.shared_with_node import SharedDatabaseSettingsError

from .conftest import PASSWORD, ConfiguredClientFactory, settings, sign_in, sign_up
from .email_password.test_passwords import (
    SCRYPT,
    better_auth_scrypt_hash,
    is_current_argon2_of,
    scrypt_key,
    set_stored_hash,
    stored_hash,
)


def build(tmp_path: Path, **values: Any) -> BetterAuth:
    return BetterAuth(settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}", **values))


def is_scrypt_of(stored: str, password: str) -> bool:
    salt_hex, _, key_hex = stored.partition(":")
    return bool(SCRYPT.match(stored)) and scrypt_key(password, salt_hex) == key_hex


# --- what it implies -----------------------------------------------------------------------------------------------


async def test_new_passwords_are_hashed_the_way_node_verifies_them(
    make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    client = await make_configured_client(shared_with_node=True)

    assert (await sign_up(client)).status_code == 200

    assert is_scrypt_of(await stored_hash(database), PASSWORD)


async def test_a_node_users_hash_is_never_moved_off_scrypt(
    make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    """Before: signing in here rehashed a Node user's scrypt hash to argon2id, and Node then answered 500."""
    client = await make_configured_client(shared_with_node=True)
    assert (await sign_up(client, password="placeholder password")).status_code == 200
    node_hash = better_auth_scrypt_hash(PASSWORD)
    await set_stored_hash(database, node_hash)

    for _ in range(2):
        assert (await sign_in(client)).status_code == 200
        assert await stored_hash(database) == node_hash


@pytest.mark.real_password_hashing
async def test_hashes_node_cannot_verify_are_moved_to_scrypt(
    make_configured_client: ConfiguredClientFactory, database: Database
) -> None:
    """A user rehashed to argon2id before the database was shared is repaired at the next sign-in here."""
    argon2_client = await make_configured_client()
    assert (await sign_up(argon2_client)).status_code == 200
    assert is_current_argon2_of(await stored_hash(database), PASSWORD)

    shared_client = await make_configured_client(shared_with_node=True)
    assert (await sign_in(shared_client)).status_code == 200

    assert is_scrypt_of(await stored_hash(database), PASSWORD)


def test_it_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BETTER_AUTH_SHARED_WITH_NODE", "true")
    assert AuthSettings().shared_with_node is True
    assert build(tmp_path).passwords.algorithm == "better-auth-scrypt"


def test_without_it_new_hashes_stay_argon2id(tmp_path: Path) -> None:
    assert build(tmp_path).passwords.algorithm == "argon2id"
    assert build(tmp_path, email_and_password={"password_hasher": "better-auth-scrypt"}).passwords.algorithm == (
        "better-auth-scrypt"
    )
    assert build(tmp_path, shared_with_node=True).passwords.algorithm == "better-auth-scrypt"
    explicit = build(tmp_path, shared_with_node=True, email_and_password={"password_hasher": "better-auth-scrypt"})
    assert explicit.passwords.algorithm == "better-auth-scrypt"


# --- what it refuses -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"email_and_password": {"password_hasher": "argon2id"}}, ["BETTER_AUTH_EMAIL_AND_PASSWORD__PASSWORD_HASHER"]),
        ({"session": {"hash_session_tokens": True}}, ["BETTER_AUTH_SESSION__HASH_SESSION_TOKENS"]),
        (
            {"email_and_password": {"password_hasher": "argon2id"}, "session": {"hash_session_tokens": True}},
            ["BETTER_AUTH_EMAIL_AND_PASSWORD__PASSWORD_HASHER", "BETTER_AUTH_SESSION__HASH_SESSION_TOKENS"],
        ),
    ],
    ids=["argon2id", "hashed-tokens", "both-at-once"],
)
def test_start_up_refuses_settings_that_break_node(tmp_path: Path, values: dict[str, Any], named: list[str]) -> None:
    with pytest.raises(SharedDatabaseSettingsError) as refused:
        build(tmp_path, shared_with_node=True, **values)

    message = str(refused.value)
    assert message.startswith("shared_with_node=true (BETTER_AUTH_SHARED_WITH_NODE) cannot be combined with:")
    for name in named:
        assert name in message
    build(tmp_path, **values)  # each of them is fine on a database of its own


def test_refusal_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BETTER_AUTH_SHARED_WITH_NODE", "1")
    monkeypatch.setenv("BETTER_AUTH_SESSION__HASH_SESSION_TOKENS", "true")

    with pytest.raises(SharedDatabaseSettingsError, match="hash_session_tokens"):
        build(tmp_path)
