"""Bayesian search (TPE) against random search on the tunable model's surface (issue 21).

The surface is the tunable demo model's (`simulator/tunable.py`), evaluated in-process:
accuracy = base - sum_i weight_i * (x_i - optimum_i)^2, observed as in an eval: a per-run
offset (the model's `noise`) plus the binomial noise of scoring CASES cases. Each run asks the
strategy for one point at a time, tells it the observed score, and counts the trials until a
point's TRUE accuracy is within 2% of the optimum (at most MAX_TRIALS; a run that never gets
there counts as MAX_TRIALS). Over SEEDS seeds per strategy, on a 2-D surface (temperature,
top_p) and a 4-D one (plus frequency and presence penalty).

Goal: on both surfaces, TPE's median trial count is at least 30% below random's.

    .venv/bin/python benchmarks/tuner_efficiency.py --check
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from benchstudio.simulator.tunable import TunableAccuracy, TunedParameter
from benchstudio.tuning.domain.space import RangeDimension, SearchSpace
from benchstudio.tuning.domain.strategies import Outcome, StrategyKind, StrategySpec, build_strategy

SEEDS = 20
CASES = 50
MAX_TRIALS = 300
WITHIN = 0.02  # of the optimum
GOAL = 0.30  # TPE needs at least this much fewer trials (median)
NOISE = 0.02


# name: (low, high, optimum, provider default)
PARAMETERS = {
    "temperature": (0.0, 2.0, 0.3, 1.0),
    "top_p": (0.0, 1.0, 0.8, 1.0),
    "frequency_penalty": (-2.0, 2.0, 0.4, 0.0),
    "presence_penalty": (-2.0, 2.0, -0.3, 0.0),
}
# Accuracy lost per squared unit from the optimum. Within 2% of the optimum is about 1 in 70
# of the 2-D space and 1 in 120 of the 4-D one (the random medians, 50 and 80, say so).
SURFACES = {
    "2-D": {"temperature": 1.0, "top_p": 4.0},
    "4-D": {
        "temperature": 0.25,
        "top_p": 1.0,
        "frequency_penalty": 0.022,
        "presence_penalty": 0.022,
    },
}


def surface(weights: dict[str, float]) -> tuple[TunableAccuracy, SearchSpace]:
    accuracy = TunableAccuracy(
        base=0.95,
        noise=NOISE,
        parameters={
            name: TunedParameter(
                optimum=PARAMETERS[name][2], weight=weight, default=PARAMETERS[name][3]
            )
            for name, weight in weights.items()
        },
    )
    dimensions = tuple(
        RangeDimension(name, PARAMETERS[name][0], PARAMETERS[name][1]) for name in weights
    )
    return accuracy, SearchSpace(dimensions)


def trials_to_reach(surface_name: str, kind: StrategyKind, seed: int) -> int:
    """Trials until a point within WITHIN of the optimum (MAX_TRIALS if never)."""
    accuracy, space = surface(SURFACES[surface_name])
    strategy = build_strategy(StrategySpec(kind=kind, seed=seed), space)
    cases = np.random.default_rng(seed)
    target = (1 - WITHIN) * accuracy.base
    for trial in range(1, MAX_TRIALS + 1):
        (asked,) = strategy.ask(1)
        point = {name: float(value) for name, value in asked.point.items()}
        if accuracy.accuracy(point) >= target:
            return trial
        observed = accuracy.noisy_accuracy(point, seed=seed, run_seed=trial)
        score = cases.binomial(CASES, observed) / CASES
        strategy.tell(asked.trial_id, Outcome.complete(score))
    return MAX_TRIALS


def _job(args: tuple[str, StrategyKind, int]) -> tuple[str, StrategyKind, int]:
    surface_name, kind, seed = args
    return surface_name, kind, trials_to_reach(surface_name, kind, seed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=SEEDS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    jobs = [
        (name, kind, seed)
        for name in SURFACES
        for kind in ("tpe", "random")
        for seed in range(args.seeds)
    ]
    started = time.perf_counter()
    results: dict[tuple[str, str], list[int]] = {}
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for name, kind, count in pool.map(_job, jobs):
            results.setdefault((name, kind), []).append(count)
    elapsed = time.perf_counter() - started
    print(
        f"{args.seeds} seeds per strategy, {CASES} cases per trial, noise {NOISE}, "
        f"target within {WITHIN:.0%} of the optimum, at most {MAX_TRIALS} trials"
    )
    failures = []
    for name in SURFACES:
        tpe, rnd = (results[(name, kind)] for kind in ("tpe", "random"))
        tpe_median, random_median = statistics.median(tpe), statistics.median(rnd)
        fewer = 1 - tpe_median / random_median
        capped = sum(count >= MAX_TRIALS for count in tpe), sum(c >= MAX_TRIALS for c in rnd)
        print(
            f"{name}: median trials TPE {tpe_median:g}, random {random_median:g} "
            f"({fewer:.0%} fewer); never reached: TPE {capped[0]}, random {capped[1]}"
        )
        if fewer < GOAL:
            failures.append(f"{name}: TPE needs {fewer:.0%} fewer trials than random < {GOAL:.0%}")
    print(f"wall time {elapsed:.1f} s on {args.workers} workers")
    for failure in failures:
        print(f"MISSED: {failure}")
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
