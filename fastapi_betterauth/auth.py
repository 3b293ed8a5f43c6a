"""`BetterAuth`: the composition root. Options in, services and routers out; the lifespan ties it to an app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request, Response

from .background import BackgroundTasks
from .clock import Clock, SystemClock
from .cookies import AuthCookies, parse_cookie_header
from .crypto.keyring import Keyring
from .crypto.password_policy import PasswordCheck, PasswordPolicy
from .crypto.passwords import PasswordHasher
from .crypto.tokens import sign_value
from .db import migrate
from .db.engine import Database
from .db.models import Session, User
from .email_password import account_router
from .email_password import router as email_password_router
from .email_password.flows import EmailFlows, PasswordResetCallback
from .email_password.service import ClientInfo, EmailPasswordService, SignUpResult
from .errors import build_exception_handlers
from .hooks import DatabaseHooks, HookRunner
from .mail import EmailSender, Mailer, Templates, sender_from_settings
from .oauth import router as oauth_router
from .oauth.accounts import AccountService
from .oauth.client import ProviderClient
from .oauth.config import builtin_providers, discover
from .oauth.providers import OAuthProvider
from .oauth.service import OAuthService
from .oauth.state import CookieStateStore, DatabaseStateStore, OAuthStateStore
from .oauth.token_storage import ProviderTokenCipher
from .routing import AuthRoute
from .security.client_ip import ClientIPResolver
from .security.origins import OriginPolicy
from .sessions import router as sessions_router
from .sessions.cache import CacheVersion, SessionCookieCache
from .sessions.cookie_cache import CookieCacheCodec
from .sessions.deps import STATE_KEY
from .sessions.service import AuthSession, SessionService
from .sessions.storage_store import StorageSessionStore
from .sessions.store import DatabaseSessionStore, SessionStore
from .settings import AuthSettings, resolve_secrets
from .storage import SecondaryStorage, storage_from_url
from .users import router as users_router
from .users.service import UserService
from .verification.service import VerificationService

SessionEnricher = Callable[[Session, User, Request], Awaitable[dict[str, Any]]]
"""`async def enrich(session, user, request) -> dict`: runs once per request that has a session. Its result is the
`/get-session` body (better-auth's `customSession`) and `AuthSession.enrichment` in your routes, for every kind of
session (cookie, bearer, cache hit)."""


class BetterAuth:
    """One configured auth system.

    ```python
    auth = BetterAuth(AuthSettings())                  # options from BETTER_AUTH_* env vars and .env
    app = FastAPI(lifespan=auth.lifespan, exception_handlers=auth.exception_handlers)
    app.include_router(auth.router, prefix=auth.settings.base_path)
    ```
    """

    def __init__(
        self,
        settings: AuthSettings | None = None,
        *,
        clock: Clock | None = None,
        database: Database | None = None,
        session_store: SessionStore | None = None,
        session_enricher: SessionEnricher | None = None,
        hooks: DatabaseHooks | None = None,
        secondary_storage: SecondaryStorage | None = None,
        cookie_cache_version: CacheVersion | None = None,
        password_check: PasswordCheck | None = None,
        email_sender: EmailSender | None = None,
        email_templates: Templates | None = None,
        on_password_reset: PasswordResetCallback | None = None,
        social_providers: Sequence[OAuthProvider] = (),
    ) -> None:
        self.settings = settings if settings is not None else AuthSettings()
        self.session_enricher = session_enricher
        self.keyring = Keyring.from_versioned(resolve_secrets(self.settings))
        self.clock: Clock = clock or SystemClock()
        self.database = database or Database(self.settings.database_url)
        self.cookies = AuthCookies(self.settings, self.keyring)
        self.origins = OriginPolicy(self.settings)
        self.client_ips = ClientIPResolver(self.settings.advanced.ip_address)
        options = self.settings.email_and_password
        self.passwords = PasswordHasher(options.password_hasher, options.password_hash_concurrency)
        self.password_policy = PasswordPolicy(options, password_check, app_name=self.settings.email.app_name)
        self.storage = secondary_storage
        if self.storage is None and self.settings.secondary_storage_url:
            self.storage = storage_from_url(self.settings.secondary_storage_url, self.clock)
        store = session_store or self._session_store()
        self.hooks = HookRunner(hooks)
        self.cookie_cache = self._cookie_cache(store, cookie_cache_version)
        self.sessions = SessionService(self.settings.session, store, self.clock, self.hooks)
        self.users = UserService(self.database, self.clock, store, self.hooks)
        self.email_password = EmailPasswordService(
            options, self.database, self.passwords, self.sessions, self.clock, self.hooks, policy=self.password_policy
        )
        self.tokens = VerificationService(self.database, self.clock)
        self.background = BackgroundTasks()
        self.mailer = Mailer(email_sender or sender_from_settings(self.settings.email, self.clock))
        self.email_flows = EmailFlows(
            self.settings,
            self.database,
            self.passwords,
            self.password_policy,
            self.sessions,
            self.users,
            self.tokens,
            self.mailer,
            email_templates or Templates(),
            self.background,
            self.clock,
            self.hooks,
            on_password_reset,
        )
        self.email_password.emails = self.email_flows
        # Built-ins configured in settings, then those passed in code (which win for the same id).
        configured = [*builtin_providers(self.settings.social), *social_providers]
        providers = {provider.id: provider for provider in configured}
        provider_client = ProviderClient()
        token_cipher = ProviderTokenCipher(self.keyring, encrypt=self.settings.social.encrypt_oauth_tokens)
        states: OAuthStateStore = (
            CookieStateStore(self.keyring, self.clock)
            if self.settings.social.store_state_strategy == "cookie"
            else DatabaseStateStore(self.tokens, self.keyring)
        )
        self.oauth = OAuthService(
            self.settings,
            providers,
            self.database,
            self.sessions,
            self.users,
            states,
            provider_client,
            self.clock,
            self.hooks,
            token_cipher,
        )
        self.accounts = AccountService(
            self.settings.social, providers, self.database, provider_client, self.clock, self.hooks, token_cipher
        )
        self.api = AuthAPI(self)
        self.exception_handlers = build_exception_handlers(self.settings.base_path)
        self.router = self._build_router()

    def _session_store(self) -> SessionStore:
        options = self.settings.session
        database = DatabaseSessionStore(self.database, hash_tokens=options.hash_session_tokens)
        if self.storage is None:
            return database
        return StorageSessionStore(
            self.storage,
            self.clock,
            database=database if options.store_session_in_database else None,
            preserve_in_database=options.preserve_session_in_database,
            hash_tokens=options.hash_session_tokens,
        )

    def _cookie_cache(self, store: SessionStore, version: CacheVersion | None) -> SessionCookieCache | None:
        options = self.settings.session.cookie_cache
        if not options.enabled:
            return None
        return SessionCookieCache(
            options,
            CookieCacheCodec(options.strategy, self.keyring),
            self.cookies,
            self.clock,
            version=version,
            # With storage, a cache hit still checks that the session exists: revocation is immediate.
            still_valid=store.exists if isinstance(store, StorageSessionStore) else None,
        )

    def _build_router(self) -> APIRouter:
        router = APIRouter(route_class=AuthRoute, dependencies=[Depends(self._check_origin)])
        router.include_router(sessions_router.build_router(self))
        router.include_router(users_router.build_router(self))
        # Mounted even when disabled, so clients get better-auth's 400 EMAIL_PASSWORD_DISABLED, not a 404.
        router.include_router(email_password_router.build_router(self))
        router.include_router(account_router.build_router(self))
        router.include_router(oauth_router.build_router(self))
        return router

    async def _check_origin(self, request: Request) -> None:
        self.origins.check_request(request.method, request.headers)

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """Attach this instance to `app.state` for the providers, and close the engine at shutdown."""
        setattr(app.state, STATE_KEY, self)
        try:
            for oidc in self.settings.social.oidc:  # an unreachable or untrustworthy discovery stops start-up
                if oidc.id not in self.oauth.providers:
                    self.oauth.providers[oidc.id] = await discover(oidc)
            yield
        finally:
            await self.drain()
            if self.storage is not None:
                await self.storage.close()
            await self.database.dispose()

    async def drain(self) -> None:
        """Finish the background work started so far (email jobs and sends). Run at shutdown; handy in tests."""
        await self.background.drain()
        await self.mailer.drain()

    async def migrate(self) -> None:
        """Bring the database schema to the newest revision (`alembic upgrade head`), off the event loop."""
        await anyio.to_thread.run_sync(migrate.upgrade, self.settings.database_url)

    def client_info(self, request: Request) -> ClientInfo:
        peer = request.client.host if request.client else None
        return ClientInfo(
            ip_address=self.client_ips.resolve(peer, request.headers),
            user_agent=request.headers.get("user-agent"),
        )

    async def set_session_cookies(
        self, response: Response, found: AuthSession, *, remember_me: bool, present: Mapping[str, str] | None = None
    ) -> None:
        """Set the session cookie, its cookie-cache copy when enabled, and with bearer tokens on, expose the signed
        token in `set-auth-token`. `present`: the request's cookies (stale cache chunks are expired)."""
        self.cookies.set_session(response, found.session.token, max_age=self.sessions.cookie_max_age(remember_me))
        if self.cookie_cache is not None:
            await self.cookie_cache.write(response, found, present or {}, remember_me=remember_me)
        if self.settings.bearer.enabled:
            response.headers["set-auth-token"] = sign_value(self.keyring.current, found.session.token)
            response.headers["access-control-expose-headers"] = "set-auth-token"


class AuthAPI:
    """Server-side calls, without HTTP (better-auth's `auth.api.*`). Not rate limited, no origin checks."""

    def __init__(self, auth: BetterAuth) -> None:
        self._auth = auth

    async def sign_up_email(
        self, *, name: str, email: str, password: str, image: str | None = None, remember_me: bool = True
    ) -> SignUpResult:
        return await self._auth.email_password.sign_up(
            name=name, email=email, password=password, image=image, remember_me=remember_me
        )

    async def sign_in_email(self, *, email: str, password: str, remember_me: bool = True) -> AuthSession:
        return await self._auth.email_password.sign_in(email=email, password=password, remember_me=remember_me)

    async def get_session(self, headers: Mapping[str, str], *, refresh: bool = False) -> AuthSession | None:
        """The session of a request's headers (its `Cookie`), without refreshing it unless asked."""
        cookies = parse_cookie_header(headers)
        token = self._auth.cookies.read_signed(cookies, self._auth.cookies.session_token)
        remember_me = self._auth.cookies.read_signed(cookies, self._auth.cookies.dont_remember) is None
        lookup = await self._auth.sessions.lookup(token, remember_me=remember_me, refresh=refresh)
        return lookup.found

    async def set_password(self, user_id: str, new_password: str) -> None:
        """Give a user without a password (signed up with OAuth) one; 400 `PASSWORD_ALREADY_SET` otherwise."""
        await self._auth.email_flows.set_password(user_id, new_password)

    async def revoke_session(self, token: str) -> None:
        await self._auth.sessions.revoke(token)

    def session_cookie_header(self, found: AuthSession) -> dict[str, str]:
        """A `Cookie` header that authenticates as `found`, e.g. for calling your own API in tests."""
        signed = sign_value(self._auth.keyring.current, found.session.token)
        return {"cookie": f"{self._auth.cookies.session_token}={signed}"}
