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
KIND_LABELS = {"baseline_default": "baseline", "baseline_preset": "preset", "search": "search"}


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _interval(interval: dict[str, float] | None) -> str:
    return "–" if not interval else f"{percent(interval['low'])}–{percent(interval['high'])}"


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
    table = Table(title=f"Search space for {escape(space['model'])} ({space['provider']})")
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


def _sort_key(trial: dict[str, Any]) -> tuple[int, float, int]:
    score = trial.get("score")
    return (score is None, -(score or 0.0), trial["number"])


def print_trials(data: dict[str, Any], console: Console) -> None:
    pareto = set(data.get("pareto") or [])
    best = (data.get("best") or {}).get("number")
    table = Table(title=f"Trials ({len(data['trials'])}), best score first")
    columns = ("#", "kind", "state", "parameters", "score", "95% CI", "repeats", "E2E p50")
    for column in (*columns, "cost USD", "calls"):
        table.add_column(column, justify="left" if column in columns[1:4] else "right")
    for trial in sorted(data["trials"], key=_sort_key):
        marks = ("*" if trial["number"] == best else "") + (
            "P" if trial["number"] in pareto else ""
        )
        latency = trial.get("latency_p50_ms")
        repeats = " ".join(percent(v) for v in trial.get("repeat_scores") or [])
        table.add_row(
            f"{trial['number']}{marks}",
            KIND_LABELS.get(trial["kind"], trial["kind"]),
            trial["state"] + (f": {escape(str(trial['error']))}" if trial.get("error") else ""),
            escape(point_text(trial.get("effective") or trial["point"])),
            percent(trial.get("score")),
            _interval(trial.get("score_ci95")),
            repeats or "–",
            "–" if latency is None else f"{latency:.0f} ms",
            f"{trial.get('cost_usd') or 0:.4f}",
            str(trial.get("calls") or 0),
        )
    console.print(table)
    if pareto:
        console.print("* best · P on the Pareto front (score vs the minimised objectives)")


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
            f"  vs {item['label']} (trial {item['number']}, {percent(item['baseline_score'])}): "
            f"{escape(item['summary'])}"
        )
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
    print_summary(data, console)
    if output is not None:
        output.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"Results written to {output}")
    if data["stop_reason"] == "cancelled":
        return EXIT_INTERRUPTED
    return 0 if data["best"] is not None else EXIT_FAILED
