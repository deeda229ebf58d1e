"""Adapters for eval targets, all on one egress-guarded session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from benchstudio.core.net import EgressPolicy, create_egress_session
from benchstudio.providers.base import ProviderAdapter
from benchstudio.providers.factory import create_adapter
from benchstudio.toolcall.live.records import EvalTarget
from benchstudio.toolcall.live.runner import AdapterFor


@asynccontextmanager
async def guarded_adapters(policy: EgressPolicy) -> AsyncIterator[AdapterFor]:
    """Yield `adapter_for(target)`; every adapter uses the guarded session, closed on exit."""
    session = create_egress_session(policy)
    adapters: dict[str, ProviderAdapter] = {}

    def adapter_for(target: EvalTarget) -> ProviderAdapter:
        if target.label not in adapters:
            adapters[target.label] = create_adapter(
                target.protocol, target.base_url, target.api_key, session=session
            )
        return adapters[target.label]

    try:
        yield adapter_for
    finally:
        await session.close()
