"""The development outbox: the emails the app sent, kept in memory for the `/dev/outbox` page, and printed as well."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi_betterauth.mail import EmailMessage, EmailSender


@dataclass(frozen=True)
class SentEmail:
    message: EmailMessage
    at: datetime


class DevelopmentOutbox:
    """An `EmailSender` for development: hands each message to `sender` (the one the settings chose, which prints
    it in development) and keeps the last `size` messages, newest first, for the outbox page.

    Emails carry sign-in links and codes: this is for development only, never for an app that real users reach.
    """

    def __init__(self, sender: EmailSender, size: int = 50) -> None:
        self.sender = sender
        self._sent: deque[SentEmail] = deque(maxlen=size)

    async def send(self, message: EmailMessage) -> None:
        self._sent.appendleft(SentEmail(message, datetime.now(UTC)))
        await self.sender.send(message)

    def messages(self) -> list[SentEmail]:
        return list(self._sent)
