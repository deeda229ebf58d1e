"""The one retry policy of the provider layer.

Speed measurement never retries (it does not use this module): a retried request would hide
the failure and distort latency; every failure is a measured error. Evals use the default
policy around their non-streaming calls (`call_with_retry`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from benchstudio.providers.errors import ProviderError, RateLimitedError

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter; honours `retry-after` up to `max_retry_after_s`."""

    max_attempts: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0
    jitter: float = 0.25
    max_retry_after_s: float = 60.0

    @classmethod
    def none(cls) -> RetryPolicy:
        return cls(max_attempts=1)

    def delay_before_retry(self, attempt: int, error: ProviderError) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None when not to retry."""
        if attempt >= self.max_attempts or not error.retryable:
            return None
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            if error.retry_after > self.max_retry_after_s:
                return None  # waiting that long is the caller's decision, not ours
            return error.retry_after
        delay: float = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return delay * (1 + self.jitter * random.random())


async def call_with_retry(
    call: Callable[[], Awaitable[T]], policy: RetryPolicy, sleep: Sleep = asyncio.sleep
) -> T:
    """Run `call` until it succeeds or the policy gives up (then the last error is raised)."""
    attempt = 1
    while True:
        try:
            return await call()
        except ProviderError as exc:
            delay = policy.delay_before_retry(attempt, exc)
            if delay is None:
                raise
        await sleep(delay)
        attempt += 1
