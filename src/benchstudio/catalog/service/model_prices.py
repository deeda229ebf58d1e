"""A catalog model's price: zero on the built-in demo simulator, else the model's custom price,
else the bundled price table's entry for its model id; None when none knows it (a cost is then
unknown, never 0). An embeddings model needs only an input price (it writes no tokens)."""

from __future__ import annotations

from decimal import Decimal

from benchstudio.catalog.schemas import ModelOut, ProviderOut
from benchstudio.catalog.service.parameter_sets import registry_provider
from benchstudio.providers.pricing import ModelPrice, bundled_prices


def model_price(model: ModelOut, provider: ProviderOut) -> ModelPrice | None:
    """USD per million tokens; None when unpriced."""
    if provider.is_demo:
        return ModelPrice(input=Decimal(0), output=Decimal(0))
    output = model.output_price
    if output is None and model.capability == "embeddings":
        output = Decimal(0)
    if model.input_price is not None and output is not None:
        return ModelPrice(
            input=model.input_price,
            output=output,
            cached_input=model.cached_input_price,
            reasoning=model.reasoning_price,
        )
    registry = registry_provider(provider.name, provider.base_url, provider.protocol)
    return bundled_prices().lookup(registry, model.model_id)
