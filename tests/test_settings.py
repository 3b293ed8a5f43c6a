"""`AuthSettings` from the environment, `.env` and code; the secret policy enforced by `BetterAuth` (T7)."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from fastapi_betterauth import AuthSettings, BetterAuth, InsecureSecretError

GOOD_SECRET = "Zq8vN3xKp2LmR7tYw4HsJ6cF9bDg1EaU5oIk0"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No BETTER_AUTH_* / DATABASE_URL / AUTH_SECRET from the outer environment, and a cwd without a `.env`."""
    for name in list(os.environ):
        if name.upper().startswith("BETTER_AUTH_") or name.upper() in ("DATABASE_URL", "AUTH_SECRET"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make_auth(tmp_path: Path, **values: object) -> BetterAuth:
    """A `BetterAuth` on a SQLite file in tmp_path (never connected: construction alone checks the secret)."""
    values.setdefault("database_url", f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}")
    return BetterAuth(AuthSettings(**values))  # type: ignore[arg-type]


# --- environment and .env ------------------------------------------------------------------------------------------


def test_defaults_without_any_configuration() -> None:
    settings = AuthSettings()
    assert settings.secret is None
    assert settings.url == "http://localhost:8000"
    assert settings.environment == "production"
    assert settings.trusted_origins == []
    assert settings.session.expires_in == timedelta(days=7)
    assert settings.email_and_password.require_email_verification is False
    url = make_url(settings.database_url)
    assert url.get_backend_name() == "sqlite"
    assert url.get_driver_name() == "aiosqlite"
    assert url.database not in (None, "", ":memory:"), "the default database is a file, not in-memory"


def test_top_level_values_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", GOOD_SECRET)
    monkeypatch.setenv("BETTER_AUTH_URL", "https://auth.example.org/")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://app@db.internal/app")
    settings = AuthSettings()
    assert settings.secret is not None
    assert settings.secret.get_secret_value() == GOOD_SECRET
    assert settings.url == "https://auth.example.org", "the trailing slash is stripped"
    assert settings.origin == "https://auth.example.org"
    assert settings.database_url == "postgresql+asyncpg://app@db.internal/app"


def test_better_auth_database_url_is_read_and_wins_over_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_DATABASE_URL", "postgresql+asyncpg://auth@db/auth")
    assert AuthSettings().database_url == "postgresql+asyncpg://auth@db/auth"
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://app@db/app")
    assert AuthSettings().database_url == "postgresql+asyncpg://auth@db/auth"


def test_auth_secret_is_a_fallback_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_SECRET", GOOD_SECRET)
    settings = AuthSettings()
    assert settings.secret is not None
    assert settings.secret.get_secret_value() == GOOD_SECRET
    monkeypatch.setenv("BETTER_AUTH_SECRET", "B" + GOOD_SECRET)
    settings = AuthSettings()
    assert settings.secret is not None
    assert settings.secret.get_secret_value() == "B" + GOOD_SECRET, "BETTER_AUTH_SECRET wins over AUTH_SECRET"


def test_unprefixed_generic_names_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the documented names configure auth: a `SECRET` or `URL` left by another tool is not the auth secret."""
    monkeypatch.setenv("SECRET", GOOD_SECRET)
    monkeypatch.setenv("URL", "https://some-other-tool.example")
    monkeypatch.setenv("ENVIRONMENT", "development")
    settings = AuthSettings()
    assert settings.secret is None
    assert settings.url == "http://localhost:8000"
    assert settings.environment == "production"
    monkeypatch.setenv("BETTER_AUTH_SECRET", "B" + GOOD_SECRET)
    monkeypatch.setenv("BETTER_AUTH_URL", "https://auth.example.org")
    settings = AuthSettings()
    assert settings.secret is not None
    assert settings.secret.get_secret_value() == "B" + GOOD_SECRET
    assert settings.url == "https://auth.example.org"


def test_nested_values_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_SESSION__EXPIRES_IN", "60")
    monkeypatch.setenv("BETTER_AUTH_SESSION__FRESH_AGE", "0")
    monkeypatch.setenv("BETTER_AUTH_EMAIL_AND_PASSWORD__REQUIRE_EMAIL_VERIFICATION", "true")
    monkeypatch.setenv("BETTER_AUTH_ADVANCED__IP_ADDRESS__TRUSTED_PROXIES", '["10.0.0.0/8"]')
    settings = AuthSettings()
    assert settings.session.expires_in == timedelta(seconds=60)
    assert settings.session.fresh_age == timedelta(0)
    assert settings.session.update_age == timedelta(days=1), "unset siblings keep their defaults"
    assert settings.email_and_password.require_email_verification is True
    assert settings.email_and_password.min_password_length == 8
    assert settings.advanced.ip_address.trusted_proxies == ["10.0.0.0/8"]


def test_iso8601_and_fractional_durations_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_SESSION__UPDATE_AGE", "PT1M")
    monkeypatch.setenv("BETTER_AUTH_SESSION__REMEMBER_ME_FALSE_EXPIRES_IN", "1.5")
    settings = AuthSettings()
    assert settings.session.update_age == timedelta(minutes=1)
    assert settings.session.remember_me_false_expires_in == timedelta(seconds=1.5)


@pytest.mark.parametrize("value", ["soon", "-5", "1e3"])
def test_malformed_duration_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BETTER_AUTH_SESSION__UPDATE_AGE", value)
    with pytest.raises(ValidationError, match="update_age"):
        AuthSettings()


def test_invalid_nested_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_SESSION__EXPIRES_IN", "0")
    with pytest.raises(ValidationError, match="expires_in"):
        AuthSettings()


def test_trusted_origins_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_TRUSTED_ORIGINS", "https://a.example, https://b.example")
    assert AuthSettings().trusted_origins == ["https://a.example", "https://b.example"]


def test_trusted_origins_single_and_with_empty_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_TRUSTED_ORIGINS", "https://only.example")
    assert AuthSettings().trusted_origins == ["https://only.example"]
    monkeypatch.setenv("BETTER_AUTH_TRUSTED_ORIGINS", " https://a.example ,, *.b.example, ")
    assert AuthSettings().trusted_origins == ["https://a.example", "*.b.example"]


def test_values_from_dotenv_in_cwd(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text(
        "\n".join(
            [
                f"BETTER_AUTH_SECRET={GOOD_SECRET}",
                "BETTER_AUTH_URL=https://from-dotenv.example",
                "DATABASE_URL=postgresql+asyncpg://dotenv@db/dotenv",
                "BETTER_AUTH_SESSION__EXPIRES_IN=120",
                "BETTER_AUTH_TRUSTED_ORIGINS=https://a.example,https://b.example",
                "BETTER_AUTH_ENVIRONMENT=development",
            ]
        )
        + "\n"
    )
    settings = AuthSettings()
    assert settings.secret is not None
    assert settings.secret.get_secret_value() == GOOD_SECRET
    assert settings.url == "https://from-dotenv.example"
    assert settings.database_url == "postgresql+asyncpg://dotenv@db/dotenv"
    assert settings.session.expires_in == timedelta(seconds=120)
    assert settings.trusted_origins == ["https://a.example", "https://b.example"]
    assert settings.environment == "development"


def test_environment_wins_over_dotenv(clean_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_environment / ".env").write_text("BETTER_AUTH_URL=https://from-dotenv.example\n")
    monkeypatch.setenv("BETTER_AUTH_URL", "https://from-env.example")
    assert AuthSettings().url == "https://from-env.example"


def test_explicit_values_override_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", "x" * 10 + GOOD_SECRET)
    monkeypatch.setenv("BETTER_AUTH_URL", "https://from-env.example")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://env@db/env")
    monkeypatch.setenv("BETTER_AUTH_TRUSTED_ORIGINS", "https://env.example")
    monkeypatch.setenv("BETTER_AUTH_SESSION__EXPIRES_IN", "60")
    settings = AuthSettings(
        secret=GOOD_SECRET,
        url="https://explicit.example",
        database_url="sqlite+aiosqlite:///explicit.db",
        trusted_origins=["https://explicit-trusted.example"],
        session={"expires_in": 300},
    )
    assert settings.secret is not None
    assert settings.secret.get_secret_value() == GOOD_SECRET
    assert settings.url == "https://explicit.example"
    assert settings.database_url == "sqlite+aiosqlite:///explicit.db"
    assert settings.trusted_origins == ["https://explicit-trusted.example"]
    assert settings.session.expires_in == timedelta(seconds=300)


@pytest.mark.parametrize("url", ["ftp://x", "not a url", "https://", "localhost:8000", ""])
def test_invalid_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="BETTER_AUTH_URL"):
        AuthSettings(url=url)


def test_invalid_url_from_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_URL", "ftp://x")
    with pytest.raises(ValidationError):
        AuthSettings()


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValidationError):
        AuthSettings(environment="staging")  # type: ignore[arg-type]


def test_secret_is_not_shown_in_repr() -> None:
    settings = AuthSettings(secret=GOOD_SECRET)
    assert GOOD_SECRET not in repr(settings)
    assert GOOD_SECRET not in str(settings.model_dump())


def test_secure_cookies_follow_the_url_scheme() -> None:
    assert AuthSettings(url="https://app.example").secure_cookies is True
    assert AuthSettings(url="http://localhost:8000").secure_cookies is False
    assert AuthSettings(url="http://localhost:8000", advanced={"use_secure_cookies": True}).secure_cookies is True


# --- secret policy (T7) --------------------------------------------------------------------------------------------

WEAK_SECRETS = {
    "missing": None,
    "empty": "",
    "short (31 chars)": "0123456789abcdefghijklmnopqrstu",
    "better-auth's default": "better-auth-secret-12345678901234567890",
    "placeholder word": "supersecret",
    "contains changeme": "prod-CHANGEME-9f8e7d6c5b4a3210ZYXWVUT",
    "low variety": "a" * 40,
    "low variety, two chars": "ab" * 30,
}


@pytest.mark.parametrize("secret", list(WEAK_SECRETS.values()), ids=list(WEAK_SECRETS))
def test_weak_secret_refused_in_production(tmp_path: Path, secret: str | None) -> None:
    """T7: settings validation rejects a missing, short, placeholder or non-random secret outside development."""
    with pytest.raises(InsecureSecretError) as raised:
        make_auth(tmp_path, environment="production", secret=secret)
    message = str(raised.value)
    assert "BETTER_AUTH_SECRET" in message
    assert "python -m fastapi_betterauth secret" in message, "the message tells how to generate a secret"
    if secret:
        assert secret not in message, "the rejected secret itself is not echoed"


def test_weak_secret_refused_in_test_environment_too(tmp_path: Path) -> None:
    """T7: only `development` relaxes the policy."""
    with pytest.raises(InsecureSecretError, match="environment='test'"):
        make_auth(tmp_path, environment="test", secret="a" * 40)


def test_weak_secret_from_environment_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """T7: the default environment is production, so a placeholder in BETTER_AUTH_SECRET stops start-up."""
    monkeypatch.setenv("BETTER_AUTH_SECRET", "better-auth-secret-12345678901234567890")
    with pytest.raises(InsecureSecretError, match="placeholder"):
        BetterAuth(AuthSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))


def test_weak_legacy_secret_beside_rotation_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """T7: `BETTER_AUTH_SECRET` still verifies signatures once `BETTER_AUTH_SECRETS` is set, so a weak one stops
    production start-up there too (anyone knowing `changeme` could otherwise forge a session)."""
    monkeypatch.setenv("BETTER_AUTH_SECRET", "changeme")
    monkeypatch.setenv("BETTER_AUTH_SECRETS", f"2:{GOOD_SECRET}")
    with pytest.raises(InsecureSecretError, match="BETTER_AUTH_SECRET ") as raised:
        BetterAuth(AuthSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    assert "changeme" not in str(raised.value), "the rejected secret itself is not echoed"


def test_weak_legacy_secret_beside_rotation_allowed_in_development(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="fastapi_betterauth"):
        auth = make_auth(tmp_path, environment="development", secret="changeme", secrets=[f"2:{GOOD_SECRET}"])
    assert auth.keyring.secrets == (GOOD_SECRET, "changeme")
    assert any("placeholder" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "secret",
    [GOOD_SECRET, "0123456789abcdefghijklmnopqrstuv"],
    ids=["random", "exactly 32 chars"],
)
def test_good_secret_accepted_in_production(tmp_path: Path, secret: str) -> None:
    auth = make_auth(tmp_path, environment="production", secret=secret)
    assert auth.keyring.current == secret


def test_missing_secret_in_development_warns_and_generates_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="fastapi_betterauth"):
        first = make_auth(tmp_path, environment="development")
        second = make_auth(tmp_path, environment="development")
    warnings = [record for record in caplog.records if "BETTER_AUTH_SECRET" in record.getMessage()]
    assert len(warnings) == 2
    assert all(record.levelno == logging.WARNING for record in warnings)
    generated = first.keyring.current
    assert len(generated) >= 48
    assert generated != second.keyring.current, "each instance (process) gets its own random secret"
    # The generated secret is a good one: production would accept it.
    assert make_auth(tmp_path, environment="production", secret=generated).keyring.current == generated


def test_weak_secret_in_development_warns_and_is_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fastapi_betterauth"):
        auth = make_auth(tmp_path, environment="development", secret="tiny-Xq9")
    assert auth.keyring.current == "tiny-Xq9"
    messages = [record.getMessage() for record in caplog.records]
    assert any("shorter than 32" in message for message in messages)
    assert not any("tiny-Xq9" in message for message in messages), "the secret itself is never logged"
