"""Offline judging for `benchstudio judge`: export files in, the judge an endpoint, JSON out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from benchstudio.judge.domain.eval_export import ExportedRun
    from benchstudio.judge.service.verdict_call import JudgeModel

EXIT_INVALID_INPUT = 1
BUILTIN = {
    "verdict": "builtin-judge-verdict",
    "compare": "builtin-judge-compare",
    "report": "builtin-judge-report",
}


@dataclass(frozen=True, slots=True)
class JudgeSpec:
    base_url: str
    model: str
    protocol: str
    api_key: str | None
    context_window: int | None


def _fail(console: Console, message: str) -> typer.Exit:
    console.print(f"[bold red]{message}[/]")
    return typer.Exit(EXIT_INVALID_INPUT)


def _read(path: Path, console: Console) -> ExportedRun:
    from benchstudio.judge.domain.eval_export import ExportError, read_export

    try:
        return read_export(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ExportError) as exc:
        raise _fail(console, f"Cannot read {path}: {exc}") from None


def prompt_body(kind: str, path: Path | None) -> str:
    """The prompt file's text, else the prompt library's built-in (latest version)."""
    if path is not None:
        return path.read_text(encoding="utf-8")
    from benchstudio.prompts.domain.builtin_prompts import builtin

    entry = builtin(BUILTIN[kind])
    if entry is None:  # pragma: no cover - BUILTIN names only built-in ids
        raise LookupError(f"no built-in prompt {BUILTIN[kind]}")
    return str(entry.versions[-1].body)


@asynccontextmanager
async def open_judge(spec: JudgeSpec) -> AsyncIterator[JudgeModel]:
    from benchstudio.core.net import EgressPolicy, create_egress_session
    from benchstudio.judge.service.judge_models import offline_judge_model
    from benchstudio.providers.factory import create_adapter

    # The operator's own machine: local servers are allowed (as in `eval run`).
    session = create_egress_session(EgressPolicy.from_allow_list("dev"))
    try:
        adapter = create_adapter(spec.protocol, spec.base_url, spec.api_key, session=session)
        yield offline_judge_model(
            adapter,
            protocol=spec.protocol,
            base_url=spec.base_url,
            model_id=spec.model,
            context_window=spec.context_window,
        )
    finally:
        await session.close()


def _run(
    factory: Callable[[], Coroutine[Any, Any, dict[str, Any]]], console: Console
) -> dict[str, Any]:
    try:
        return asyncio.run(factory())
    except KeyboardInterrupt:
        console.print("[yellow]Cancelled.[/]")
        raise typer.Exit(130) from None


def compare(
    spec: JudgeSpec,
    first: Path,
    second: Path | None,
    target_a: str | None,
    target_b: str | None,
    prompt: Path | None,
    console: Console,
) -> dict[str, Any]:
    from benchstudio.judge.domain.eval_export import ExportError, version_mismatch
    from benchstudio.judge.service.pair_judging import (
        comparison_summary,
        judge_pairs,
        pair_inputs,
    )

    run_a = _read(first, console)
    run_b = _read(second, console) if second else run_a
    problem = version_mismatch(run_a.suite_version, run_b.suite_version)
    if problem:
        raise _fail(console, f"Refused (suite_version_mismatch): {problem}")
    try:
        label_a = run_a.result(target_a)[0] if target_a or second else run_a.targets[0]
        label_b = run_b.result(target_b)[0] if target_b or second else run_b.targets[1]
        pairs = pair_inputs(run_a, label_a, run_b, label_b)
    except (ExportError, IndexError) as exc:
        raise _fail(console, f"Cannot compare: {exc or 'name --target-a and --target-b'}") from None
    body = prompt_body("compare", prompt)
    records: list[dict[str, Any]] = []

    async def go() -> dict[str, Any]:
        async def keep(record: dict[str, Any]) -> None:
            records.append(record)

        async with open_judge(spec) as judge:
            await judge_pairs(judge, body, pairs, keep)
        order = {p.case_id: i for i, p in enumerate(pairs)}
        records.sort(key=lambda r: order[r["case_id"]])
        return {
            "kind": "comparative",
            "a": {"file": str(first), "target": label_a},
            "b": {"file": str(second or first), "target": label_b},
            "judge_model": spec.model,
            "summary": comparison_summary(records),
            "pairs": records,
        }

    return _run(go, console)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def print_comparison(result: dict[str, Any], console: Console) -> None:
    summary = result.get("summary") or result.get("comparative") or {}
    low, high = summary.get("ci_low"), summary.get("ci_high")
    console.print(
        f"A wins {summary.get('wins')} · ties {summary.get('ties')} · losses "
        f"{summary.get('losses')} (n = {summary.get('n')})"
    )
    console.print(
        f"win rate {_percent(summary.get('win_rate'))} (95% CI {_percent(low)}–{_percent(high)})"
        f" · position inconsistency {_percent(summary.get('inconsistency_rate'))}"
    )
    flagged = summary.get("flagged") or []
    if flagged:
        console.print(f"flagged (orders disagreed): {', '.join(flagged[:20])}")


def _case_record(judged: Any, automated_pass: bool, category: str) -> dict[str, Any]:
    verdict = judged.verdict
    return {
        "case_id": judged.case_id,
        "category": category,
        "score": verdict.score if verdict else None,
        "verdict": verdict.verdict if verdict else None,
        "tool_selection": verdict.tool_selection.model_dump() if verdict else None,
        "arguments": [a.model_dump() for a in verdict.arguments] if verdict else None,
        "reasoning": verdict.reasoning if verdict else None,
        "parse_error": judged.parse_error,
        "skipped_reason": judged.skipped_reason,
        "automated_pass": automated_pass,
        "mode": judged.mode,
        "repaired": judged.repaired,
        "cost_usd": judged.cost_usd,
        "latency_ms": judged.latency_ms,
        "input_tokens": judged.input_tokens,
        "output_tokens": judged.output_tokens,
    }


def _cases_summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    from benchstudio.core.stats_agreement import agreement_table

    judged = [r for r in records if r["verdict"] is not None]
    scores = [r["score"] for r in judged]
    table = agreement_table((r["verdict"], r["automated_pass"]) for r in judged)
    kappa = table.kappa()
    costs = [r["cost_usd"] for r in records]
    return {
        "cases": len(records),
        "judged": len(judged),
        "pass_count": sum(r["verdict"] == "pass" for r in judged),
        "marginal_count": sum(r["verdict"] == "marginal" for r in judged),
        "fail_count": sum(r["verdict"] == "fail" for r in judged),
        "score_histogram": {str(s): scores.count(s) for s in range(1, 6)},
        "mean_score": sum(scores) / len(scores) if scores else None,
        "parse_failures": sum(r["parse_error"] is not None for r in records),
        "skipped": sum(r["skipped_reason"] is not None for r in records),
        "automated_pass_rate": (
            sum(r["automated_pass"] for r in records) / len(records) if records else None
        ),
        "kappa": kappa.kappa,
        "kappa_reason": kappa.undefined_reason,
        "cost_usd": None if any(c is None for c in costs) else round(sum(costs), 6),
    }


async def _judge_all(
    judge: JudgeModel, body: str, run: ExportedRun, target: str, selected: list[Any], show: bool
) -> list[dict[str, Any]]:
    from benchstudio.judge.domain.transcript import case_from_live
    from benchstudio.judge.service.verdict_call import judge_case

    cases = {case.id: case for case in run.suite.cases}
    semaphore = asyncio.Semaphore(4)

    async def one(result: Any) -> dict[str, Any]:
        case = cases[result.case_id]
        shown = case_from_live(result, case, run.suite.tools_for(case), hide=[target])
        async with semaphore:
            judged = await judge_case(judge, body, shown, show_automated=show)
        return _case_record(judged, result.passed, result.verdict.category)

    return list(await asyncio.gather(*(one(r) for r in selected if r.case_id in cases)))


def _select(results: list[Any], scope: str, category: str | None) -> list[Any]:
    if scope == "failed":
        return [r for r in results if not r.passed]
    if scope == "category":
        return [r for r in results if r.verdict.category == category]
    return list(results)


def judge_cases(
    spec: JudgeSpec,
    source: Path,
    target: str | None,
    scope: str,
    category: str | None,
    show_automated: bool,
    prompt: Path | None,
    console: Console,
) -> dict[str, Any]:
    from benchstudio.judge.domain.eval_export import ExportError

    run = _read(source, console)
    try:
        label, results = run.result(target)
    except ExportError as exc:
        raise _fail(console, f"Cannot judge: {exc}") from None
    body = prompt_body("verdict", prompt)

    async def go() -> dict[str, Any]:
        async with open_judge(spec) as judge:
            records = await _judge_all(
                judge, body, run, label, _select(results, scope, category), show_automated
            )
        return {
            "kind": "cases",
            "file": str(source),
            "target": label,
            "scope": scope,
            "judge_model": spec.model,
            "summary": _cases_summary(records),
            "cases": records,
        }

    return _run(go, console)


def print_cases(result: dict[str, Any], console: Console) -> None:
    summary = result.get("summary") or {}
    console.print(
        f"{summary.get('judged')} of {summary.get('cases')} cases judged: "
        f"{summary.get('pass_count')} pass · {summary.get('marginal_count')} marginal · "
        f"{summary.get('fail_count')} fail · mean score {summary.get('mean_score')}"
    )
    console.print(
        f"parse failures {summary.get('parse_failures')} · skipped {summary.get('skipped')}"
        f" · kappa {summary.get('kappa', (summary.get('agreement') or {}).get('kappa'))}"
    )


def cross_case(
    spec: JudgeSpec,
    source: Path,
    target: str | None,
    judged: Path | None,
    verdict_prompt: Path | None,
    prompt: Path | None,
    console: Console,
) -> dict[str, Any]:
    """Judge the cases (or read `judge run --output`), grade from the figures, then write the
    findings by map-reduce over the judge's window."""
    from benchstudio.judge.domain.eval_export import ExportError
    from benchstudio.judge.domain.grade import grade_for
    from benchstudio.judge.service.cross_case import judged_cases, measured_figures, report_summary
    from benchstudio.judge.service.report_writer import ReportWriteError, write_report

    run = _read(source, console)
    try:
        label, results = run.result(target)
    except ExportError as exc:
        raise _fail(console, f"Cannot report: {exc}") from None
    body = prompt_body("report", prompt)
    given = json.loads(judged.read_text(encoding="utf-8"))["cases"] if judged else None

    async def go() -> dict[str, Any]:
        async with open_judge(spec) as judge:
            if given is not None:
                records = given
            else:
                verdict_body = prompt_body("verdict", verdict_prompt)
                records = await _judge_all(judge, verdict_body, run, label, results, False)
            scores = [r["score"] for r in records if r.get("score") is not None]
            if not scores:
                raise _fail(console, "No case could be judged: the grade needs a mean score.")
            pass_rate = sum(r.passed for r in results) / len(results)
            mean_score = sum(scores) / len(scores)
            verdicts = {r["case_id"]: r for r in records}
            cases = judged_cases(run, label, verdicts)
            figures = measured_figures(pass_rate, mean_score, cases)
            try:
                written = await write_report(judge, body, cases, figures, judge.tokens)
            except ReportWriteError as exc:
                console.print(f"[yellow]The findings could not be written: {exc}[/]")
                summary = report_summary_without_findings(pass_rate, mean_score, grade_for)
            else:
                summary = report_summary(written, pass_rate, mean_score)
        return {
            "kind": "cross_case",
            "file": str(source),
            "target": label,
            "judge_model": spec.model,
            "verdict_policy": "automated_final",
            "summary": summary,
            "cases": records,
        }

    return _run(go, console)


