"""Adapters for benchmark targets on one shared, egress-guarded connection pool, and prices."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from benchstudio.providers.base import ProviderAdapter
from benchstudio.providers.factory import create_adapter
from benchstudio.providers.pricing import cost_usd
from benchstudio.speed.config import Prices, TargetConfig
from benchstudio.speed.results import CostFunction


@asynccontextmanager
async def http_session(egress_mode: str = "dev") -> AsyncIterator[Any]:
    """One pooled session for the run, without a connection cap (load tests need many).

    No total or per-host limit, so the connections opened before a window (`c` at concurrency
    c, see `speed.connections`) all stay in the pool; aiohttp closes a connection idle for
    more than 15 s (its keep-alive timeout), which a window that starts right after never meets.

    `dev` mode allows loopback and private addresses: the CLI is run by the operator against
    local model servers as often as against hosted APIs.
    """
    from benchstudio.core.net import EgressPolicy, create_egress_session

    session = create_egress_session(EgressPolicy.from_allow_list(egress_mode), limit=0)
    try:
        yield session
    finally:
        await session.close()


def build_adapter(target: TargetConfig, session: Any) -> ProviderAdapter:
    """The adapter for `target.protocol` (the one registry: `providers.factory`), sending the
    target's key and extra headers."""
    return create_adapter(
        target.protocol,
        target.base_url,
        target.api_key(),
        session=session,
        extra_headers=dict(target.headers) or None,
    )


def _custom_cost(prices: Prices) -> CostFunction:
    def cost(
        _model: str,
        input_tokens: int | None,
        output_tokens: int | None,
        reasoning_tokens: int | None,
        cached_tokens: int | None,
    ) -> float | None:
        cached = cached_tokens or 0
        cached_price = prices.cached_input if prices.cached_input is not None else prices.input
        fresh_input = max(0, (input_tokens or 0) - cached)
        # Reasoning tokens are part of output tokens in every protocol's usage; a separate
        # reasoning price (rare) replaces the output price for that share.
        reasoning = (reasoning_tokens or 0) if prices.reasoning is not None else 0
        plain_output = max(0, (output_tokens or 0) - reasoning)
        total = (
            fresh_input * prices.input
            + cached * cached_price
            + plain_output * prices.output
            + reasoning * (prices.reasoning or 0.0)
        )
        return total / 1_000_000

    return cost


def cost_function(target: TargetConfig) -> CostFunction | None:
    """Custom prices first, then the bundled price table (None when neither knows the model)."""
    if target.prices is not None:
        return _custom_cost(target.prices)

    def table_cost(
        model: str,
        input_tokens: int | None,
        output_tokens: int | None,
        reasoning_tokens: int | None,
        cached_tokens: int | None,
    ) -> float | None:
        value = cost_usd(model, input_tokens, output_tokens, reasoning_tokens, cached_tokens)
        return None if value is None else float(value)

    return table_cost
