"""Offline judging for `benchstudio judge`: export files in, the judge an endpoint, JSON out."""

from __future__ import annotations

import asyncio
import importlib
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
    builtins = importlib.import_module("benchstudio.prompts.domain.builtin_prompts")
    entry = builtins.builtin(BUILTIN[kind])
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


def _run(factory: Callable[[], Coroutine[Any, Any, dict[str, Any]]], console: Console) -> dict[str, Any]:
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
        pair_record,
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
        async def keep(pair: Any, judged: Any) -> None:
            records.append(pair_record(pair.category, judged))

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
