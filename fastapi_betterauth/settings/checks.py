"""Start-up checks: the secrets to use (refusing weak ones outside development), and the errors start-up raises."""

from __future__ import annotations

import logging
import secrets

from ..startup_errors import OneLineWhenUncaught
from .root import AuthSettings

logger = logging.getLogger("fastapi_betterauth")

MIN_SECRET_LENGTH = 32

# Secrets that appear in docs, templates and better-auth's own fallback: never acceptable outside development.
_PLACEHOLDER_SECRETS = frozenset(
    {
        "better-auth-secret-12345678901234567890",
        "secret",
        "changeme",
        "your-secret-here",
        "your-secret-key",
        "super-secret",
        "supersecret",
    }
)
_PLACEHOLDER_MARKERS = (
    "changeme",
    "change-me",
    "change_me",
    "replace-me",
    "replace_me",
    "your-secret",
    "example",
)


class InsecureSecretError(OneLineWhenUncaught, RuntimeError):
    """Raised at start-up when the secret is missing, too short or a known placeholder outside development."""


class InsecureSettingsError(OneLineWhenUncaught, RuntimeError):
    """Raised at start-up when settings turn on something unsafe in production without saying so explicitly."""


def resolve_secrets(settings: AuthSettings) -> list[tuple[int | None, str]]:
    """The secrets to use, newest first, as (version, value): `BETTER_AUTH_SECRETS` entries, then `secret` (kept to
    verify what it signed before rotation). Weak ones, `secret` included, are refused outside development, as for a
    single secret: every secret that verifies anything must be strong (T7)."""
    if not settings.secrets:
        return [(None, resolve_secret(settings))]
    versioned: list[tuple[int | None, str]] = []
    for entry in settings.secrets:
        version_text, sep, value = entry.partition(":")
        if not sep or not version_text.strip().isdigit() or not value:
            raise InsecureSecretError(f"BETTER_AUTH_SECRETS entries look like '2:secret-value', got {entry[:12]!r}...")
        version = int(version_text)
        if any(version == known for known, _ in versioned):
            raise InsecureSecretError(f"BETTER_AUTH_SECRETS has version {version} twice")
        problem = _secret_problem(value)
        if problem is not None and settings.environment != "development":
            raise InsecureSecretError(f"BETTER_AUTH_SECRETS version {version} {problem}.")
        versioned.append((version, value))
    legacy = settings.secret.get_secret_value() if settings.secret is not None else ""
    if legacy and all(legacy != value for _, value in versioned):
        # It still verifies what it signed, so it is held to the same rule as a current secret (T7).
        problem = _secret_problem(legacy)
        if problem is not None and settings.environment != "development":
            raise InsecureSecretError(
                f"BETTER_AUTH_SECRET {problem} (environment={settings.environment!r}) and would still verify "
                "signatures beside BETTER_AUTH_SECRETS. Drop it, or list it in BETTER_AUTH_SECRETS only if it was "
                "strong."
            )
        if problem is not None:
            logger.warning("BETTER_AUTH_SECRET %s; acceptable only in development.", problem)
        versioned.append((None, legacy))
    return versioned


def resolve_secret(settings: AuthSettings) -> str:
    """Return the secret to use, refusing weak ones outside development (there it warns and generates one)."""
    value = settings.secret.get_secret_value() if settings.secret is not None else ""
    problem = _secret_problem(value)
    if problem is None:
        return value
    hint = "Generate one with `python -m fastapi_betterauth secret` and set BETTER_AUTH_SECRET."
    if settings.environment != "development":
        raise InsecureSecretError(
            f"BETTER_AUTH_SECRET {problem} (environment={settings.environment!r}). {hint} "
            "For local experiments only, set BETTER_AUTH_ENVIRONMENT=development."
        )
    if value:
        logger.warning("BETTER_AUTH_SECRET %s; acceptable only in development. %s", problem, hint)
        return value
    logger.warning(
        "BETTER_AUTH_SECRET is not set: using a random secret for this process, so sessions end at restart. %s",
        hint,
    )
    return secrets.token_urlsafe(48)


def _secret_problem(value: str) -> str | None:
    if not value:
        return "is not set"
    lowered = value.lower()
    if lowered in _PLACEHOLDER_SECRETS or any(marker in lowered for marker in _PLACEHOLDER_MARKERS):
        return "is a placeholder value"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(value)) < 10:
        return "has too little variety to be random"
    return None


def describe_secrets(settings: AuthSettings) -> str:
    """Whether the secrets are set and would pass start-up, in words, never with their values (`python -m
    fastapi_betterauth info`)."""
    values = [entry.partition(":")[2] for entry in settings.secrets]
    if settings.secret is not None and settings.secret.get_secret_value():
        values.append(settings.secret.get_secret_value())
    if not values:
        if settings.environment == "development":
            return "not set (development: a random secret per process, sessions end at restart)"
        return "NOT SET: start-up refuses it; generate one with `python -m fastapi_betterauth secret`"
    problems = [problem for problem in map(_secret_problem, values) if problem is not None]
    source = f"BETTER_AUTH_SECRETS, {len(settings.secrets)} version(s)" if settings.secrets else "BETTER_AUTH_SECRET"
    if not problems:
        return f"set ({source})"
    verdict = "development tolerates it" if settings.environment == "development" else "start-up refuses it"
    return f"set ({source}) but one {problems[0]}: {verdict}"
