"""`python -m fastapi_betterauth info`: what the settings configure and where the database's schema is, in a few
readable lines (README "Use it in your app"). It sees the settings (environment, `.env`), not what an app passes in
code (its own plugins, providers or email sender). Secrets are never shown, only whether they are set; passwords in
URLs are masked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ._version import __version__
from .db.migrate import RevisionStatus, describe
from .oauth.config import builtin_providers
from .plugins.base import Plugin
from .settings import AuthSettings
from .settings.checks import describe_secrets

MIGRATE = "python -m fastapi_betterauth migrate"


def configuration_lines(settings: AuthSettings, plugins: Sequence[Plugin[Any]]) -> list[str]:
    """One `name: value` line per configured aspect, as `info` prints them."""
    social = [provider.id for provider in builtin_providers(settings.social)]
    social += [f"{entry.id} (OpenID Connect)" for entry in settings.social.oidc]
    return [
        f"fastapi-betterauth-kit {__version__}, environment {settings.environment}",
        f"base URL: {settings.url} (auth routes at {settings.base_path})",
        f"database: {describe(settings.database_url)}",
        f"secret: {describe_secrets(settings)}",
        f"sessions: {_sessions(settings)}",
        f"secondary storage: {_masked(settings.secondary_storage_url) if settings.secondary_storage_url else 'none'}",
        f"plugins: {', '.join(plugin.id for plugin in plugins) or 'none'}",
        f"social providers: {', '.join(social) or 'none'}",
        f"email: {_email(settings)}",
    ]


def schema_line(status: RevisionStatus) -> str:
    """Where the schema is against the chain's heads, and what to run when `migrate` has work to do."""
    heads = ", ".join(status.heads)
    if status.unknown:
        return (
            f"schema: at {', '.join(status.current)}, unknown to this version ({__version__}, heads {heads}): "
            "a newer fastapi-betterauth-kit migrated this database"
        )
    if not status.current:
        if status.has_tables:
            return f"schema: better-auth tables without a recorded revision (heads {heads}): `{MIGRATE}` adopts them"
        return f"schema: no auth tables (heads {heads}): migration pending, run `{MIGRATE}`"
    if status.pending:
        return f"schema: at {', '.join(status.current)}, heads {heads}: migration pending, run `{MIGRATE}`"
    return f"schema: at {heads} (the heads): up to date"


def _sessions(settings: AuthSettings) -> str:
    session = settings.session
    if session.store == "stateless":
        kept = "stateless (an encrypted cookie, no session rows)"
    elif settings.secondary_storage_url:
        also = ", and in the session table" if session.store_session_in_database else ""
        kept = f"in secondary storage{also}"
    else:
        kept = "in the database (session table)"
    cache = session.cookie_cache
    if cache.enabled and session.store != "stateless":
        kept += f"; cookie cache {cache.strategy}, {int(cache.max_age.total_seconds())} s"
    return kept


def _email(settings: AuthSettings) -> str:
    email = settings.email
    if email.outbox:
        return f"file outbox {Path(email.outbox)}"
    if email.smtp_host:
        security = "implicit TLS" if email.smtp_tls else "STARTTLS" if email.smtp_starttls else "no TLS"
        login = f", login {email.smtp_username}" if email.smtp_username else ""
        return f"SMTP {email.smtp_host}:{email.smtp_port} ({security}{login})"
    if settings.environment in ("development", "test"):
        return "none configured: emails are logged at WARNING (development and test)"
    return "NONE CONFIGURED: emails are not delivered, only logged at INFO (set BETTER_AUTH_EMAIL__SMTP_HOST)"


def _masked(url: str) -> str:
    """`url` with the password of its user part replaced by `***`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username or ''}:***@"
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=user + host))
