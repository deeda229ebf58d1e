"""Semantic argument matching for eval runs: the options checked at submit (stored in the
run's settings under `semantic`), and the similarity pre-pass the job hands the runner, with
what its calls cost (the similarity model's catalog price, charged to the eval job's ledger)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from benchstudio.catalog import service as catalog_service
from benchstudio.catalog.service import CatalogContext
from benchstudio.core.errors import AppError, NotFoundError
from benchstudio.evals.runs.schemas import EvalCreate
from benchstudio.evals.service import EvalContext
from benchstudio.providers.base import Usage
from benchstudio.providers.embeddings import EmbeddingAdapter
from benchstudio.providers.pricing import ModelPrice, cost_of
from benchstudio.toolcall.live.runner import semantic_arguments
from benchstudio.toolcall.profiles import ProfileName
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.semantic import (
    EmbeddingSimilarity,
    JudgeSimilarity,
    SemanticPrepass,
    SimilaritySource,
    TokenTally,
)

SEMANTIC_REQUIRED = "semantic_config_required"
_LISTED = 10


def _refuse(message: str, code: str = "invalid_eval") -> AppError:
    return AppError(message, code=code, status_code=422)


def missing_config_message(arguments: list[tuple[str, str]]) -> str:
    listed = ", ".join(f"{case_id}: {path}" for case_id, path in arguments[:_LISTED])
    more = f" and {len(arguments) - _LISTED} more" if len(arguments) > _LISTED else ""
    return (
        f"The suite compares {len(arguments)} argument(s) semantically ({listed}{more}). "
        "Choose a similarity source: `semantic` with an embeddings model (or a chat model as "
        "the judge) and a threshold."
    )


async def semantic_settings(ctx: EvalContext, suite: Suite, data: EvalCreate) -> dict[str, Any]:
    """The run's `semantic` settings; {} when the suite compares nothing semantically.
    A suite that does, without options, is refused naming the cases and arguments."""
    arguments = semantic_arguments(suite) if data.profile is not ProfileName.BFCL else []
    if not arguments:
        return {}
    options = data.semantic
    if options is None:
        raise _refuse(missing_config_message(arguments), SEMANTIC_REQUIRED)
    catalog = ctx.catalog.for_tenant(ctx.require_owner())
    try:
        model = await catalog_service.get_model(catalog, options.model_ref_id)
    except NotFoundError:
        raise _refuse("The semantic similarity model is not in your catalog.") from None
    if model.archived_at is not None:
        raise _refuse(f"The similarity model {model.display_name!r} is archived.")
    wanted, article = ("embeddings", "an") if options.source == "embeddings" else ("chat", "a")
    if model.capability != wanted:
        raise _refuse(
            f"{model.display_name!r} is a {model.capability} model; the {options.source} "
            f"source needs {article} {wanted} model."
        )
    provider = await catalog_service.get_provider(catalog, model.provider_id)
    if wanted == "embeddings" and provider.protocol != "openai":
        raise _refuse("Embeddings are called over an OpenAI-compatible /v1/embeddings endpoint.")
    return {
        "source": options.source,
        "model_ref_id": model.id,
        "model_id": model.model_id,
        "model_name": model.display_name,
        "provider_id": model.provider_id,
        "threshold": options.threshold,
    }


@dataclass(eq=False)
class RunSemantic:
    """A run's pre-pass and the price of its similarity model (None: unpriced, charged 0)."""

    prepass: SemanticPrepass
    price: ModelPrice | None
    charged: TokenTally

    def take_cost(self) -> float:
        """What the source's calls cost since the last take (the ledger gets each once)."""
        spent = self.prepass.source.spent
        usage = Usage(
            input_tokens=spent.input_tokens - self.charged.input_tokens,
            output_tokens=spent.output_tokens - self.charged.output_tokens,
        )
        self.charged = TokenTally(spent.input_tokens, spent.output_tokens, spent.calls)
        if self.price is None or not (usage.input_tokens or usage.output_tokens):
            return 0.0
        cost = cost_of(usage, self.price)
        return 0.0 if cost is None else float(cost)


@asynccontextmanager
async def open_semantic_prepass(
    ctx: CatalogContext, settings: dict[str, Any]
) -> AsyncIterator[RunSemantic | None]:
    """The run's pre-pass (None: the run compares nothing semantically), its adapter open."""
    options = settings.get("semantic") or {}
    if not options:
        yield None
        return
    model = await catalog_service.get_model(ctx, options["model_ref_id"])
    provider = await catalog_service.get_provider(ctx, model.provider_id)
    price = catalog_service.model_price(model, provider)
    async with catalog_service.open_provider_adapter(ctx, options["provider_id"]) as adapter:
        source: SimilaritySource
        if options["source"] == "embeddings":
            if not isinstance(adapter, EmbeddingAdapter):
                raise AppError("The similarity model's provider cannot embed texts.")
            source = EmbeddingSimilarity(adapter, options["model_id"])
        else:
            source = JudgeSimilarity(adapter, options["model_id"])
        prepass = SemanticPrepass(source, float(options["threshold"]))
        yield RunSemantic(prepass, price, TokenTally())
