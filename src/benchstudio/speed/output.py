"""Result files (JSON, requests JSONL, summary CSV), the pre-run estimate and table rows."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchstudio.core.spreadsheet_csv import spreadsheet_cell
from benchstudio.speed.config import BenchConfig
from benchstudio.speed.results import CostFunction
from benchstudio.speed.targets import cost_function

CSV_COLUMNS = (
    "step",
    "target",
    "model",
    "mode",
    "context_tokens",
    "concurrency",
    "request_rate",
    "requests",
    "errors",
    "cancelled",
    "error_rate",
    "ttft_ms_p50",
    "ttft_ms_p90",
    "ttft_ms_p99",
    "ttfct_ms_p50",
    "tpot_ms_p50",
    "itl_ms_p50",
    "itl_ms_p99",
    "e2e_ms_p50",
    "e2e_ms_p99",
    "output_tokens_per_s_p50",
    "request_throughput",
    "output_token_throughput",
    "cost_usd",
    "trustworthy",
    "skipped_reason",
)


def write_json(data: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n", encoding="utf-8")


def write_requests_jsonl(data: dict[str, Any], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in data["requests"]:
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")


def step_blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-step blocks, or one block standing for the whole run when it had one step."""
    if data.get("steps"):
        return list(data["steps"])
    config = data["config"]
    target = config["targets"][0]
    return [
        {
            "name": target["name"],
            "target": target["name"],
            "model": target["model"],
            "mode": "profile"
            if config.get("concurrency") is None and config.get("request_rate") is None
            else ("concurrency" if config.get("concurrency") else "rate"),
            "context_tokens": config["context_tokens"][0],
            "concurrency": config.get("concurrency"),
            "request_rate": config.get("request_rate"),
            "skipped_reason": None,
            "diagnostics": data["diagnostics"],
            "summary": data["summary"],
        }
    ]


def _stat(summary: dict[str, Any], metric: str, field: str) -> Any:
    block = summary.get(metric) or {}
    return block.get(field)


# The distributions the console and HTML tables spell out (every figure from core.stats).
DISTRIBUTION_METRICS = (
    ("ttft_ms", "TTFT ms"),
    ("ttfct_ms", "TTFCT ms"),
    ("tpot_ms", "TPOT ms"),
    ("itl_ms", "ITL ms"),
    ("e2e_ms", "E2E ms"),
    ("output_tokens_per_s", "output tok/s"),
)
DISTRIBUTION_FIELDS = ("count", "mean", "std", "min", "p50", "p90", "p95", "p99", "max")


def format_usd(value: float | None) -> str:
    """A cost as a plain decimal (never `8.82e-05`): up to 8 decimals, trailing zeros cut."""
    if value is None:
        return ""
    text = f"{value:.8f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_figure(value: Any) -> str:
    """A table cell: '-' for none, integers as they are, other numbers to 2 decimals under
    100 (1 decimal under 1,000, none above), never in scientific notation."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    size = abs(value)
    digits = 2 if size < 100 else 1 if size < 1000 else 0
    return f"{value:.{digits}f}"


def trust_label(row: dict[str, Any]) -> str:
    if row.get("skipped_reason"):
        return "skipped"
    return {True: "yes", False: "NO", None: "-"}[row.get("trustworthy")]


def distribution_rows(block: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per metric of a step with values: count, mean, std, min, percentiles, max and
    the IQR outliers (Tukey's fences), exactly as `core.stats.summarize` computed them."""
    rows = []
    summary = block["summary"]
    for metric, label in DISTRIBUTION_METRICS:
        stat = summary.get(metric) or {}
        if not stat.get("count"):
            continue
        ttft = summary.get("ttft_ms") or {}
        if metric == "ttfct_ms" and all(stat.get(f) == ttft.get(f) for f in DISTRIBUTION_FIELDS):
            continue  # no reasoning or tool call came first: the same values as TTFT
        row: dict[str, Any] = {"step": block["name"], "metric": metric, "label": label}
        row.update({field: stat.get(field) for field in DISTRIBUTION_FIELDS})
        row["outliers"] = stat.get("outlier_count", 0)
        row["outlier_fences"] = stat.get("outlier_fences")
        rows.append(row)
    return rows


