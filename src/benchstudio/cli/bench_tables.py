"""The tables `benchstudio bench` prints: the estimate, the results per step (with cost and
the client's verdict) and the distributions per step and metric (std, min, max, p95, IQR
outliers). Every figure comes from the results JSON, that is from `core.stats`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from benchstudio.speed.config import BenchConfig

console = Console(stderr=True)


def print_estimate(config: BenchConfig) -> None:
    from rich.table import Table

    from benchstudio.speed.output import estimate_run, format_usd

    estimates = estimate_run(config)
    exact = all(item.exact for item in estimates)
    title = "Estimate (output at the max_tokens cap" + (")" if exact else "; requests at most)")
    table = Table(title=title)
    for column in ("target", "requests", "input tokens", "output tokens ≤", "cost USD ≤"):
        table.add_column(column, justify="right" if column != "target" else "left")
    for item in estimates:
        cost = "unknown price" if item.cost_usd is None else format_usd(item.cost_usd)
        requests = str(item.requests) if item.exact else f"≤ {item.requests}"
        table.add_row(item.target, requests, str(item.input_tokens), str(item.output_tokens), cost)
    Console().print(table)
    for item in estimates:
        if item.skipped_tiers:
            tiers = ", ".join(str(t) for t in item.skipped_tiers)
            console.print(f"[yellow]{item.target}:[/] tiers {tiers} exceed its context window")


RESULT_COLUMNS = (
    ("step", "step"),
    ("requests", "req"),
    ("errors", "err"),
    ("cancelled", "cancelled"),
    ("ttft_ms_p50", "TTFT p50"),
    ("ttft_ms_p99", "TTFT p99"),
    ("ttfct_ms_p50", "TTFCT p50"),
    ("tpot_ms_p50", "TPOT p50"),
    ("itl_ms_p99", "ITL p99"),
    ("e2e_ms_p50", "E2E p50"),
    ("output_tokens_per_s_p50", "tok/s p50"),
    ("request_throughput", "req/s"),
    ("cost_usd", "cost USD"),
    ("trustworthy", "trust"),
)


def _results_table(data: dict[str, Any]) -> Any:
    from rich.table import Table

    from benchstudio.speed.output import (
        format_figure,
        format_usd,
        step_blocks,
        summary_row,
        trust_label,
    )

    table = Table(title=f"Speed results ({data['status']})")
    for key, title in RESULT_COLUMNS:
        if key == "step":
            table.add_column(title, overflow="fold", min_width=8)
        else:
            table.add_column(title, justify="right", overflow="fold")
    for block in step_blocks(data):
        row = summary_row(block)
        if row["skipped_reason"]:
            continue
        cells = [format_figure(row[key]) for key, _ in RESULT_COLUMNS]
        cells[-2] = format_usd(row["cost_usd"]) or "-"
        cells[-1] = trust_label(row)
        table.add_row(*cells)
    return table


def _distribution_table(data: dict[str, Any]) -> Any:
    """Per step and metric: mean, std, min, p50, p95, p99, max and IQR outliers."""
    from rich.table import Table

    from benchstudio.speed.output import distribution_rows, format_figure, step_blocks

    table = Table(title="Distributions (outliers: beyond Tukey's fences, flagged, not removed)")
    columns = ("step", "metric", "n", "mean", "std", "min", "p50", "p95", "p99", "max", "outliers")
    for column in columns:
        table.add_column(column, justify="left" if column in ("step", "metric") else "right")
    fields = ("count", "mean", "std", "min", "p50", "p95", "p99", "max", "outliers")
    for block in step_blocks(data):
        for row in distribution_rows(block):
            values = [format_figure(row[f]) for f in fields]
            table.add_row(row["step"], row["label"], *values)
    return table


def print_results(data: dict[str, Any]) -> None:
    # Piped or captured output gets room for every column; a terminal keeps its width.
    out = Console() if Console().is_terminal else Console(width=160)
    out.print(_results_table(data))
    out.print(_distribution_table(data))


def report_diagnostics(data: dict[str, Any]) -> None:
    """The client's verdict, skipped steps and request errors. A run that ended early (its job
    interrupted or failed) may have no diagnostics or summary yet: said, never a KeyError."""
    from benchstudio.speed.output import step_blocks

    diagnostics = data.get("diagnostics") or {}
    trustworthy = diagnostics.get("trustworthy")
    if trustworthy is None:
        console.print("[yellow]no client diagnostics: nothing was measured to the end[/]")
    elif trustworthy:
        lag = (diagnostics.get("event_loop_lag_ms") or {}).get("p99")
        console.print(
            f"client ok: CPU share {diagnostics.get('client_cpu_share')}, event-loop lag p99 "
            f"{lag} ms"
        )
    else:
        console.print(
            "[bold yellow]results not trustworthy:[/] "
            + "; ".join(diagnostics.get("untrustworthy_reasons") or ())
        )
    for block in step_blocks(data):
        if block.get("skipped_reason"):
            console.print(f"[yellow]skipped {block['name']}:[/] {block['skipped_reason']}")
    summary = data.get("summary") or {}
    errors = summary.get("errors_by_category")
    if errors:
        console.print(f"[yellow]request errors:[/] {errors}")
    if summary.get("cancelled"):
        console.print(f"cancelled (cut short by the stop, not errors): {summary['cancelled']}")


def write_outputs(data: dict[str, Any], options: dict[str, Any]) -> None:
    from benchstudio.speed.output import write_json, write_requests_jsonl, write_summary_csv

    if options.get("output") is not None:
        write_json(data, options["output"])
        console.print(f"results written to {options['output']}")
    if options.get("requests_jsonl") is not None:
        write_requests_jsonl(data, options["requests_jsonl"])
    if options.get("csv") is not None:
        write_summary_csv(data, options["csv"])
