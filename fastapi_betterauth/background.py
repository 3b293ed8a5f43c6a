"""Work done after the response (email sending): off the request path, so answers take the same time whether or
not there was anything to send, and a slow mail server never holds a request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger("fastapi_betterauth")


class BackgroundTasks:
    """Runs coroutines as tasks it keeps references to; failures are logged, never raised to a request."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, job: Callable[[], Awaitable[None]], description: str) -> None:
        async def run() -> None:
            try:
                await job()
            except Exception:
                logger.exception("background job failed: %s", description)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every job started so far (and those they start). For tests and shutdown."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
