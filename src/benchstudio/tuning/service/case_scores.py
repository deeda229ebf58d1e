"""A tool-eval case result as the tuner scores it: the objective's per-case score in [0, 1],
its E2E latency and its cost at a given price. Shared by the in-process evaluator (CLI) and
the job's eval-backed one, so both score a trial alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from benchstudio.providers.base import Usage
from benchstudio.providers.pricing import ModelPrice, cost_of
from benchstudio.toolcall.live.records import ExchangeRecord, LiveCaseResult
from benchstudio.toolcall.verdicts import CaseVerdict
from benchstudio.tuning.domain.objective import CaseScore, ToolMetric


def metric_score(verdict: CaseVerdict, metric: ToolMetric) -> float:
    """The case's score on `metric`. Where a metric does not apply to a case (no argument to
    compare, no schema to check: an irrelevance case), the case's verdict stands in, so every
    case counts once and a trial's mean stays comparable across points."""
    passed = 1.0 if verdict.passed else 0.0
    if metric == "tool_selection_f1":
        return float(verdict.tool_selection_f1)
    if metric == "argument_accuracy":
        accuracy = verdict.argument_accuracy
        return passed if accuracy is None else float(accuracy)
    if metric == "schema_valid_rate":
        return passed if verdict.schema_valid is None else float(verdict.schema_valid)
    return passed


def _usage(raw: Mapping[str, Any]) -> Usage:
    return Usage(
        input_tokens=raw.get("input_tokens"),
        output_tokens=raw.get("output_tokens"),
        reasoning_tokens=raw.get("reasoning_tokens"),
        cached_input_tokens=raw.get("cached_input_tokens"),
    )


def exchanges_cost(exchanges: Iterable[ExchangeRecord], price: ModelPrice | None) -> float | None:
    """USD of the calls that reported their tokens; None when unpriced or none reported."""
    if price is None:
        return None
    costs: list[Decimal] = []
    for exchange in exchanges:
        usage = (exchange.response or {}).get("usage")
        if isinstance(usage, Mapping):
            cost = cost_of(_usage(usage), price)
            if cost is not None:
                costs.append(cost)
    return float(sum(costs, Decimal(0))) if costs else None


def case_score(
    result: LiveCaseResult, metric: ToolMetric = "pass_rate", price: ModelPrice | None = None
) -> CaseScore:
    return CaseScore(
        score=metric_score(result.verdict, metric),
        latency_ms=result.verdict.latency_ms,
        cost_usd=exchanges_cost(result.exchanges, price),
    )


def is_endpoint_failure(result: LiveCaseResult) -> bool:
    """The endpoint failed the case (an API error), as opposed to a wrong answer."""
    return result.verdict.error_category == "api_error"


def endpoint_error(result: LiveCaseResult) -> str:
    errors = [e.error for e in result.exchanges if e.error]
    return errors[-1] if errors else "; ".join(result.verdict.explanation) or "API error"
