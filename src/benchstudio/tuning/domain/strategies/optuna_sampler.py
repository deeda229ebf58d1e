"""Random and Bayesian (TPE) search through Optuna's ask/tell interface (ADR 0013).

A fresh in-memory study per engine: our stored trials are the source of truth, and `replay`
rebuilds the sampler's state from them with `study.add_trial(create_trial(...))`, so a resumed
job continues the same search. TPE is multivariate (it models parameters jointly), grouped (a
conditional parameter gets its own model where it applies) and uses `constant_liar`, so points
asked while others are still running are not all drawn from the same spot. With several
objectives TPE becomes MOTPE and ranks trials by Pareto dominance.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import Trial, TrialState, create_trial

from benchstudio.tuning.domain.strategies.dimensions import (
    DimensionLike,
    Point,
    is_active,
)
from benchstudio.tuning.domain.strategies.outcomes import Direction, Outcome

SamplerKind = Literal["random", "tpe"]
DEFAULT_STARTUP_TRIALS = 10

optuna.logging.set_verbosity(optuna.logging.WARNING)  # a told trial would log one INFO line


def distribution_for(dimension: DimensionLike) -> BaseDistribution:
    """The Optuna distribution of one dimension."""
    if dimension.kind == "categorical":
        return CategoricalDistribution(list(dimension.choices or ()))
    low, high = dimension.low, dimension.high
    if low is None or high is None:
        raise ValueError(f"{dimension.name}: a numeric dimension needs low and high")
    step = dimension.step or None
    if dimension.log and step is not None:
        raise ValueError(f"{dimension.name}: a log range cannot have a step")
    if dimension.kind == "int":
        return IntDistribution(
            round(low), round(high), log=dimension.log, step=1 if step is None else round(step)
        )
    return FloatDistribution(float(low), float(high), log=dimension.log, step=step)


def _new_sampler(kind: SamplerKind, seed: int, startup_trials: int) -> optuna.samplers.BaseSampler:
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    with warnings.catch_warnings():  # `group` is marked experimental
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(
            seed=seed,
            n_startup_trials=startup_trials,
            multivariate=True,
            group=True,
            constant_liar=True,
        )


class OptunaSampler:
    """Random or TPE suggestions over `dimensions`, one direction per objective."""

    def __init__(
        self,
        dimensions: Sequence[DimensionLike],
        directions: Sequence[Direction],
        *,
        kind: SamplerKind = "tpe",
        seed: int = 0,
        startup_trials: int = DEFAULT_STARTUP_TRIALS,
    ) -> None:
        if not directions:
            raise ValueError("at least one objective direction is needed")
        self.dimensions = list(dimensions)
        self._distributions = {d.name: distribution_for(d) for d in self.dimensions}
        self.study = optuna.create_study(
            directions=list(directions), sampler=_new_sampler(kind, seed, startup_trials)
        )
        self._trials: dict[int, Trial] = {}

    @property
    def objectives(self) -> int:
        return len(self.study.directions)

    def suggest(self) -> tuple[int, Point]:
        trial = self.study.ask()
        point: Point = {}
        for dimension in self.dimensions:
            if is_active(dimension, point):
                point[dimension.name] = _suggest(trial, dimension, self._distributions)
        self._trials[trial.number] = trial
        return trial.number, point

    def report(self, token: int, outcome: Outcome) -> None:
        trial = self._trials.pop(token)
        if outcome.state == "complete" and len(outcome.values) == self.objectives:
            self.study.tell(trial, list(outcome.values))
        elif outcome.state == "pruned":
            if outcome.partial is not None and self.objectives == 1:
                trial.report(outcome.partial, outcome.progress)
            self.study.tell(trial, state=TrialState.PRUNED)
        else:
            self.study.tell(trial, state=TrialState.FAIL)

    def replay(self, point: Point, outcome: Outcome) -> bool:
        distributions = self._fitting_distributions(point)
        if distributions is None or outcome.state == "failed":
            return False
        params = {name: point[name] for name in distributions}
        if outcome.state == "complete":
            if len(outcome.values) != self.objectives:
                return False
            trial = create_trial(
                params=params, distributions=distributions, values=list(outcome.values)
            )
        else:
            partial = outcome.partial
            usable = partial is not None and math.isfinite(partial) and self.objectives == 1
            trial = create_trial(
                params=params,
                distributions=distributions,
                state=TrialState.PRUNED,
                intermediate_values=(
                    {outcome.progress: partial} if usable and partial is not None else {}
                ),
            )
        self.study.add_trial(trial)
        return True

    def _fitting_distributions(self, point: Point) -> dict[str, BaseDistribution] | None:
        """The active dimensions' distributions if `point` lies inside them, else None."""
        chosen: dict[str, BaseDistribution] = {}
        for dimension in self.dimensions:
            if not is_active(dimension, chosen_values(point, chosen)):
                continue
            distribution = self._distributions[dimension.name]
            value = point.get(dimension.name)
            if value is None or not _contains(distribution, value):
                return None
            chosen[dimension.name] = distribution
        return chosen


def chosen_values(point: Point, chosen: Mapping[str, BaseDistribution]) -> Point:
    return {name: point[name] for name in chosen}


def _contains(distribution: BaseDistribution, value: object) -> bool:
    if isinstance(distribution, CategoricalDistribution):
        return value in distribution.choices
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(distribution, IntDistribution) and value != round(value):
        return False
    assert isinstance(distribution, IntDistribution | FloatDistribution)
    return distribution.low <= value <= distribution.high


def _suggest(
    trial: Trial, dimension: DimensionLike, distributions: Mapping[str, BaseDistribution]
) -> float | int | str | bool:
    distribution = distributions[dimension.name]
    if isinstance(distribution, CategoricalDistribution):
        value = trial.suggest_categorical(dimension.name, distribution.choices)
        return value if isinstance(value, float | int | str | bool) else str(value)
    if isinstance(distribution, IntDistribution):
        return trial.suggest_int(
            dimension.name,
            distribution.low,
            distribution.high,
            step=distribution.step,
            log=distribution.log,
        )
    assert isinstance(distribution, FloatDistribution)
    return trial.suggest_float(
        dimension.name,
        distribution.low,
        distribution.high,
        step=distribution.step,
        log=distribution.log,
    )
