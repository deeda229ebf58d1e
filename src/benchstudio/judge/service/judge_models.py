"""Open a judge model: a catalog model's adapter (key attached by the vault), price and window.

The price is the catalog model's custom price when it has input and output prices, else the
bundled price table's entry for the model id; None when neither knows it (the cost is then
unknown, never 0). The window is the catalog model's `context_window` (None: not checked).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from benchstudio.catalog import service as catalog_service
from benchstudio.catalog.schemas import ModelOut
from benchstudio.judge.service.verdict_call import JudgeModel
from benchstudio.providers.base import ProviderAdapter
from benchstudio.providers.pricing import ModelPrice


def model_price(model: ModelOut, provider_name: str) -> ModelPrice | None:
    """Custom catalog prices win over the bundled table; None when unpriced."""
    raise NotImplementedError


def endpoint_key(base_url: str, model_id: str) -> str:
    """The key the structured-output fallback memory uses for one model at one endpoint."""
    raise NotImplementedError


@asynccontextmanager
async def open_judge_model(
    ctx: catalog_service.CatalogContext, model_ref_id: str
) -> AsyncIterator[JudgeModel]:
    """A catalog model (the owner's; NotFoundError otherwise) ready to judge; the adapter's
    session closes on exit."""
    raise NotImplementedError
    yield


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
    raise NotImplementedError
