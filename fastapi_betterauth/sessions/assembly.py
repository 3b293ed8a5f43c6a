"""How an instance keeps its sessions, built from the settings: the store, the revocation list of stateless
sessions, and the cookie copy (the cookie cache, or the stateless session itself)."""

from __future__ import annotations

from ..clock import Clock
from ..cookies import AuthCookies
from ..crypto.keyring import Keyring
from ..db.engine import Database
from ..fields.schema import AuthSchema
from ..settings import SessionSettings
from ..storage import SecondaryStorage
from .cache import CacheVersion, SessionCookieCache
from .cookie_cache import CookieCacheCodec
from .revocation import DatabaseRevocations, SessionRevocations, StorageRevocations
from .stateless import StatelessSessions, StatelessSessionStore, UserLoader
from .storage_store import StorageSessionStore
from .store import DatabaseSessionStore, SessionStore


def revocations_for(
    settings: SessionSettings, storage: SecondaryStorage | None, database: Database | None, *, stateless: bool
) -> SessionRevocations | None:
    """Where stateless-session revocations are remembered: secondary storage, else the database, else nowhere
    (nor when sessions are not stateless)."""
    options = settings.stateless
    if not stateless or options.revocation == "off":
        return None
    if storage is not None:
        return StorageRevocations(storage, options.max_lifetime)
    if database is not None:
        return DatabaseRevocations(database, options.max_lifetime)
    return None


def store_for(
    settings: SessionSettings,
    database: Database,
    storage: SecondaryStorage | None,
    clock: Clock,
    *,
    stateless: bool,
    revocations: SessionRevocations | None,
    schema: AuthSchema,
) -> SessionStore:
    """The session store the settings ask for."""
    if stateless:
        return StatelessSessionStore(revocations, clock)
    table = DatabaseSessionStore(database, hash_tokens=settings.hash_session_tokens, schema=schema)
    if storage is None:
        return table
    return StorageSessionStore(
        storage,
        clock,
        database=table if settings.store_session_in_database else None,
        preserve_in_database=settings.preserve_session_in_database,
        hash_tokens=settings.hash_session_tokens,
        schema=schema,
    )


def stateless_cookie(
    settings: SessionSettings,
    cookies: AuthCookies,
    keyring: Keyring,
    clock: Clock,
    *,
    revocations: SessionRevocations | None,
    version: CacheVersion | None,
    load_user: UserLoader | None,
    schema: AuthSchema,
) -> StatelessSessions:
    """The stateless session cookie, refused at start-up when the longest session could not fit in it."""
    stateless = StatelessSessions(
        settings,
        CookieCacheCodec("jwe", keyring),
        cookies,
        clock,
        revocations=revocations,
        version=version,
        load_user=load_user,
        schema=schema,
    )
    stateless.check_capacity()
    return stateless


def cookie_cache_for(
    settings: SessionSettings,
    store: SessionStore,
    cookies: AuthCookies,
    keyring: Keyring,
    clock: Clock,
    *,
    version: CacheVersion | None,
    schema: AuthSchema,
) -> SessionCookieCache | None:
    """The cookie cache, when enabled."""
    options = settings.cookie_cache
    if not options.enabled:
        return None
    return SessionCookieCache(
        options,
        CookieCacheCodec(options.strategy, keyring),
        cookies,
        clock,
        version=version,
        # With storage, a cache hit still checks that the session exists: revocation is immediate.
        still_valid=store.exists if isinstance(store, StorageSessionStore) else None,
        schema=schema,
    )
