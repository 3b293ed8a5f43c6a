"""Senders for development and tests (`ConsoleSender`, `FileSender`) and the choice among all senders by settings."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from pathlib import Path

from ..clock import Clock, SystemClock, js_iso
from ..settings import EmailSettings, Environment
from .message import EmailMessage, EmailSender
from .smtp import SmtpSender

logger = logging.getLogger("fastapi_betterauth.mail")


class ConsoleSender:
    """Logs each message (type, recipient, subject and link) on `fastapi_betterauth.mail`, at `level` (INFO unless
    given). For development: the link carries the token, so never use it where logs are shared.

    In development and tests the settings choose WARNING: with no logging configured (uvicorn configures only its own
    loggers) Python prints WARNING and above to stderr, so the link shows in the terminal, while it still goes
    through `logging` to be routed or silenced like any other record."""

    def __init__(self, level: int = logging.INFO) -> None:
        self.level = level

    async def send(self, message: EmailMessage) -> None:
        """Log `message`."""
        logger.log(
            self.level,
            "Email (%s) to %s: %s\n%s",
            message.type,
            message.to,
            message.subject,
            message.url or "(no link)",
        )


class FileSender:
    """Appends each message to `path` as one JSON line: `{"type", "to", "userId", "url", "token", "subject", "at"}`;
    an `email-otp` line also has `otp` (the code) and `otpType` (what it is for), an `organization-invitation` line
    `invitationId`, `organizationId`, `role` and `inviterEmail`.

    For local development and for the tests of apps built on the toolkit: read the file to find the link a user would
    have received. `at` is the clock's time in ISO 8601 UTC with milliseconds. Parent directories are created on the
    first send. Each line goes out in one `O_APPEND` write under a lock, so concurrent sends never interleave.
    """

    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self._clock = clock or SystemClock()
        # A thread lock, taken in the worker thread: unlike an asyncio.Lock it is bound to no event loop, so one
        # sender serves apps whose loops come and go (TestClient) and sends from several threads.
        self._lock = threading.Lock()

    async def send(self, message: EmailMessage) -> None:
        """Append `message` as one JSON line."""
        record = {
            "type": message.type,
            "to": message.to,
            "userId": message.user_id,
            "url": message.url,
            "token": message.token,
            "subject": message.subject,
            "at": js_iso(self._clock.now()),
        }
        record.update({key: value for key, value in message.details if key not in record})
        if message.otp_type is not None:
            record["otp"] = message.token
            record["otpType"] = message.otp_type
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        await asyncio.to_thread(self._append, line)

    def _append(self, line: bytes) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                view = memoryview(line)
                while view:
                    written = os.write(descriptor, view)
                    view = view[written:]
            finally:
                os.close(descriptor)


def sender_from_settings(
    settings: EmailSettings, clock: Clock | None = None, environment: Environment | None = None
) -> EmailSender:
    """The sender `settings` ask for: `FileSender` with `outbox`, else `SmtpSender` with `smtp_host`, else
    `ConsoleSender`, which logs at WARNING (visible without logging configured) in the `development` and `test`
    environments. In `production` that fallback delivers nothing, and one warning at start-up says so."""
    if settings.outbox:
        return FileSender(settings.outbox, clock)
    if settings.smtp_host:
        return SmtpSender(settings)
    if environment in ("development", "test"):
        return ConsoleSender(logging.WARNING)
    if environment == "production":
        logger.warning(
            "No email delivery is configured (BETTER_AUTH_EMAIL__SMTP_HOST, BETTER_AUTH_EMAIL__OUTBOX or "
            "BetterAuth(email_sender=...)): verification, password-reset and other emails will not be delivered, "
            "only logged at INFO on fastapi_betterauth.mail"
        )
    return ConsoleSender()
