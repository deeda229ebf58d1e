"""Summaries of stored rows, all from core.stats via `speed.results.summary_block`.

Rates (request and token throughput, goodput) are taken over measured windows: a step's own
window, a target's steps added up, and for the whole run the longest lane of steps run one
after another (`speed.diagnostics.lane_of`), exactly as the CLI's results JSON does.

Seeds follow the CLI's: the run's `run_key` for the whole run and `run_key:step` per step,
so a run imported from a results file reproduces the file's intervals digit for digit
(given the same stored values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from benchstudio.benchruns.domain import SUMMARY_VERSION, counted, metrics_from_record
from benchstudio.speed.diagnostics import lane_of, measured_wall_s
from benchstudio.speed.metrics import RequestMetrics
from benchstudio.speed.results import SloTargets, summary_block
from benchstudio.speed.spend import exact_spend


def _slo(config: Mapping[str, Any]) -> SloTargets | None:
    slo = config.get("slo") or {}
    return SloTargets(**slo) if slo else None


def compute_summaries(
    run_key: str,
    records: Sequence[Mapping[str, Any]],
    steps: Sequence[Mapping[str, Any]],
    *,
    wall_s: float,
    config: Mapping[str, Any],
) -> dict[str, Any]:
    """{"version", "summary", "steps": {name: block}, "targets": {key: block}, "spend"}.

    `spend` is the cost of every stored request, warm-ups included and shown separately
    (the same requests the monthly spend counts, superseded ones too: they were paid for);
    every other figure leaves superseded records out."""
    slo = _slo(config)
    metrics = [metrics_from_record(r) for r in counted(records)]
    paid = [metrics_from_record(r) for r in records]
    by_step: dict[str, list[RequestMetrics]] = {}
    by_target: dict[str, list[RequestMetrics]] = {}
    for record in metrics:
        by_step.setdefault(str(record.extra["step"]), []).append(record)
        by_target.setdefault(str(record.extra["target"]), []).append(record)
    step_wall = {str(s["name"]): float(s.get("wall_s") or 0.0) for s in steps}
    # Rates over the measured windows (each lane's steps in turn, lanes side by side), not the
    # run's wall time with its setup; `wall_s` only when no step recorded its window.
    measured_s = measured_wall_s(
        (lane_of(config, str(s.get("target"))), float(s.get("wall_s") or 0.0))
        for s in steps
        if not s.get("skipped_reason")
    )
    target_wall: dict[str, float] = {}
    for step in steps:
        key = str(step.get("target"))
        target_wall[key] = target_wall.get(key, 0.0) + float(step.get("wall_s") or 0.0)
    names = list(dict.fromkeys([*step_wall, *by_step]))
    return {
        "version": SUMMARY_VERSION,
        "summary": summary_block(metrics, wall_s=measured_s or wall_s, run_id=run_key, slo=slo),
        "steps": {
            name: summary_block(
                by_step.get(name, []),
                wall_s=step_wall.get(name, 0.0),
                run_id=f"{run_key}:{name}",
                slo=slo,
            )
            for name in names
        },
        "targets": {
            key: summary_block(
                rows,
                wall_s=target_wall.get(key, measured_s or wall_s),
                run_id=f"{run_key}:target:{key}",
                slo=slo,
            )
            for key, rows in by_target.items()
        },
        "spend": exact_spend(paid, None),
    }


def headline(summary: Mapping[str, Any] | None) -> dict[str, float | None]:
    """The few figures a history list shows."""
    if not summary:
        return {}

    def p50(metric: str) -> float | None:
        block = summary.get(metric) or {}
        value = block.get("p50")
        return None if value is None else float(value)

    return {
        "ttft_ms_p50": p50("ttft_ms"),
        "tpot_ms_p50": p50("tpot_ms"),
        "e2e_ms_p50": p50("e2e_ms"),
        "output_tokens_per_s_p50": p50("output_tokens_per_s"),
        "error_rate": summary.get("error_rate"),
    }
