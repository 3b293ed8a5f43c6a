"""`Mailer`: sends in the background, so a request never waits on (or reveals through its timing) an email."""

from __future__ import annotations

import asyncio
import logging
import traceback

from ..addresses import check_recipient
from ..audit import email_digest
from .message import EmailMessage, EmailSender

logger = logging.getLogger("fastapi_betterauth.mail")

_REDACTED = "[redacted]"


def _redact(text: str, message: EmailMessage) -> str:
    # The link and token are credentials, the address personal data (L7): a failure report (an SMTP server's answer
    # often quotes the recipient) must not become a way to read them from the logs.
    for secret in (message.url, message.token, message.to):
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def _recipient(message: EmailMessage) -> str:
    """How a log record names the recipient: the digest audit records use (L7), never the address."""
    return email_digest(message.to)


class Mailer:
    """Sends off the request path.

    `dispatch` starts the send as a task and returns at once: the caller has already stored the token, so a failed
    send loses nothing (the user asks again) and leaves nothing half done. Failures are logged on
    `fastapi_betterauth.mail` with the email's type and a digest of the recipient, never the address itself, its
    link or token (docs/security.md L7). `drain` waits for pending sends; call it at shutdown, and in tests before
    reading what was sent.
    """

    def __init__(self, sender: EmailSender) -> None:
        self.sender = sender
        self._tasks: set[asyncio.Task[None]] = set()

    def dispatch(self, message: EmailMessage) -> None:
        """Schedule sending `message` on the running event loop. `InvalidRecipientError`, and nothing sent, for a
        recipient that is empty or carries control characters (docs/security.md L9); otherwise never raises."""
        check_recipient(message.to, message.type)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Called outside the event loop: nothing can send it now. Say so rather than fail the caller.
            logger.error(
                "Could not schedule the %s email (recipient %s): no running event loop",
                message.type,
                _recipient(message),
            )
            return
        task = loop.create_task(self._send(message))
        # The loop keeps only weak references to tasks: hold one until it is done.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every send dispatched on this event loop has finished, including sends dispatched meanwhile."""
        loop = asyncio.get_running_loop()
        while True:
            # A task of a loop that has closed will never finish: forget it rather than wait forever.
            for task in [task for task in self._tasks if task.get_loop().is_closed()]:
                self._tasks.discard(task)
            pending = [task for task in self._tasks if task.get_loop() is loop]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)

    async def _send(self, message: EmailMessage) -> None:
        try:
            await self.sender.send(message)
        except asyncio.CancelledError:
            logger.warning("The %s email (recipient %s) was not sent: cancelled", message.type, _recipient(message))
            raise
        except Exception as error:
            details = _redact("".join(traceback.format_exception(error)), message)
            logger.error(
                "Sending the %s email (recipient %s) failed: %s\n%s",
                message.type,
                _recipient(message),
                _redact(f"{type(error).__name__}: {error}", message),
                details.rstrip(),
            )
