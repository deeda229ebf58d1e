"""What `benchstudio tune` prints: the space as it will run (every adjustment the provider's
rules made, before the first request), the trials table sorted by score, the best point with
its interval and the comparison with each baseline, and why the study stopped. Everything is
read from the results document (`tune_results`), so a local study and a server run look
alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

STOP_REASONS = {
    "space_exhausted": "every point of the space was tried",
    "max_trials": "the trial budget was used up",
    "max_calls": "the call budget was reached",
    "max_cost": "the cost budget was reached",
    "max_wall": "the time budget was reached",
    "early_stop": "no improvement within the patience",
    "cancelled": "cancelled",
}
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
WIDE = 160
KIND_LABELS = {"baseline_default": "default", "baseline_preset": "preset", "search": "search"}


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _interval(interval: dict[str, float] | None) -> str:
    # A t interval over few repeats can reach past 0 or 1; a score cannot (shown clipped).
    if not interval:
        return "–"
    return f"{percent(max(0.0, interval['low']))}–{percent(min(1.0, interval['high']))}"


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def point_text(point: dict[str, Any]) -> str:
    return " ".join(f"{name}={_value(value)}" for name, value in point.items()) or "(defaults)"


def print_space(space: dict[str, Any], console: Console) -> None:
    """The validated space (`ValidatedSpaceOut` as a dict) and its adjustments."""
    console.print(f"[bold]Search space for {escape(space['model'])}[/] ({space['provider']} rules)")
    table = Table()
    for column in ("parameter", "values"):
        table.add_column(column)
    for dimension in space["dimensions"]:
        if dimension["kind"] == "choice":
            values = ", ".join(_value(v) for v in dimension["choices"])
        else:
            step = "" if dimension.get("step") is None else f" step {dimension['step']:g}"
            scale = " log" if dimension.get("scale") == "log" else ""
            whole = " whole numbers" if dimension.get("integer") else ""
            values = f"{dimension['low']:g} to {dimension['high']:g}{step}{scale}{whole}"
        table.add_row(escape(dimension["name"]), escape(values))
    console.print(table)
    grid = space.get("grid_size")
    repeats = space.get("repeats", 1)
    console.print(
        f"grid: {'continuous (no full grid)' if grid is None else f'{grid} points'}"
        f" · {repeats} repeat{'s' if repeats != 1 else ''} per point"
    )
    adjustments = space.get("adjustments") or []
    if adjustments:
        changes = Table(title="Adjusted for this provider and model")
        for column in ("parameter", "change", "reason", "from", "to"):
            changes.add_column(column)
        for item in adjustments:
            changes.add_row(
                escape(item["param"]),
                item["action"],
                escape(item["reason"]),
                "" if item.get("original") is None else escape(_value(item["original"])),
                "" if item.get("value") is None else escape(_value(item["value"])),
            )
        console.print(changes)


def print_estimate(estimate: dict[str, Any], console: Console) -> None:
    """The space as it will run and what the budgets allow (`TunerEstimateOut`)."""
    print_space(estimate["space"], console)
    cost = estimate.get("max_cost_usd")
    console.print(
        f"{estimate['planned_trials']} trials planned, limited by {estimate['limiting']}; "
        f"{estimate['calls_per_trial']} calls per trial, at most {estimate['max_calls']} calls, "
        + ("cost unknown (no price)" if cost is None else f"at most {cost:.4f} USD")
        + f", {estimate['concurrency']} trial(s) in parallel"
    )
    for warning in estimate.get("warnings") or []:
        console.print(f"[yellow]Warning: {escape(str(warning))}[/]")


STATE_ORDER = {"complete": 0, "pruned": 1, "failed": 2}


def _sort_key(trial: dict[str, Any], best: int | None) -> tuple[bool, int, bool, float, int]:
    """The best trial, then complete trials by score, then pruned ones (partial scores),
    then failed ones."""
    score = trial.get("score")
    state = STATE_ORDER.get(trial["state"], 3)
    return (trial["number"] != best, state, score is None, -(score or 0.0), trial["number"])


def wide(console: Console) -> Console:
    # Piped or captured output gets room for every column; a terminal keeps its width.
    if console.is_terminal or console.width >= WIDE:
        return console
    return Console(file=console.file, width=WIDE)


def objective_text(objective: dict[str, Any]) -> str:
    """What the scores are: "pass rate", or "judge score (judge: MODEL at URL)"."""
    text = str(objective.get("label") or "pass rate")
    judge = objective.get("judge")
    if objective.get("source") != "judge" or not judge:
        return text
    name = judge.get("name") or judge.get("model") or judge.get("model_ref_id")
    where = f" at {judge['base_url']}" if judge.get("base_url") else ""
    return f"{text} (judge: {name}{where}; each case 1-5 as 0-100%)"


def print_trials(data: dict[str, Any], console: Console) -> None:
    from rich import box

    pareto = set(data.get("pareto") or [])
    best = (data.get("best") or {}).get("number")
    trials = sorted(data["trials"], key=lambda trial: _sort_key(trial, best))
    several = any(len(t.get("repeat_scores") or []) > 1 for t in trials)
    priced = any(t.get("cost_usd") for t in trials)
    table = Table(title=f"Trials ({len(trials)}), best first", box=box.SIMPLE_HEAD)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("95% CI", justify="right", no_wrap=True)
    table.add_column("parameters sent", overflow="fold", min_width=16)
    if several:
        table.add_column("repeats", justify="right")
    table.add_column("E2E p50", justify="right", no_wrap=True)
    table.add_column("calls", justify="right", no_wrap=True)
    if priced:
        table.add_column("cost USD", justify="right", no_wrap=True)
    for trial in trials:
        number = trial["number"]
        marks = ("*" if number == best else "") + ("P" if number in pareto else "")
        latency = trial.get("latency_p50_ms")
        score = percent(trial.get("score"))
        row = [
            f"{number}{marks}",
            KIND_LABELS.get(trial["kind"], trial["kind"]),
            trial["state"],
            score if trial["state"] == "complete" or score == "–" else f"({score})",
            _interval(trial.get("score_ci95")),
            escape(point_text(trial.get("effective") or trial["point"])),
        ]
        if several:
            row.append(" ".join(percent(v) for v in trial.get("repeat_scores") or []) or "–")
        row += ["–" if latency is None else f"{latency:.0f} ms", str(trial.get("calls") or 0)]
        if priced:
            row.append(f"{trial.get('cost_usd') or 0:.4f}")
        table.add_row(*row)
    out = wide(console)
    out.print(f"Objective: {escape(objective_text(data.get('objective') or {}))}")
    out.print(table)
    notes = ["* best", "(score) partial: the trial was stopped early"]
    if pareto:
        notes.append("P on the Pareto front (score vs the minimised objectives)")
    out.print(" · ".join(notes))
    for trial in trials:
        if trial.get("error"):
            out.print(f"[yellow]trial {trial['number']} failed:[/] {escape(str(trial['error']))}")


def print_summary(data: dict[str, Any], console: Console) -> None:
    """The best point, best vs each baseline and the reason the study stopped."""
    best = data.get("best")
    if best is None:
        console.print("[bold red]No trial completed[/]: there is no best point.")
    else:
        console.print(
            f"[bold]Best:[/] trial {best['number']} "
            f"{escape(point_text(best.get('effective') or best['point']))} → score "
            f"{percent(best['score'])} (95% CI {_interval(best.get('score_ci95'))})"
        )
        if best.get("point") != best.get("effective"):
            console.print(f"  as sampled: {escape(point_text(best['point']))}")
    for item in data.get("baselines") or []:
        console.print(
            f"  vs {item['label']} (trial {item['number']}: {percent(item['baseline_score'])}): "
            f"{escape(item['summary'])}"
        )
    shares = data.get("importance") or []
    if shares:
        parts = " · ".join(f"{item['param']} {percent(item['importance'])}" for item in shares)
        console.print(f"Parameter importance (PED-ANOVA): {escape(parts)}")
    elif data.get("importance_note"):
        console.print(escape(str(data["importance_note"])))
    run = data.get("run") or {}
    reason = data.get("stop_reason")
    merged = run.get("merged_points") or 0
    console.print(
        f"Stopped: {STOP_REASONS.get(str(reason), str(reason))} · "
        f"{run.get('calls_used', 0)} model calls · cost {run.get('cost_usd', 0.0):.4f} USD"
        + (f" · {merged} point(s) merged with an identical earlier request" if merged else "")
    )


def finish(data: dict[str, Any], output: Path | None, console: Console) -> int:
    """Print and write the results; the exit code for the way the study ended (130
    cancelled, 1 when no trial completed, else 0 whichever bound stopped it)."""
    print_trials(data, console)
    print_summary(data, wide(console))
    if output is not None:
        output.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"Results written to {output}")
    if data["stop_reason"] == "cancelled":
        return EXIT_INTERRUPTED
    return 0 if data["best"] is not None else EXIT_FAILED
