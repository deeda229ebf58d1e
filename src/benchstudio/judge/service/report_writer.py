"""The cross-case report's model calls: map over chunks that fit the window, then reduce.

Shared by the `judge_report` job and the offline CLI. Each chunk of case summaries gets one
structured call (the map prompt with `{chunk}` and `{figures}`); the partial findings are then
merged (the reduce prompt with `{partials}` and `{figures}`). When the partials themselves do
not fit the window they are reduced in groups that do, and again, until one answer is left.
Every cited case id is checked against the cases the report used; a chunk whose answer cannot
be read is counted and its cases still listed as used (they were sent).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from benchstudio.judge.domain.cross_case import (
    REPORT_SCHEMA_NAME,
    JudgedCase,
    ReportFindings,
    case_summary_text,
    check_findings,
    figures_text,
    partials_text,
    report_json_schema,
    split_report_prompt,
)
from benchstudio.judge.domain.extraction import ParseFailure, extract_json_object
from benchstudio.judge.domain.judge_prompt import fill_prompt
from benchstudio.judge.domain.report_chunks import CaseSummary, chunk_summaries, chunk_text
from benchstudio.judge.service.structured_call import JudgeModel, ask_structured

# The window assumed for a judge whose catalog entry gives none (small on purpose).
DEFAULT_WINDOW = 8192
ANSWER_TOKENS = 2048  # room kept for the model's answer
_PROMPT_SLACK = 64  # tokenizers may merge across joins; never fill the window to the token


class ReportWriteError(RuntimeError):
    """The report could not be written (no chunk fits, or no answer could be read)."""


@dataclass(slots=True)
class ReportRun:
    findings: ReportFindings | None = None
    used_case_ids: list[str] = field(default_factory=list)
    oversized_case_ids: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    chunks: int = 0
    calls: int = 0
    parse_failures: int = 0
    cost_usd: float | None = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: float = 0.0


def read_findings(text: str) -> ReportFindings | ParseFailure:
    """The findings from the judge's raw text, or why they cannot be read."""
    found = extract_json_object(text)
    if isinstance(found, ParseFailure):
        return found
    try:
        return ReportFindings.model_validate(found)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "answer"
        message = f"The report JSON has the wrong shape: {where}: {error['msg']}"
        return ParseFailure("invalid", message, text[:200])


async def _call(judge: JudgeModel, prompt: str, run: ReportRun) -> ReportFindings | None:
    """One map or reduce call (one repair on an unreadable answer), its spend counted."""
    outcome, spend = await ask_structured(
        judge,
        prompt,
        schema_name=REPORT_SCHEMA_NAME,
        schema=report_json_schema(),
        parse=read_findings,
    )
    run.calls += 2 if outcome.repaired else 1
    run.latency_ms += spend.latency_ns / 1e6
    run.input_tokens += spend.input_tokens or 0
    run.output_tokens += spend.output_tokens or 0
    cost = spend.cost_usd
    run.cost_usd = None if cost is None or run.cost_usd is None else run.cost_usd + cost
    if outcome.value is None:
        run.parse_failures += 1
    return outcome.value


async def write_report(
    judge: JudgeModel,
    body: str,
    cases: Sequence[JudgedCase],
    figures: Mapping[str, Any],
    count_tokens: Callable[[str], int],
) -> ReportRun:
    """Map over the case chunks, reduce the partials, check the citations."""
    map_prompt, reduce_prompt = split_report_prompt(body)
    figures_block = figures_text(figures)
    window = (judge.context_window or DEFAULT_WINDOW) - ANSWER_TOKENS
    summaries = [CaseSummary(c.case_id, case_summary_text(c)) for c in cases]
    overhead = count_tokens(fill_prompt(map_prompt, {"chunk": "", "figures": figures_block}))
    plan = chunk_summaries(
        summaries, window, count_tokens, overhead_tokens=overhead + _PROMPT_SLACK
    )
    run = ReportRun(used_case_ids=plan.used_case_ids, oversized_case_ids=plan.oversized)
    run.chunks = len(plan.chunks)
    partials: list[ReportFindings] = []
    for chunk in plan.chunks:
        found = await _call(
            judge,
            fill_prompt(map_prompt, {"chunk": chunk_text(chunk), "figures": figures_block}),
            run,
        )
        if found is not None:
            partials.append(found)
    if not partials:
        raise ReportWriteError(
            f"no readable answer from the judge (the answers for all {run.chunks} chunks "
            "could not be parsed, each after one repair request)"
            if run.calls
            else "no case summary fits the judge's window"
        )
    merged = await _reduce(judge, reduce_prompt, figures_block, partials, window, count_tokens, run)
    checked = check_findings(merged, set(run.used_case_ids))
    run.findings, run.dropped = checked.findings, checked.dropped
    return run


async def _reduce(
    judge: JudgeModel,
    reduce_prompt: str,
    figures_block: str,
    partials: list[ReportFindings],
    window: int,
    count_tokens: Callable[[str], int],
    run: ReportRun,
) -> ReportFindings:
    """Merge partials in window-sized groups until one is left (one partial needs no call)."""
    overhead = count_tokens(fill_prompt(reduce_prompt, {"partials": "", "figures": figures_block}))
    while len(partials) > 1:
        items = [CaseSummary(str(i), partials_text([p])) for i, p in enumerate(partials)]
        plan = chunk_summaries(
            items, window, count_tokens, overhead_tokens=overhead + _PROMPT_SLACK
        )
        groups = [[partials[int(s.case_id)] for s in chunk] for chunk in plan.chunks]
        groups += [[partials[int(i)]] for i in plan.oversized]
        if len(groups) >= len(partials):  # no group merges two partials: merge pairwise
            groups = [partials[i : i + 2] for i in range(0, len(partials), 2)]
        merged: list[ReportFindings] = []
        for group in groups:
            if len(group) == 1:
                merged.append(group[0])
                continue
            prompt = fill_prompt(
                reduce_prompt, {"partials": partials_text(group), "figures": figures_block}
            )
            found = await _call(judge, prompt, run)
            # An unreadable merge keeps the group's first partial rather than losing them all.
            merged.append(found if found is not None else group[0])
        partials = merged
    return partials[0]
