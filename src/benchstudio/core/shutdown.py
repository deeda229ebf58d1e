"""Shutdown steps with a time bound, so one stuck connection cannot hang a process's exit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

log = logging.getLogger(__name__)
STEP_TIMEOUT_S = 10.0


async def bounded_step(
    name: str, step: Awaitable[object], timeout_s: float = STEP_TIMEOUT_S
) -> None:
    """Await `step`; past `timeout_s` give up on it (it is cancelled) and log which one."""
    try:
        async with asyncio.timeout(timeout_s):
            await step
    except TimeoutError:
        log.warning("shutdown step timed out; going on", extra={"step": name})
