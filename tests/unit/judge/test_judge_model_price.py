"""The judge's price: free on the built-in simulator (as an eval's estimate counts it), the
catalog's custom price, else the bundled table, else unknown (None, never 0)."""

from __future__ import annotations

from decimal import Decimal

from benchstudio.catalog.schemas import ModelOut, ProviderOut
from benchstudio.judge.service.judge_models import model_price


def _provider(*, is_demo: bool) -> ProviderOut:
    return ProviderOut.model_construct(
        name="Simulator (demo)" if is_demo else "local",
        base_url="http://127.0.0.1:9/v1",
        protocol="openai",
        is_demo=is_demo,
    )


def _model(input_price: str | None = None, output_price: str | None = None) -> ModelOut:
    return ModelOut.model_construct(
        model_id="no-such-model-in-any-price-table",
        input_price=Decimal(input_price) if input_price else None,
        output_price=Decimal(output_price) if output_price else None,
        cached_input_price=None,
        reasoning_price=None,
    )


def test_the_demo_simulator_judges_for_free() -> None:
    price = model_price(_model(), _provider(is_demo=True))
    assert price is not None and (price.input, price.output) == (0, 0)


def test_a_custom_price_wins_and_an_unknown_model_is_unpriced() -> None:
    custom = model_price(_model("3", "15"), _provider(is_demo=False))
    assert custom is not None and (custom.input, custom.output) == (Decimal(3), Decimal(15))
    assert model_price(_model(), _provider(is_demo=False)) is None
