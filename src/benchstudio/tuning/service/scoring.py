"""A stored case verdict as the tuner scores it: the tool-eval objective per case in [0, 1]
(pass or fail for the pass rate, else the chosen metric), with its E2E latency and cost."""

from __future__ import annotations

from collections.abc import Sequence

from benchstudio.providers.pricing import ModelPrice
from benchstudio.toolcall.verdicts import CaseVerdict, ErrorCategory
from benchstudio.tuning.domain.objective import CaseScore, ToolMetric
from benchstudio.tuning.service.estimate import case_cost


def case_score(verdict: CaseVerdict, metric: ToolMetric) -> float:
    """The case's objective value. A metric a case does not measure (no argument to check, no
    schema) counts as its pass or fail, so every case scores."""
    passed = 1.0 if verdict.passed else 0.0
    if metric == "tool_selection_f1":
        return float(verdict.tool_selection_f1)
    if metric == "argument_accuracy":
        accuracy = verdict.argument_accuracy
        return passed if accuracy is None else float(accuracy)
    if metric == "schema_valid_rate":
        valid = verdict.schema_valid
        return passed if valid is None else float(valid)
    return passed


def verdict_cost(verdict: CaseVerdict, price: ModelPrice | None) -> float:
    return case_cost(price, verdict.prompt_tokens, verdict.completion_tokens)


def scored(verdict: CaseVerdict, metric: ToolMetric, price: ModelPrice | None) -> CaseScore:
    return CaseScore(case_score(verdict, metric), verdict.latency_ms, verdict_cost(verdict, price))


def scored_repeats(
    repeats: Sequence[Sequence[CaseVerdict]], metric: ToolMetric, price: ModelPrice | None
) -> list[list[CaseScore]]:
    return [[scored(v, metric, price) for v in verdicts] for verdicts in repeats]


def endpoint_failed(verdicts: Sequence[CaseVerdict]) -> bool:
    """Every case failed at the endpoint (an error, not a wrong answer)."""
    return bool(verdicts) and all(v.error_category is ErrorCategory.API_ERROR for v in verdicts)