def report_summary_without_findings(
    pass_rate: float, mean_score: float, grade_for: Callable[[float, float], str]
) -> dict[str, Any]:
    return {
        "grade": grade_for(pass_rate, mean_score),
        "pass_rate": pass_rate,
        "mean_score": mean_score,
        "strengths": [],
        "weaknesses": [],
        "failure_patterns": [],
        "recommendations": [],
        "used_case_ids": [],
        "dropped_citations": 0,
        "oversized_case_ids": [],
        "cost_usd": None,
    }


def print_report(result: dict[str, Any], console: Console) -> None:
    summary = result.get("summary") or {}
    console.print(
        f"[bold]grade {summary.get('grade')}[/] · pass rate {_percent(summary.get('pass_rate'))}"
        f" · mean judge score {summary.get('mean_score')}"
    )
    for title, label in (("strengths", "strength"), ("weaknesses", "weakness")):
        for line in summary.get(title) or []:
            console.print(f"{label}: {line}")
    for pattern in summary.get("failure_patterns") or []:
        where = " / ".join(x for x in (pattern.get("category"), pattern.get("tool")) if x)
        console.print(f"pattern ({where}): {pattern['pattern']} {pattern['case_ids'][:5]}")
    for item in summary.get("recommendations") or []:
        console.print(f"recommend ({item['kind']}): {item['text']}")
    console.print(
        f"{len(summary.get('used_case_ids') or [])} cases used · "
        f"{summary.get('dropped_citations')} unknown citations dropped"
    )
