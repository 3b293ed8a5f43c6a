"""`Mailer`: sends in the background, so a request never waits on (or reveals through its timing) an email."""

from __future__ import annotations

import asyncio
import logging
import traceback

from .message import EmailMessage, EmailSender

logger = logging.getLogger("fastapi_betterauth.mail")

_REDACTED = "[redacted]"


def _redact(text: str, message: EmailMessage) -> str:
    # The link and token are credentials: a failure report must not become a way to read them from the logs.
    for secret in (message.url, message.token):
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


class Mailer:
    """Sends off the request path.

    `dispatch` starts the send as a task and returns at once: the caller has already stored the token, so a failed
    send loses nothing (the user asks again) and leaves nothing half done. Failures are logged on
    `fastapi_betterauth.mail` with the email's type and recipient, never its link or token. `drain` waits for
    pending sends; call it at shutdown, and in tests before reading what was sent.
    """

    def __init__(self, sender: EmailSender) -> None:
        self.sender = sender
        self._tasks: set[asyncio.Task[None]] = set()

    def dispatch(self, message: EmailMessage) -> None:
        """Schedule sending `message` on the running event loop. Never raises."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Called outside the event loop: nothing can send it now. Say so rather than fail the caller.
            logger.error("Could not schedule the %s email to %s: no running event loop", message.type, message.to)
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
            logger.warning("The %s email to %s was not sent: cancelled", message.type, message.to)
            raise
        except Exception as error:
            details = _redact("".join(traceback.format_exception(error)), message)
            logger.error(
                "Sending the %s email to %s failed: %s\n%s",
                message.type,
                message.to,
                _redact(f"{type(error).__name__}: {error}", message),
                details.rstrip(),
            )
