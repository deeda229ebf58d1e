"""Open a judge model: a catalog model's adapter (key attached by the vault), price and window.

The price is zero on the built-in demo simulator (as an eval's estimate counts it), else the
catalog model's custom price when it has input and output prices, else the bundled price
table's entry for the model id; None when none knows it (the cost is then unknown, never 0).
The window is the catalog model's `context_window` (None: not checked).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from benchstudio.catalog import service as catalog_service
from benchstudio.catalog.schemas import ModelOut, ProviderOut
from benchstudio.judge.service.verdict_call import JudgeModel
from benchstudio.providers.base import ProviderAdapter
from benchstudio.providers.pricing import ModelPrice, bundled_prices


def model_price(model: ModelOut, provider: ProviderOut) -> ModelPrice | None:
    """The judge's price per million tokens; None when unpriced (`catalog.model_price`)."""
    return catalog_service.model_price(model, provider)


def endpoint_key(base_url: str, model_id: str) -> str:
    """The key the structured-output fallback memory uses for one model at one endpoint."""
    return f"{base_url.rstrip('/')}#{model_id}"


@asynccontextmanager
async def open_judge_model(
    ctx: catalog_service.CatalogContext, model_ref_id: str
) -> AsyncIterator[JudgeModel]:
    """A catalog model (the owner's; NotFoundError otherwise) ready to judge; the adapter's
    session closes on exit."""
    model = await catalog_service.get_model(ctx, model_ref_id)
    provider = await catalog_service.get_provider(ctx, model.provider_id)
    registry = catalog_service.registry_provider(
        provider.name, provider.base_url, provider.protocol
    )
    async with catalog_service.open_provider_adapter(ctx, provider.id) as adapter:
        yield JudgeModel(
            adapter=adapter,
            protocol=provider.protocol,
            model_id=model.model_id,
            endpoint_key=endpoint_key(provider.base_url, model.model_id),
            display_name=model.display_name,
            model_ref_id=model.id,
            price=model_price(model, provider),
            context_window=model.context_window,
            max_output_tokens=model.max_output_tokens,
            provider=registry,
        )


def offline_judge_model(
    adapter: ProviderAdapter,
    *,
    protocol: str,
    base_url: str,
    model_id: str,
    context_window: int | None = None,
    price: ModelPrice | None = None,
) -> JudgeModel:
    """A judge from a bare adapter (offline CLI: provider URL and model given on the command
    line); the price defaults to the bundled table's."""
    return JudgeModel(
        adapter=adapter,
        protocol=protocol,
        model_id=model_id,
        endpoint_key=endpoint_key(base_url, model_id),
        display_name=model_id,
        price=price if price is not None else bundled_prices().lookup(protocol, model_id),
        context_window=context_window,
    )
