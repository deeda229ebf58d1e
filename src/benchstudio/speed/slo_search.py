"""SLO search: the highest request rate whose requests still meet the SLO (goodput).

`search_rate` is a pure function over `probe(rate)`, an async callable that runs (or, in tests,
simulates) one load step at `rate` and says whether it passed. It tries the ceiling first; if
that fails, the floor (`floor_fraction` of the ceiling); if the floor passes, it bisects
`rounds` times in log space between the highest passing and the lowest failing rate. With a
monotone pass region (every rate up to some boundary passes, none above it does) the answer
`best` satisfies `best <= boundary < best * resolution(...)`.

`search_target` is what the runner calls: it wraps a step runner into a probe that computes
each step's SLO attainment and records the probes in the documented `slo_search` entry. This
module never imports the runner; the runner hands it the function that runs a step.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchstudio.speed.metrics import RequestMetrics
from benchstudio.speed.results import SloTargets

DEFAULT_CEILING_RPS = 64.0
FLOOR_FRACTION = 1 / 64
BISECTION_ROUNDS = 5
RATE_DIGITS = 4

Probe = Callable[[float], Awaitable[bool]]
# Runs one load step at a rate: the step's records and its measured wall time (s).
StepRunner = Callable[[float], Awaitable[tuple[Sequence[RequestMetrics], float]]]


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """The best passing rate (None when even the floor failed) and every rate probed."""

    best: float | None
    probed: list[float] = field(default_factory=list)


def resolution(floor_fraction: float = FLOOR_FRACTION, rounds: int = BISECTION_ROUNDS) -> float:
    """The factor within which the boundary is located: (1 / floor_fraction) ** (1 / 2**rounds)."""
    return float((1.0 / floor_fraction) ** (1.0 / 2**rounds))


async def search_rate(
    probe: Probe,
    ceiling: float,
    *,
    floor_fraction: float = FLOOR_FRACTION,
    rounds: int = BISECTION_ROUNDS,
    stopped: Callable[[], bool] = lambda: False,
) -> SearchOutcome:
    """The highest rate `probe` passes, found with at most `rounds + 2` probes."""
    if ceiling <= 0 or not 0 < floor_fraction < 1:
        raise ValueError("need a positive ceiling and 0 < floor_fraction < 1")
    probed: list[float] = []

    async def passes(rate: float) -> bool:
        probed.append(rate)
        return await probe(rate)

    if await passes(ceiling):
        return SearchOutcome(ceiling, probed)
    low, high = ceiling * floor_fraction, ceiling
    if stopped() or not await passes(low):
        return SearchOutcome(None, probed)
    for _ in range(rounds):
        if stopped():
            break
        middle = math.sqrt(low * high)
        if await passes(middle):
            low = middle
        else:
            high = middle
    return SearchOutcome(low, probed)


def probe_passes(attainment: float | None, required: float) -> bool:
    return attainment is not None and attainment >= required


def attainment_of(records: Sequence[RequestMetrics], slo: SloTargets) -> tuple[int, float | None]:
    """(requests meeting the SLO, their share of the measured requests) — warm-ups left out."""
    measured = [r for r in records if not r.extra.get("warmup")]
    met = sum(1 for r in measured if slo.met_by(r))
    return met, (met / len(measured) if measured else None)


def ceiling_rate(request_rate: float | None, sweep_rate: Sequence[float]) -> float:
    return request_rate or max(sweep_rate, default=DEFAULT_CEILING_RPS)


async def search_target(
    run_step: StepRunner,
    *,
    slo: SloTargets,
    required: float,
    ceiling: float,
    target: str,
    tier: int,
    stopped: Callable[[], bool] = lambda: False,
) -> dict[str, Any]:
    """Search one target at one tier; returns its `slo_search` entry (probes included)."""
    probes: list[dict[str, Any]] = []

    async def probe(rate: float) -> bool:
        rate = round(rate, RATE_DIGITS)
        records, wall_s = await run_step(rate)
        met, attainment = attainment_of(records, slo)
        passed = probe_passes(attainment, required)
        probes.append(
            {
                "target": target,
                "context_tokens": tier,
                "rate": rate,
                "attainment": None if attainment is None else round(attainment, 4),
                "goodput_rps": round(met / wall_s, 4) if wall_s > 0 else None,
                "passed": passed,
            }
        )
        return passed

    outcome = await search_rate(probe, ceiling, stopped=stopped)
    return {
        "target": target,
        "context_tokens": tier,
        "slo": slo.to_dict(),
        "required_attainment": required,
        "best_rate": None if outcome.best is None else round(outcome.best, RATE_DIGITS),
        "probes": probes,
    }
