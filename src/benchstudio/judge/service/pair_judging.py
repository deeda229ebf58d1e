"""Comparative judging over two exported results: the pairs, the calls, the summary.

Shared by the `judge_compare` job and the offline CLI. The subject is result A: each case is
judged in both orders (A shown first as "A", then as "B") by the engine's `judge_pair`, with
both target labels scrubbed from what the judge reads. The outcome per case and the summary
follow the both-orders rule (`judge.domain.comparative`): a disagreement is a tie, flagged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from benchstudio.core.redaction import redact
from benchstudio.judge.domain.comparative import CaseComparison, summarize_comparison
from benchstudio.judge.domain.eval_export import ExportedRun
from benchstudio.judge.domain.transcript import CaseForJudge, case_from_live
from benchstudio.judge.service.verdict_call import JudgeModel, PairJudgement, judge_pair

DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True, slots=True)
class PairInput:
    case_id: str
    category: str
    first: CaseForJudge  # the subject (result A)
    second: CaseForJudge


def pair_inputs(
    a: ExportedRun, target_a: str, b: ExportedRun, target_b: str, *, skip: set[str] | None = None
) -> list[PairInput]:
    """The cases both results finished, in A's suite order (`skip`: already judged)."""
    hide = [target_a, target_b]
    by_id = {case.id: case for case in a.suite.cases}
    others = {r.case_id: r for r in b.result(target_b)[1]}
    pairs: list[PairInput] = []
    for result in a.result(target_a)[1]:
        other = others.get(result.case_id)
        case = by_id.get(result.case_id)
        if other is None or case is None or result.case_id in (skip or set()):
            continue
        tools = a.suite.tools_for(case)
        pairs.append(
            PairInput(
                case_id=case.id,
                category=result.verdict.category,
                first=case_from_live(result, case, tools, hide=hide),
                second=case_from_live(other, case, tools, hide=hide),
            )
        )
    return pairs


OnRecord = Callable[[dict[str, Any]], Awaitable[None]]


def failed_record(pair: PairInput, error: Exception) -> dict[str, Any]:
    """A pair whose judge request failed: recorded as undecided with the reason, never scored."""
    message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
    return {
        "case_id": pair.case_id,
        "category": pair.category,
        "first_order": None,
        "second_order": None,
        "outcome": "undecided",
        "inconsistent": False,
        "reasoning_first": None,
        "reasoning_second": None,
        "parse_error": None,
        "skipped_reason": f"judge request failed: {redact(str(message))}"[:1000],
        "cost_usd": None,
        "latency_ms": None,
    }


async def judge_pairs(
    judge: JudgeModel,
    body: str,
    pairs: Sequence[PairInput],
    on_record: OnRecord,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Judge every pair in order with `concurrency` workers; `on_record` stores each record as
    it finishes (one at a time). `stop` (cancel, budget) is checked before each pair starts;
    pairs in flight finish and are stored."""
    queue: asyncio.Queue[PairInput] = asyncio.Queue()
    for pair in pairs:
        queue.put_nowait(pair)
    store = asyncio.Lock()  # one write unit at a time (SQLite has one writer)

    async def worker() -> None:
        while not queue.empty() and not stop():
            pair = queue.get_nowait()
            try:
                judged = await judge_pair(judge, body, pair.first, pair.second)
                record = pair_record(pair.category, judged)
            except Exception as error:  # the provider failed: recorded, never scored
                record = failed_record(pair, error)
            async with store:
                await on_record(record)

    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, min(concurrency, len(pairs)))):
            group.create_task(worker())


def _error_of(judged: PairJudgement) -> tuple[str | None, str | None]:
    parse = judged.first.parse_error or judged.second.parse_error
    skipped = judged.first.skipped_reason or judged.second.skipped_reason
    return parse, skipped


def pair_record(pair_category: str, judged: PairJudgement) -> dict[str, Any]:
    """One pair as stored and as the CLI writes it (`PairJudgementOut`'s fields)."""
    parse_error, skipped_reason = _error_of(judged)
    first, second = judged.first.pick, judged.second.pick
    return {
        "case_id": judged.case_id,
        "category": pair_category,
        "first_order": judged.comparison.first_order,
        "second_order": judged.comparison.second_order,
        "outcome": judged.comparison.outcome,
        "inconsistent": judged.comparison.inconsistent,
        "reasoning_first": first.reasoning if first else None,
        "reasoning_second": second.reasoning if second else None,
        "parse_error": parse_error,
        "skipped_reason": skipped_reason,
        "cost_usd": judged.cost_usd,
        "latency_ms": judged.latency_ms,
    }


def comparison_summary(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Wins, ties, losses, win rate with its 95% CI, inconsistency rate and the flagged cases
    (`ComparativeSummaryOut`'s fields), from stored pair records."""
    cases = [
        CaseComparison(
            r["case_id"], r["first_order"], r["second_order"], r["outcome"], r["inconsistent"]
        )
        for r in records
    ]
    summary = summarize_comparison(cases)
    result = summary.result
    costs = [r["cost_usd"] for r in records]
    ci = result.ci95
    return {
        "n": result.n,
        "wins": result.wins,
        "ties": result.ties,
        "losses": result.losses,
        "undecided": summary.undecided,
        "win_rate": result.rate,
        "ci_low": ci[0] if ci else None,
        "ci_high": ci[1] if ci else None,
        "inconsistency_rate": result.inconsistency_rate,
        "flagged": summary.flagged,
        "cost_usd": None if any(c is None for c in costs) else round(sum(costs), 6),
    }
