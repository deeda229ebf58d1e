"""What semantic matching's calls cost an eval run: an embeddings model priced by its input
price alone, and each token charged once, in the unit of the case it was computed for."""

from __future__ import annotations

from decimal import Decimal

from benchstudio.catalog.schemas import ModelOut, ProviderOut
from benchstudio.catalog.service import model_price
from benchstudio.evals.runs.service.semantic import RunSemantic
from benchstudio.providers.base import Usage
from benchstudio.providers.pricing import ModelPrice
from benchstudio.toolcall.semantic import SemanticPrepass, TokenTally

PROVIDER = ProviderOut.model_construct(
    name="local", base_url="http://127.0.0.1:9/v1", protocol="openai", is_demo=False
)


def _model(capability: str, input_price: str | None) -> ModelOut:
    return ModelOut.model_construct(
        model_id="no-such-model-in-any-price-table",
        capability=capability,
        input_price=Decimal(input_price) if input_price else None,
        output_price=None,
        cached_input_price=None,
        reasoning_price=None,
    )


def test_an_embeddings_model_needs_only_an_input_price() -> None:
    price = model_price(_model("embeddings", "0.02"), PROVIDER)
    assert price is not None and (price.input, price.output) == (Decimal("0.02"), 0)
    assert model_price(_model("chat", "0.02"), PROVIDER) is None  # a chat model writes tokens
    assert model_price(_model("embeddings", None), PROVIDER) is None


class Source:
    kind = "judge"
    model = "m"

    def __init__(self) -> None:
        self.spent = TokenTally()

    async def similarities(self, pairs: object) -> list[float | None]:
        return []


def test_each_token_is_charged_once() -> None:
    source = Source()
    price = ModelPrice(input=Decimal(2), output=Decimal(10))  # per million tokens
    semantic = RunSemantic(SemanticPrepass(source, 0.5), price, TokenTally())
    assert semantic.take_cost() == 0.0
    source.spent.add(Usage(input_tokens=1000, output_tokens=100))
    source.spent.add(Usage(input_tokens=500, output_tokens=None))  # no output count: 0
    assert semantic.take_cost() == (1500 * 2 + 100 * 10) / 1e6
    assert semantic.take_cost() == 0.0
    source.spent.add(Usage(input_tokens=250, output_tokens=0))
    assert semantic.take_cost() == 250 * 2 / 1e6
    unpriced = RunSemantic(SemanticPrepass(source, 0.5), None, TokenTally())
    assert unpriced.take_cost() == 0.0
