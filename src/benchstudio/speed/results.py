"""From raw traces to per-request records and the summary blocks of the output JSON.

Every statistic comes from `benchstudio.core.stats`, seeded from the run id, so the CLI, the API
and any later recomputation print the same digits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from benchstudio.core.stats import summarize, wilson_interval
from benchstudio.speed.metrics import (
    RequestMetrics,
    StreamTrace,
    TokenCounting,
    compute_request_metrics,
)

# (model, input, output, reasoning, cached input) -> USD, or None when no price is known.
CostFunction = Callable[[str, int | None, int | None, int | None, int | None], float | None]
LATENCY_METRICS = ("ttft_ms", "ttfct_ms", "tpot_ms", "e2e_ms")
SPEED_METRICS = ("output_tokens_per_s", "e2e_tokens_per_s")


@dataclass(frozen=True, slots=True)
class SloTargets:
    """Service-level objectives a request must meet to count towards goodput."""

    ttft_ms: float | None = None
    tpot_ms: float | None = None
    e2e_ms: float | None = None

    @classmethod
    def parse(cls, text: str) -> SloTargets:
        """`ttft_ms=500,tpot_ms=50` -> targets (unknown names raise ValueError)."""
        values: dict[str, float] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, sep, raw = item.partition("=")
            name = name.strip()
            if not sep or name not in ("ttft_ms", "tpot_ms", "e2e_ms"):
                raise ValueError(f"bad SLO {item!r}: use ttft_ms=, tpot_ms= or e2e_ms=")
            values[name] = float(raw)
        if not values:
            raise ValueError("empty SLO")
        return cls(**values)

    def met_by(self, record: RequestMetrics) -> bool:
        if not record.ok:
            return False
        for name in ("ttft_ms", "tpot_ms", "e2e_ms"):
            target = getattr(self, name)
            if target is None:
                continue
            value = getattr(record, name)
            # TPOT is undefined for one-token answers: it cannot violate the target.
            if value is None and name == "tpot_ms":
                continue
            if value is None or value > target:
                return False
        return True

    def to_dict(self) -> dict[str, float]:
        return {
            name: value
            for name in ("ttft_ms", "tpot_ms", "e2e_ms")
            if (value := getattr(self, name)) is not None
        }


def finalize(
    traces: Iterable[StreamTrace],
    counting: TokenCounting,
    *,
    model: str,
    cost: CostFunction | None = None,
    extra: dict[str, Any] | None = None,
) -> list[RequestMetrics]:
    """Per-request metrics for finished traces, with cost and the step's labels attached."""
    records = []
    for trace in traces:
        record = compute_request_metrics(trace, counting)
        if cost is not None and (record.input_tokens is not None or record.output_tokens):
            value = cost(
                model,
                record.input_tokens,
                record.output_tokens,
                record.reasoning_tokens,
                record.cached_input_tokens,
            )
            record.cost_usd = None if value is None else round(value, 8)
        if extra:
            record.extra.update(extra)
        records.append(record)
    return records


def _values(records: list[RequestMetrics], name: str) -> list[float]:
    return [v for r in records if (v := getattr(r, name)) is not None]


def summary_block(
    records: list[RequestMetrics],
    *,
    wall_s: float,
    run_id: str,
    slo: SloTargets | None = None,
) -> dict[str, Any]:
    """The `summary` object: distributions of successful, non-warm-up requests plus rates.

    Requests the run cut short (`cancelled`) are their own outcome: counted in `cancelled`,
    never in `requests`, the errors, the error rate or the SLO attainment."""
    sent = [r for r in records if not r.extra.get("warmup")]
    measured = [r for r in sent if not r.cancelled]
    ok = [r for r in measured if r.ok]
    block: dict[str, Any] = {}
    for name in (*LATENCY_METRICS, *SPEED_METRICS):
        block[name] = summarize(_values(ok, name), run_id=f"{run_id}:{name}").to_dict(4)
    gaps = [gap for r in ok for gap in r.itl_ms]
    block["itl_ms"] = summarize(gaps, run_id=f"{run_id}:itl_ms").to_dict(4)
    output_tokens = sum(r.output_tokens or 0 for r in ok)
    input_tokens = sum(r.input_tokens or 0 for r in ok)
    errors = Counter(r.error.category for r in measured if r.error is not None)
    error_rate = wilson_interval(len(measured) - len(ok), len(measured))
    costs = [r.cost_usd for r in measured if r.cost_usd is not None]
    block.update(
        {
            "requests": len(measured),
            "successful": len(ok),
            "errors": sum(errors.values()),
            "errors_by_category": dict(sorted(errors.items())),
            "cancelled": len(sent) - len(measured),
            "error_rate": error_rate.rate,
            "error_rate_ci95": None if error_rate.ci95 is None else list(error_rate.ci95),
            "duration_s": round(wall_s, 4),
            "request_throughput": round(len(ok) / wall_s, 4) if wall_s > 0 else None,
            "output_token_throughput": round(output_tokens / wall_s, 4) if wall_s > 0 else None,
            # Input and output tokens of the successful requests over the same window.
            "total_token_throughput": (
                round((input_tokens + output_tokens) / wall_s, 4) if wall_s > 0 else None
            ),
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "reasoning_tokens": sum(r.reasoning_tokens or 0 for r in ok),
            "tokens_estimated_requests": sum(1 for r in ok if r.tokens_estimated),
            "cost_usd": round(sum(costs), 8) if costs else None,
        }
    )
    if slo is not None:
        met = sum(1 for r in measured if slo.met_by(r))
        block["slo"] = {
            "targets": slo.to_dict(),
            "met": met,
            "attainment": round(met / len(measured), 4) if measured else None,
            "goodput_rps": round(met / wall_s, 4) if wall_s > 0 else None,
        }
    return block
