"""Emails in development show in the terminal without any logging configured; production without a way to deliver
them says so once at start-up (docs/email-password.md)."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fastapi_betterauth import BetterAuth
from fastapi_betterauth.mail import ConsoleSender, FileSender, sender_from_settings
from fastapi_betterauth.settings import EmailSettings

from ..conftest import settings
from .test_mail import URL, message

NOT_DELIVERED = "will not be delivered"


@pytest.mark.parametrize("environment", ["development", "test"])
async def test_development_emails_are_logged_at_warning(environment: str, caplog: pytest.LogCaptureFixture) -> None:
    sender = sender_from_settings(EmailSettings(), environment=environment)  # type: ignore[arg-type]
    assert isinstance(sender, ConsoleSender)
    with caplog.at_level(logging.WARNING, logger="fastapi_betterauth.mail"):
        await sender.send(message())
    [record] = [record for record in caplog.records if record.name == "fastapi_betterauth.mail"]
    assert record.levelno == logging.WARNING
    assert URL in record.getMessage()


def test_the_link_reaches_the_terminal_without_logging_configured() -> None:
    """As under uvicorn, whose logging config leaves the library's loggers alone."""
    script = textwrap.dedent(
        """
        import asyncio
        from fastapi_betterauth.mail import EmailMessage, sender_from_settings
        from fastapi_betterauth.settings import EmailSettings

        sender = sender_from_settings(EmailSettings(), environment="development")
        email = EmailMessage(to="ann@example.com", subject="Verify", text="t", html="<p>t</p>", type="verify-email",
                             url="https://app.example/verify?token=abc", token="abc", user_id="u1")
        asyncio.run(sender.send(email))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "https://app.example/verify?token=abc" in result.stderr


def test_production_without_delivery_warns_once_at_start_up(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fastapi_betterauth"):
        BetterAuth(settings(environment="production"), database=None)
    warnings = [record for record in caplog.records if NOT_DELIVERED in record.getMessage()]
    assert len(warnings) == 1
    assert "BETTER_AUTH_EMAIL__SMTP_HOST" in warnings[0].getMessage()


def test_production_with_delivery_or_a_sender_does_not_warn(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    with caplog.at_level(logging.WARNING, logger="fastapi_betterauth"):
        BetterAuth(settings(environment="production", email={"outbox": f"{tmp_path}/o.jsonl"}), database=None)
        BetterAuth(settings(environment="production"), database=None, email_sender=FileSender(f"{tmp_path}/p"))
    assert [record for record in caplog.records if NOT_DELIVERED in record.getMessage()] == []
