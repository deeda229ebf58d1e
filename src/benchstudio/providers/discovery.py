"""Health checks shared by every protocol: list models, time it, never raise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from time import perf_counter_ns

from benchstudio.providers.base import HealthStatus, ModelInfo
from benchstudio.providers.errors import ProviderError

# Models endpoints answer in well under a second; a health check must not hang a page.
DISCOVERY_TIMEOUT_S = 15.0


async def probe_health(list_models: Callable[[], Awaitable[list[ModelInfo]]]) -> HealthStatus:
    """Call the (cheap, token-free) models endpoint and report reachability and auth."""
    started = perf_counter_ns()
    try:
        models = await list_models()
    except ProviderError as exc:
        return HealthStatus(ok=False, latency_ms=(perf_counter_ns() - started) / 1e6, error=exc)
    return HealthStatus(
        ok=True, latency_ms=(perf_counter_ns() - started) / 1e6, model_count=len(models)
    )
