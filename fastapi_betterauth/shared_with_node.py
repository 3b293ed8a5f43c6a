"""`shared_with_node`: what sharing the database with a Node better-auth app implies, and the settings it refuses
(docs/migrating/better-auth.md#sharing-a-database)."""

from __future__ import annotations

from .crypto.passwords import HasherName
from .settings import AuthSettings


class SharedDatabaseSettingsError(ValueError):
    """Raised at start-up when `shared_with_node` is on together with settings that would break the Node app."""


def password_hasher(settings: AuthSettings) -> HasherName:
    """The hasher to use: the one set explicitly, else better-auth's scrypt when the database is shared with Node
    (the only format Node verifies), else argon2id."""
    chosen = settings.email_and_password.password_hasher
    if chosen is not None:
        return chosen
    return "better-auth-scrypt" if settings.shared_with_node else "argon2id"


def check_shared_settings(settings: AuthSettings) -> None:
    """Refuse, all at once, the settings a Node better-auth app sharing the database cannot live with."""
    if not settings.shared_with_node:
        return
    conflicts = []
    if settings.email_and_password.password_hasher == "argon2id":
        conflicts.append(
            "email_and_password.password_hasher='argon2id' (BETTER_AUTH_EMAIL_AND_PASSWORD__PASSWORD_HASHER): Node "
            "better-auth verifies only its own scrypt hashes, so a user rehashed to argon2id here could no longer "
            "sign in there. Leave it unset: shared_with_node uses 'better-auth-scrypt'."
        )
    if settings.session.hash_session_tokens:
        conflicts.append(
            "session.hash_session_tokens=true (BETTER_AUTH_SESSION__HASH_SESSION_TOKENS): Node better-auth looks "
            "sessions up by the token itself, so it would find none of the sessions made here, and this app none of "
            "Node's. Turn it off."
        )
    if conflicts:
        listed = "\n".join(f"  - {conflict}" for conflict in conflicts)
        raise SharedDatabaseSettingsError(
            f"shared_with_node=true (BETTER_AUTH_SHARED_WITH_NODE) cannot be combined with:\n{listed}"
        )
