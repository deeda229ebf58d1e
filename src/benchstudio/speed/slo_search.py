"""SLO search: the highest request rate whose requests still meet the SLO (goodput).

A probe runs one load step at a rate; it passes when at least `slo_attainment` of its requests
meet every target. The search tries the ceiling first, then bisects in log space between the
highest passing and lowest failing rates.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from benchstudio.speed.results import SloTargets

if TYPE_CHECKING:
    from benchstudio.speed.runner import BenchRunner, PreparedTarget

DEFAULT_CEILING_RPS = 64.0
FLOOR_FRACTION = 1 / 64
BISECTION_ROUNDS = 5


def probe_passes(attainment: float | None, required: float) -> bool:
    return attainment is not None and attainment >= required


async def _probe(
    runner: BenchRunner, prepared: PreparedTarget, tier: int, rate: float
) -> dict[str, Any]:
    step = await runner.run_load_step(prepared, tier, rate=round(rate, 4))
    runner.steps.append(step)
    slo = SloTargets(**runner.config.slo)
    measured = [r for r in step.records if not r.extra.get("warmup")]
    met = sum(1 for r in measured if slo.met_by(r))
    attainment = met / len(measured) if measured else None
    return {
        "target": prepared.config.name,
        "context_tokens": tier,
        "rate": round(rate, 4),
        "attainment": None if attainment is None else round(attainment, 4),
        "goodput_rps": round(met / step.wall_s, 4) if step.wall_s > 0 else None,
        "passed": probe_passes(attainment, runner.config.slo_attainment),
    }


async def search_rate(runner: BenchRunner, prepared: PreparedTarget, tier: int) -> float | None:
    """Record probes in `runner.slo_probes`; return the best passing rate (None if none)."""
    config = runner.config
    ceiling = config.request_rate or max(config.sweep_rate, default=DEFAULT_CEILING_RPS)
    probes: list[dict[str, Any]] = []

    async def probe(rate: float) -> bool:
        result = await _probe(runner, prepared, tier, rate)
        probes.append(result)
        return bool(result["passed"])

    best: float | None = None
    if await probe(ceiling):
        best = ceiling
    else:
        low, high = ceiling * FLOOR_FRACTION, ceiling
        if await probe(low):
            best = low
            for _ in range(BISECTION_ROUNDS):
                if runner.control.stopped:
                    break
                middle = math.sqrt(low * high)
                if await probe(middle):
                    best = low = middle
                else:
                    high = middle
    runner.slo_probes.append(
        {
            "target": prepared.config.name,
            "context_tokens": tier,
            "slo": SloTargets(**config.slo).to_dict(),
            "required_attainment": config.slo_attainment,
            "best_rate": None if best is None else round(best, 4),
            "probes": probes,
        }
    )
    return best
