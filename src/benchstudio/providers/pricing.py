"""Prices and cost: a bundled, dated price table, custom per-model prices that win over it.

Prices are `Decimal` per million tokens. `Usage.output_tokens` includes reasoning tokens (every
adapter reports it that way), so reasoning tokens are split out and billed at the reasoning price
(the output price unless given). `Usage.input_tokens` includes cached input tokens likewise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Literal

from benchstudio.providers.base import Usage

PER_TOKENS = Decimal(1_000_000)
# What may follow a table key in a dated snapshot id: "-2024-08-06", "-20250929", "@001", ":free".
_SNAPSHOT_SUFFIX = re.compile(r"^(-\d{4}-?\d{2}-?\d{2}|-latest|-v\d+(:\d+)?|@.+|:.+)$")


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """USD per million tokens. None for cached/reasoning means "same as input/output"."""

    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None
    reasoning: Decimal | None = None
    source: Literal["bundled", "custom"] = "custom"
    as_of: str | None = None


@dataclass(frozen=True, slots=True)
class PriceTable:
    as_of: str
    currency: str
    prices: Mapping[str, ModelPrice]

    def lookup(self, provider: str, model: str) -> ModelPrice | None:
        """Exact `provider/model`, then a bare model id, then the longest snapshot prefix.

        `gpt-4o-2024-08-06` finds `gpt-4o`, but `claude-opus-4-5` does not borrow the price of
        `claude-opus-4`: only date, `-latest`, version and `@`/`:` suffixes count as snapshots.
        """
        model_id = model.lower().removeprefix("models/")
        candidates = [f"{provider.lower()}/{model_id}"]
        candidates += [k for k in self.prices if k.split("/", 1)[-1] == model_id]
        for key in candidates:
            if key in self.prices:
                return self.prices[key]
        best: str | None = None
        for key in self.prices:
            key_provider, _, key_model = key.partition("/")
            wrong_provider = bool(provider) and key_provider != provider.lower()
            if wrong_provider or not model_id.startswith(key_model):
                continue
            rest = model_id[len(key_model) :]
            if _SNAPSHOT_SUFFIX.match(rest) and (best is None or len(key) > len(best)):
                best = key
        return self.prices[best] if best else None


def _price_from(raw: Mapping[str, str], as_of: str) -> ModelPrice:
    def optional(name: str) -> Decimal | None:
        value = raw.get(name)
        return Decimal(value) if value is not None else None

    return ModelPrice(
        input=Decimal(raw["input"]),
        output=Decimal(raw["output"]),
        cached_input=optional("cached_input"),
        reasoning=optional("reasoning"),
        source="bundled",
        as_of=as_of,
    )


@lru_cache(maxsize=1)
def bundled_prices() -> PriceTable:
    """The price table shipped in `providers/data/prices.json` (parsed once)."""
    path = resources.files("benchstudio.providers").joinpath("data/prices.json")
    data = json.loads(path.read_text("utf-8"))
    as_of = str(data["as_of"])
    prices = {key.lower(): _price_from(raw, as_of) for key, raw in data["models"].items()}
    return PriceTable(as_of=as_of, currency=str(data["currency"]), prices=prices)


def cost_of(usage: Usage, price: ModelPrice) -> Decimal | None:
    """Cost in USD of one request, or None when the usage lacks token counts."""
    if usage.input_tokens is None or usage.output_tokens is None:
        return None
    cached = min(usage.cached_input_tokens or 0, usage.input_tokens)
    reasoning = min(usage.reasoning_tokens or 0, usage.output_tokens)
    cached_price = price.cached_input if price.cached_input is not None else price.input
    reasoning_price = price.reasoning if price.reasoning is not None else price.output
    total = (
        (usage.input_tokens - cached) * price.input
        + cached * cached_price
        + (usage.output_tokens - reasoning) * price.output
        + reasoning * reasoning_price
    )
    return total / PER_TOKENS


def cost_usd(
    model: str,
    input_tokens: int | None,
    output_tokens: int | None,
    reasoning_tokens: int | None = None,
    cached_tokens: int | None = None,
    *,
    provider: str = "",
) -> Decimal | None:
    """Cost from the bundled table by model id (provider optional), or None if unknown."""
    price = bundled_prices().lookup(provider, model)
    if price is None:
        return None
    usage = Usage(input_tokens, output_tokens, reasoning_tokens, cached_tokens)
    return cost_of(usage, price)
