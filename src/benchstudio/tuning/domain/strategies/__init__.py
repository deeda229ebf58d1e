"""Search strategies behind one ask/tell interface: grid (full or sampled), random, TPE, and
multi-objective TPE. `build_strategy` makes one from a `StrategySpec`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from benchstudio.tuning.domain.space import SearchSpace
from benchstudio.tuning.domain.strategies.engine import (
    Canonical,
    Strategy,
    identity_canonical,
    registry_canonical,
)
from benchstudio.tuning.domain.strategies.grid import GridSampler
from benchstudio.tuning.domain.strategies.optuna_sampler import (
    DEFAULT_STARTUP_TRIALS,
    OptunaSampler,
)
from benchstudio.tuning.domain.strategies.outcomes import (
    Asked,
    Direction,
    FinishedTrial,
    Outcome,
)

StrategyKind = Literal["grid", "random", "tpe"]

__all__ = [
    "DEFAULT_STARTUP_TRIALS",
    "Asked",
    "Direction",
    "FinishedTrial",
    "Outcome",
    "Strategy",
    "StrategyKind",
    "StrategySpec",
    "build_strategy",
    "registry_canonical",
]


@dataclass(frozen=True, slots=True)
class StrategySpec:
    """How to search. `grid_sample` limits a grid to that many points drawn without
    replacement; `startup_trials` are TPE's random trials before it models the results."""

    kind: StrategyKind = "tpe"
    seed: int = 0
    grid_sample: int | None = None
    startup_trials: int = DEFAULT_STARTUP_TRIALS
    reevaluate_duplicates: bool = False


def build_strategy(
    spec: StrategySpec,
    space: SearchSpace,
    directions: Sequence[Direction] = ("maximize",),
    *,
    canonical: Canonical = identity_canonical,
) -> Strategy:
    """A strategy over `space` (checked: `SpaceError` on a bad one); several `directions`
    make it multi-objective. `canonical` is usually `registry_canonical(...)`."""
    if spec.kind == "grid":
        sampler: GridSampler | OptunaSampler = GridSampler(
            space, sample=spec.grid_sample, seed=spec.seed
        )
    else:
        sampler = OptunaSampler(
            space,
            directions,
            kind=spec.kind,
            seed=spec.seed,
            startup_trials=spec.startup_trials,
        )
    return Strategy(sampler, canonical=canonical, reevaluate_duplicates=spec.reevaluate_duplicates)