def summary_row(block: dict[str, Any]) -> dict[str, Any]:
    summary = block["summary"]
    return {
        "step": block["name"],
        "target": block["target"],
        "model": block["model"],
        "mode": block["mode"],
        "context_tokens": block["context_tokens"],
        "concurrency": block.get("concurrency"),
        "request_rate": block.get("request_rate"),
        "requests": summary["requests"],
        "errors": summary["errors"],
        # Older files (before the cancelled outcome) counted cut-short requests as errors.
        "cancelled": summary.get("cancelled", 0),
        "error_rate": summary["error_rate"],
        "ttft_ms_p50": _stat(summary, "ttft_ms", "p50"),
        "ttft_ms_p90": _stat(summary, "ttft_ms", "p90"),
        "ttft_ms_p99": _stat(summary, "ttft_ms", "p99"),
        "ttfct_ms_p50": _stat(summary, "ttfct_ms", "p50"),
        "tpot_ms_p50": _stat(summary, "tpot_ms", "p50"),
        "itl_ms_p50": _stat(summary, "itl_ms", "p50"),
        "itl_ms_p99": _stat(summary, "itl_ms", "p99"),
        "e2e_ms_p50": _stat(summary, "e2e_ms", "p50"),
        "e2e_ms_p99": _stat(summary, "e2e_ms", "p99"),
        "output_tokens_per_s_p50": _stat(summary, "output_tokens_per_s", "p50"),
        "request_throughput": summary["request_throughput"],
        "output_token_throughput": summary["output_token_throughput"],
        "cost_usd": summary["cost_usd"],
        # A skipped step measured nothing: it is neither trustworthy nor untrustworthy.
        "trustworthy": None if block.get("skipped_reason") else block["diagnostics"]["trustworthy"],
        "skipped_reason": block.get("skipped_reason"),
    }


def write_summary_csv(data: dict[str, Any], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for block in step_blocks(data):
            row = summary_row(block)
            row["cost_usd"] = format_usd(row["cost_usd"])
            writer.writerow({name: spreadsheet_cell(value) for name, value in row.items()})


@dataclass(frozen=True, slots=True)
class Estimate:
    """What a run would send before anything is spent (output tokens at the max_tokens cap).

    `requests` counts what is sent, warm-ups included, and nothing for skipped tiers. It is
    exact (`exact`) for runs bounded by a request count that complete; an upper bound for an
    SLO search (it stops probing early when the ceiling passes or the floor fails) and for
    a count cut short by a duration; an expectation for duration-only runs.
    """

    target: str
    requests: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    exact: bool = True
    skipped_tiers: tuple[int, ...] = ()


def _load_step_requests(config: BenchConfig) -> tuple[int, bool]:
    """Requests one load step sends (summed over workers) and whether that is exact."""
    count, duration = config.request_bound()
    if count is not None:
        # With `--workers` the shares add up to the configured count (`BenchConfig.load_share`).
        return count, duration is None
    assert duration is not None
    rate = config.request_rate or max(config.sweep_rate, default=0.0)
    # Closed loop: unknown until measured; assume one request per stream per second.
    return int(duration * (rate or config.concurrency or 1)), False


def planned_requests(config: BenchConfig) -> tuple[int, bool]:
    """Requests sent per context tier that fits (warm-ups included) and whether it is exact:
    profile sends `warmup + runs`; load modes send `warmup` once per tier (on one worker),
    then every load point (an SLO search probes at most `BISECTION_ROUNDS + 2` rates)."""
    if config.mode == "profile":
        return config.warmup + config.runs, True
    from benchstudio.speed.slo_search import BISECTION_ROUNDS

    per_step, exact = _load_step_requests(config)
    points = len(config.sweep_concurrency or config.sweep_rate) or 1
    if config.slo_search:
        points, exact = BISECTION_ROUNDS + 2, False
    return points * per_step + config.warmup, exact


def estimate_run(
    config: BenchConfig, output_caps: Mapping[str, int | None] | None = None
) -> list[Estimate]:
    """Planned requests, tokens and cost per target (prompt sizes counted with the tokenizer);
    tiers beyond a target's context window are skipped by the run and count for nothing.
    `output_caps` gives a target's own max_tokens where it differs from the run's (the
    platform's parameter registry may clamp it)."""
    from benchstudio.speed.prompts import sized_prompt_tokens, tier_skip_reason
    from benchstudio.speed.tokenizer import TokenCounter, encoding_for_model

    estimates = []
    per_tier, exact = planned_requests(config)
    for target in config.targets:
        output_cap = (output_caps or {}).get(target.name) or config.max_tokens or 0
        counter = TokenCounter(encoding_for_model(target.model))
        requests = input_tokens = 0
        skipped = []
        for tier in config.context_tokens:
            if tier_skip_reason(tier, config.max_tokens, target.context_window) is not None:
                skipped.append(tier)
                continue
            tokens = sized_prompt_tokens(
                config.prompt,
                target_tokens=tier,
                salt="0" * 12,
                counter=counter,
                corpus_kind=config.corpus,
            )
            requests += per_tier
            input_tokens += per_tier * tokens
        cost: CostFunction | None = cost_function(target)
        output_tokens = requests * output_cap
        value = (
            None if cost is None else cost(target.model, input_tokens, output_tokens, None, None)
        )
        estimates.append(
            Estimate(
                target.name,
                requests,
                input_tokens,
                output_tokens,
                value,
                exact=exact,
                skipped_tiers=tuple(skipped),
            )
        )
    return estimates
