"""Arrival schedules for request-rate mode, precomputed before the run starts.

Offsets are seconds from the run's start; the dispatcher sleeps to each absolute deadline, so a
late wake-up never shifts later requests (no drift). Gamma arrivals with burstiness B have shape
B and mean 1/rate: B = 1 is Poisson, B < 1 is burstier, B > 1 more regular (as in vLLM's and
guidellm's benchmarks).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from benchstudio.core.stats import seed_from_run_id

Arrival = Literal["poisson", "gamma", "constant"]
ARRIVALS: tuple[Arrival, ...] = ("poisson", "gamma", "constant")


def arrival_offsets(
    rate: float,
    count: int,
    *,
    arrival: Arrival = "poisson",
    burstiness: float = 1.0,
    run_id: str = "",
) -> list[float]:
    """`count` send times (seconds from start) for `rate` requests per second.

    The first request goes at 0; the random streams are seeded from the run id.
    """
    if rate <= 0:
        raise ValueError("request rate must be positive")
    if count <= 0:
        return []
    mean_gap = 1.0 / rate
    if arrival == "constant":
        gaps = np.full(count - 1, mean_gap)
    else:
        rng = np.random.default_rng(seed_from_run_id(run_id, "arrivals"))
        if arrival == "poisson":
            gaps = rng.exponential(mean_gap, size=count - 1)
        elif arrival == "gamma":
            if burstiness <= 0:
                raise ValueError("burstiness must be positive")
            gaps = rng.gamma(shape=burstiness, scale=mean_gap / burstiness, size=count - 1)
        else:
            raise ValueError(f"unknown arrival process {arrival!r}")
    offsets = np.concatenate(([0.0], np.cumsum(gaps)))
    return [float(x) for x in offsets]


def offsets_for_duration(
    rate: float,
    duration_s: float,
    *,
    arrival: Arrival = "poisson",
    burstiness: float = 1.0,
    run_id: str = "",
) -> list[float]:
    """The schedule's offsets that fall inside `duration_s` seconds."""
    # Draw generously (mean + 6 sigma of a Poisson count) and cut at the duration.
    expected = rate * duration_s
    spread = max(expected, 1.0) / min(burstiness, 1.0) if arrival == "gamma" else max(expected, 1.0)
    count = int(expected + 6 * np.sqrt(spread) + 10)
    offsets = arrival_offsets(rate, count, arrival=arrival, burstiness=burstiness, run_id=run_id)
    return [x for x in offsets if x < duration_s]
