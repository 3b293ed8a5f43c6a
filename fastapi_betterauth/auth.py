"""`BetterAuth`: the composition root. Options in, services and routers out; the lifespan ties it to an app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import partial
from types import EllipsisType
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request

from .api import AuthAPI
from .background import BackgroundTasks
from .clock import Clock, SystemClock
from .cookies import AuthCookies
from .crypto.keyring import Keyring
from .crypto.password_policy import PasswordCheck, PasswordPolicy
from .crypto.passwords import PasswordHasher
from .db import migrate
from .db.diagnose import check_at_startup
from .db.engine import Database, NoDatabase
from .email_password import account_router
from .email_password import router as email_password_router
from .email_password.collaborators import FlowRecords, FlowTokens, MailDelivery, PasswordTools
from .email_password.flows import EmailFlows, PasswordResetCallback
from .email_password.service import EmailPasswordService
from .errors import AuthError, ErrorCode, build_exception_handlers
from .fields import AuthSchema
from .hooks import DatabaseHooks, HookRunner
from .mail import EmailSender, Mailer, Templates, sender_from_settings
from .mail.locale import remember_request_locale
from .oauth import router as oauth_router
from .oauth.account_cookie import AccountCookie
from .oauth.accounts import AccountService
from .oauth.client import ProviderClient
from .oauth.config import builtin_providers
from .oauth.providers import OAuthProvider
from .oauth.service import IdentityStores, OAuthService, SessionAccess
from .oauth.state import CookieStateStore, DatabaseStateStore, OAuthStateStore
from .oauth.token_storage import ProviderTokenCipher
from .parts import PluginT, SessionEnricher
from .plugins.base import Plugin
from .plugins.context import AuthContext
from .plugins.registry import resolve_plugins, set_up_plugins
from .routing import AuthRouter, body_fields
from .security.client_ip import ClientIPResolver
from .security.origins import SAFE_METHODS, OriginPolicy
from .security.ratelimit import RateLimiter, RuleValue, SignInThrottle, limit_backend
from .security.schemes import offer_bearer_in_openapi
from .sessions import router as sessions_router
from .sessions.assembly import cookie_cache_for, revocations_for, stateless_cookie, store_for
from .sessions.cache import CacheVersion
from .sessions.cookie_writer import SessionCookieWriter
from .sessions.deps import STATE_KEY, SessionSource
from .sessions.issuer import SessionIssuer
from .sessions.keeping import SessionKeeping, StoredSessions
from .sessions.service import ClientInfo, SessionService
from .sessions.store import SessionStore
from .settings import AuthSettings, resolve_secrets
from .shared_with_node import check_shared_settings, password_hasher
from .storage import SecondaryStorage, storage_from_url
from .users import router as users_router
from .users.service import UserService
from .verification.email_tokens import EmailTokens
from .verification.service import VerificationService

logger = logging.getLogger("fastapi_betterauth")


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
        database: Database | EllipsisType | None = ...,
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
        rate_limit_rules: Mapping[str, RuleValue] | None = None,
        plugins: Sequence[Plugin[Any]] = (),
    ) -> None:
        self.settings = settings if settings is not None else AuthSettings()
        check_shared_settings(self.settings)
        self.session_enricher = session_enricher
        self.keyring = Keyring.from_versioned(resolve_secrets(self.settings))
        self.clock: Clock = clock or SystemClock()
        if database is None:
            self.database: Database = NoDatabase()
        else:
            self.database = (
                Database.from_settings(self.settings.database_url, self.settings.connections)
                if isinstance(database, EllipsisType)
                else database
            )
        self.has_database = database is not None
        """False when running without a database (`database=None`): social sign-in only, sessions stateless."""
        self.stateless_sessions = not self.has_database or self.settings.session.store == "stateless"
        self._check_database_needs()
        self._check_stateless_needs()
        self.cookies = AuthCookies(self.settings, self.keyring)
        self.origins = OriginPolicy(self.settings)
        self.client_ips = ClientIPResolver(self.settings.advanced.ip_address)
        options = self.settings.email_and_password
        self.passwords = PasswordHasher(
            password_hasher(self.settings), options.password_hash_concurrency, nice=options.password_hash_nice
        )
        self.password_policy = PasswordPolicy(options, password_check, app_name=self.settings.email.app_name)
        self.storage = secondary_storage
        if self.storage is None and self.settings.secondary_storage_url:
            timeout = self.settings.connections.storage_timeout.total_seconds()
            self.storage = storage_from_url(self.settings.secondary_storage_url, self.clock, timeout=timeout)
        counters = limit_backend(
            self.settings.rate_limit.storage, clock=self.clock, database=self.database, secondary=self.storage
        )
        # Rules passed here (callables too) win over `rate_limit.custom_rules` for the same path.
        self.rate_limiter = RateLimiter(self.settings, counters, self.client_ips, rate_limit_rules)
        self.sign_in_throttle = SignInThrottle(self.settings, counters)
        resolved = resolve_plugins(self.settings, plugins)
        session_options = self.settings.session
        self.schema = AuthSchema.for_settings(self.settings, resolved)
        """The user and session models with their additional fields (the app's and the plugins')."""
        database = self.database if self.has_database else None
        revocations = revocations_for(session_options, self.storage, database, stateless=self.stateless_sessions)
        store = session_store or store_for(
            session_options,
            self.database,
            self.storage,
            self.clock,
            stateless=self.stateless_sessions,
            revocations=revocations,
            schema=self.schema,
        )
        self.hooks = HookRunner(hooks)
        self.sessions = SessionService(self.settings.session, store, self.clock, self.hooks, self.schema.session)
        self.users = UserService(
            self.database, self.clock, store, self.hooks, self.schema.user, end_sessions=self.sessions.revoke_all
        )
        self.stateless = (
            stateless_cookie(
                session_options,
                self.cookies,
                self.keyring,
                self.clock,
                revocations=revocations,
                version=cookie_cache_version,
                load_user=self.users.get if self.has_database else None,
                schema=self.schema,
            )
            if self.stateless_sessions
            else None
        )
        """The stateless session cookie, when sessions are stateless (then `cookie_cache` is None)."""
        self.cookie_cache = (
            None
            if self.stateless
            else cookie_cache_for(
                session_options,
                store,
                self.cookies,
                self.keyring,
                self.clock,
                version=cookie_cache_version,
                schema=self.schema,
            )
        )
        self.keeping: SessionKeeping = self.stateless or StoredSessions(self.sessions, self.cookie_cache)
        """How sessions are kept (in the store with an optional cookie copy, or stateless): every lookup, sign-out
        and cookie copy goes through it."""
        self.issuer = SessionIssuer(self.sessions, self.users.with_values)
        """Every sign-in becomes a session here, through the plugins' sign-in stages."""
        self.session_cookies = SessionCookieWriter(
            self.cookies, self.keeping, self.keyring, bearer=self.settings.bearer.enabled
        )
        """Where a session reaches the browser: its cookie, the cookie cache or stateless copy, the bearer header."""
        self.email_password = EmailPasswordService(
            options,
            self.database,
            self.passwords,
            self.issuer,
            self.clock,
            self.hooks,
            policy=self.password_policy,
            fields=self.schema.user,
        )
        self.tokens = VerificationService(self.database, self.clock)
        self.background = BackgroundTasks()
        self.mailer = Mailer(
            email_sender or sender_from_settings(self.settings.email, self.clock, self.settings.environment)
        )
        self.email_flows = EmailFlows(
            self.settings,
            FlowRecords(self.database, self.users, self.sessions, self.hooks),
            PasswordTools(self.passwords, self.password_policy),
            FlowTokens(self.tokens, EmailTokens(self.keyring, self.clock, self.tokens)),
            MailDelivery(self.mailer, email_templates or Templates.from_settings(self.settings.email), self.background),
            self.clock,
            on_password_reset=on_password_reset,
        )
        self.email_password.emails = self.email_flows
        # Built-ins configured in settings, then those passed in code (which win for the same id).
        configured = [*builtin_providers(self.settings.social), *social_providers]
        providers = {provider.id: provider for provider in configured}
        provider_client = ProviderClient()
        token_cipher = ProviderTokenCipher(self.keyring, encrypt=self.settings.social.encrypt_oauth_tokens)
        states: OAuthStateStore = (
            CookieStateStore(self.keyring, self.clock)
            if self.settings.social.store_state_strategy == "cookie" or not self.has_database
            else DatabaseStateStore(self.tokens, self.keyring)
        )
        self.accounts = AccountService(
            self.settings.social, providers, self.database, provider_client, self.clock, self.hooks, token_cipher
        )
        self.oauth = OAuthService(
            self.settings,
            providers,
            states=states,
            client=provider_client,
            clock=self.clock,
            stores=IdentityStores(
                self.database, self.users, self.accounts, token_cipher, self.hooks, has_database=self.has_database
            ),
            sessions=SessionAccess(
                self.sessions, self.issuer, keyring=self.keyring, session_rows=not self.stateless_sessions
            ),
        )
        self.account_cookie = AccountCookie(self.keyring, self.cookies, self.clock)
        """The `account_data` cookie: where a sign-in's provider account is kept without a database."""
        self.plugins = self._set_up_plugins(resolved)
        """The plugins this instance runs, set up: those passed in code, then built-in ones enabled in settings."""
        self.session_sources: tuple[SessionSource, ...] = tuple(
            source for plugin in self.plugins for source in plugin.session_sources()
        )
        """Credentials other than a session token that stand for a session in one request (plugins')."""
        self.api = AuthAPI(self)
        self.exception_handlers = build_exception_handlers(self.settings.base_path)
        self.router = self._build_router()

    def _set_up_plugins(self, plugins: list[Plugin[Any]]) -> list[Plugin[Any]]:
        context = AuthContext(
            settings=self.settings,
            database=self.database,
            has_database=self.has_database,
            clock=self.clock,
            keyring=self.keyring,
            cookies=self.cookies,
            sessions=self.sessions,
            issuer=self.issuer,
            session_cookies=self.session_cookies,
            users=self.users,
            email_password=self.email_password,
            tokens=self.tokens,
            mailer=self.mailer,
            hooks=self.hooks,
            rate_limiter=self.rate_limiter,
            sign_in_throttle=self.sign_in_throttle,
            origins=self.origins,
            client_ips=self.client_ips,
            background=self.background,
        )
        set_up_plugins(plugins, context)
        return plugins

    def plugin(self, kind: type[PluginT]) -> PluginT:
        """The running plugin of this type (`auth.plugin(ApiKeys).create_api_key(...)`); `LookupError` when it is not
        enabled."""
        for plugin in self.plugins:
            if isinstance(plugin, kind):
                return plugin
        raise LookupError(
            f"the {kind.id!r} plugin is not enabled: pass it to BetterAuth(plugins=[...]) or set "
            f"BETTER_AUTH_PLUGINS__{kind.id.upper()}__ENABLED=true"
        )

    def _check_database_needs(self) -> None:
        """Refuse at start-up what cannot work without a database, instead of failing on every request."""
        if self.has_database:
            return
        if self.settings.rate_limit.storage == "database":
            raise ValueError("rate_limit.storage='database' needs a database; use 'memory' or 'secondary-storage'")

    def _check_stateless_needs(self) -> None:
        if self.stateless_sessions and self.settings.bearer.enabled:
            raise ValueError(
                "bearer.enabled needs session rows: a bearer token is the session token alone, and stateless "
                "sessions live in the session_data cookie (use cookies, or session.store='database')"
            )

    def _build_router(self) -> APIRouter:
        # The rate limit comes first, as in better-auth: refused requests cost no further work.
        # The request's languages are kept for the emails it sends (`Templates.locale_for`).
        checks = [Depends(self.rate_limiter), Depends(self._check_origin), Depends(remember_request_locale)]
        router = AuthRouter(dependencies=checks)
        # better-auth's `GET /ok`: a health check, and the baseline of the benchmarks (bench/).
        router.add_api_route("/ok", _ok, methods=["GET"], include_in_schema=False)
        router.include_router(sessions_router.build_router(self))
        # Without a database, what needs one answers 400 DATABASE_REQUIRED before doing anything.
        needs_database = [] if self.has_database else [Depends(self.require_database)]
        router.include_router(users_router.build_router(self), dependencies=needs_database)
        # Mounted even when disabled, so clients get better-auth's 400 EMAIL_PASSWORD_DISABLED, not a 404.
        router.include_router(email_password_router.build_router(self), dependencies=needs_database)
        router.include_router(account_router.build_router(self), dependencies=needs_database)
        router.include_router(oauth_router.build_router(self))
        for plugin in self.plugins:
            plugin_router = plugin.router()
            if plugin_router is not None and not isinstance(plugin_router, AuthRouter):
                raise TypeError(
                    f"plugin {plugin.id!r}: router() must return an AuthRouter (fastapi_betterauth.routing), whose "
                    "routes answer AuthError as {code, message} like every auth route"
                )
            if plugin_router is not None:
                router.include_router(plugin_router, dependencies=needs_database)
        return router

    def require_database(self) -> None:
        """400 `DATABASE_REQUIRED` when running without a database."""
        if not self.has_database:
            raise AuthError(ErrorCode.DATABASE_REQUIRED)

    async def _check_origin(self, request: Request) -> None:
        self.origins.check(request)
        if request.method not in SAFE_METHODS:
            fields = await body_fields(request, max_bytes=self.settings.advanced.max_body_bytes)
            self.origins.check_redirect_targets(fields, request.query_params)

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """Attach this instance to `app.state` for the providers, and close the engine at shutdown."""
        setattr(app.state, STATE_KEY, self)
        offer_bearer_in_openapi(app, enabled=self.settings.bearer.enabled)
        if self.has_database:
            await check_at_startup(self.database)  # logs a missing schema or an unreachable database; starts anyway
        try:
            await self.oauth.discovery.start(self.settings.social.oidc)  # an untrustworthy one stops start-up
            yield
        finally:
            await self.drain()
            self.passwords.close()
            if self.storage is not None:
                await self.storage.close()
            await self.database.dispose()

    async def drain(self) -> None:
        """Finish the background work started so far (email jobs and sends). Run at shutdown; handy in tests."""
        await self.background.drain()
        await self.mailer.drain()

    async def migrate(self) -> migrate.MigrationResult:
        """Bring the database schema to the newest revision (`alembic upgrade heads`: the core's chain and each
        enabled plugin's branch), off the event loop, adopting
        first a database that better-auth's own migrator created (docs/concepts/database.md). Raises
        `SchemaConflictError`, having changed nothing, for auth tables it can neither manage nor adopt. Without a
        database there is nothing to do."""
        if not self.has_database:
            return migrate.MigrationResult()
        plugin_versions = [plugin.migrations for plugin in self.plugins if plugin.migrations is not None]
        result = await anyio.to_thread.run_sync(
            partial(migrate.upgrade, self.settings.database_url, plugin_versions=plugin_versions, schema=self.schema)
        )
        if result.added_columns:
            logger.info("added the columns of additional fields: %s", ", ".join(result.added_columns))
        if result.adopted:
            logger.info(
                "adopted the better-auth tables in %s (created: %s)",
                migrate.describe(self.settings.database_url),
                ", ".join(result.created) or "nothing",
            )
            if not self.settings.shared_with_node:
                logger.warning(
                    "This database was created by better-auth. If a Node better-auth app still uses it, set "
                    "BETTER_AUTH_SHARED_WITH_NODE=true, or users who sign in here can no longer sign in there."
                )
        return result

    def client_info(self, request: Request) -> ClientInfo:
        return self.client_ips.client_info(request)


async def _ok() -> dict[str, bool]:
    return {"ok": True}
