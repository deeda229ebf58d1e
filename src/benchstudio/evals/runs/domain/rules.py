"""Pure rules of the eval platform: target labels, summaries and comparisons over stored
verdicts, the compact cached summary, and CSV rows. No database, no HTTP.

Every statistic comes from `toolcall.aggregate` (itself on `core.stats`), run over the stored
verdicts, so the API, the exports and the CLI agree to the digit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from benchstudio.core.spreadsheet_csv import spreadsheet_row
from benchstudio.toolcall.aggregate import (
    ModelSummary,
    PassRateComparison,
    compare_runs,
    summarize_verdicts,
)
from benchstudio.toolcall.verdicts import CaseVerdict

TOOL_EVAL_JOB_TYPE = "tool_eval"
ACTIVE_STATUSES = frozenset({"queued", "running"})
# Cases times targets in one run; bigger suites are split into several runs.
MAX_CASES_PER_RUN = 50_000

CSV_COLUMNS = (
    "run_id",
    "target",
    "case_id",
    "category",
    "pass",
    "error_category",
    "tool_selection_f1",
    "argument_accuracy",
    "schema_valid",
    "format",
    "call_count",
    "latency_ms",
    "prompt_tokens",
    "completion_tokens",
    "explanation",
)


def unique_labels(names: Sequence[str]) -> list[str]:
    """Target labels from display names; repeats get ` (2)`, ` (3)`…"""
    seen: dict[str, int] = {}
    labels: list[str] = []
    taken = set(names)
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        label = name if count == 1 else f"{name} ({count})"
        while count > 1 and label in taken:
            count += 1
            label = f"{name} ({count})"
        taken.add(label)
        labels.append(label)
    return labels


def summary_run_id(run_id: str, label: str) -> str:
    """The bootstrap seed key of one target's summary (as the CLI's results file uses)."""
    return f"{run_id}:{label}"


def summaries_by_target(
    run_id: str, labels: Sequence[str], verdicts: Mapping[str, Sequence[CaseVerdict]]
) -> dict[str, ModelSummary]:
    """One summary per target (in target order) over its stored verdicts."""
    return {
        label: summarize_verdicts(
            verdicts.get(label, []), model=label, run_id=summary_run_id(run_id, label)
        )
        for label in labels
    }


def compact_summary(summaries: Mapping[str, ModelSummary]) -> dict[str, Any]:
    """What the history list shows per target: pass rate, its interval, and case counts."""
    return {
        label: {
            "cases": summary.cases,
            "passed": summary.pass_rate.successes,
            "pass_rate": summary.pass_rate.rate,
            "ci95": list(summary.pass_rate.ci95) if summary.pass_rate.ci95 else None,
        }
        for label, summary in summaries.items()
    }


def summary_dict(summary: ModelSummary) -> dict[str, Any]:
    return dataclasses.asdict(summary)


@dataclasses.dataclass(frozen=True, slots=True)
class LabelledComparison:
    run_a: str
    target_a: str
    run_b: str
    target_b: str
    result: PassRateComparison

    def as_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self.result)
        values["test"] = "mcnemar_exact" if self.result.paired else "two_proportion_z"
        return {
            "run_a": self.run_a,
            "target_a": self.target_a,
            "run_b": self.run_b,
            "target_b": self.target_b,
            **values,
        }


def compare_targets(
    run_a: str,
    target_a: str,
    verdicts_a: Sequence[CaseVerdict],
    run_b: str,
    target_b: str,
    verdicts_b: Sequence[CaseVerdict],
) -> LabelledComparison:
    """B against A: McNemar's exact test when both scored the same cases."""
    return LabelledComparison(
        run_a, target_a, run_b, target_b, compare_runs(verdicts_a, verdicts_b)
    )


def within_run_comparisons(
    run_id: str, labels: Sequence[str], verdicts: Mapping[str, Sequence[CaseVerdict]]
) -> list[LabelledComparison]:
    """Every other target against the first one."""
    if len(labels) < 2:
        return []
    first = labels[0]
    return [
        compare_targets(run_id, first, verdicts.get(first, []), run_id, label, verdicts[label])
        for label in labels[1:]
        if label in verdicts
    ]


def pick_compared_targets(
    labels_a: Sequence[str],
    labels_b: Sequence[str],
    target_a: str | None,
    target_b: str | None,
) -> list[tuple[str, str]]:
    """Which targets to compare between two runs; raises ValueError when it is ambiguous."""
    if target_a is not None or target_b is not None:
        chosen_a = target_a or (labels_a[0] if len(labels_a) == 1 else None)
        chosen_b = target_b or (labels_b[0] if len(labels_b) == 1 else None)
        if chosen_a not in labels_a or chosen_b not in labels_b:
            raise ValueError("name a target of each run (target_a, target_b)")
        return [(chosen_a, chosen_b)]  # type: ignore[list-item]
    if len(labels_a) == 1 and len(labels_b) == 1:
        return [(labels_a[0], labels_b[0])]
    common = [label for label in labels_a if label in labels_b]
    if not common:
        raise ValueError("the runs share no target name: pick target_a and target_b")
    return [(label, label) for label in common]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_row(run_id: str, target: str, verdict: CaseVerdict) -> list[Any]:
    """One case result as a CSV row (columns `CSV_COLUMNS`)."""
    values: Iterable[Any] = (
        run_id,
        target,
        verdict.case_id,
        verdict.category,
        verdict.passed,
        verdict.error_category.value if verdict.error_category else None,
        verdict.tool_selection_f1,
        verdict.argument_accuracy,
        verdict.schema_valid,
        verdict.format.value,
        verdict.call_count,
        verdict.latency_ms,
        verdict.prompt_tokens,
        verdict.completion_tokens,
        " | ".join(verdict.explanation),
    )
    return spreadsheet_row(_cell(value) for value in values)
