"""Random and Bayesian (TPE) search through Optuna's ask/tell interface (ADR 0013).

A fresh in-memory study per engine: our stored trials are the source of truth, and `replay`
rebuilds the sampler's state from them with `study.add_trial(create_trial(...))`, so a resumed
job continues the same search. TPE is multivariate (it models parameters jointly), grouped (a
conditional parameter gets its own model where it applies) and uses `constant_liar`, so points
asked while others are still running are not all drawn from the same spot. With several
objectives TPE becomes MOTPE and ranks trials by Pareto dominance.

Ranges are drawn continuously (on a log scale where the range is log) and then snapped onto
the dimension's step (`RangeDimension.snap`); points that snap (or clamp) to the same request
are merged by the engine. Choices are drawn as categories named by their JSON text, so any
JSON value (an object, a boolean) can be a choice.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, Trial, TrialState, create_trial

from benchstudio.tuning.domain.space import (
    ChoiceDimension,
    Dimension,
    Point,
    RangeDimension,
    SearchSpace,
    check_shape,
    is_active,
    ordered,
    value_key,
)
from benchstudio.tuning.domain.strategies.outcomes import Direction, Outcome

SamplerKind = Literal["random", "tpe"]
DEFAULT_STARTUP_TRIALS = 10

optuna.logging.set_verbosity(optuna.logging.WARNING)  # a told trial would log one INFO line


def distribution_for(dimension: Dimension) -> BaseDistribution:
    """The Optuna distribution a dimension is drawn from (before snapping to its step)."""
    if isinstance(dimension, ChoiceDimension):
        return CategoricalDistribution([value_key(choice) for choice in dimension.choices])
    log = dimension.scale == "log"
    if dimension.integer:
        return IntDistribution(round(dimension.low), round(dimension.high), log=log)
    return FloatDistribution(dimension.low, dimension.high, log=log)


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
    """Random or TPE suggestions over a search space, one direction per objective."""

    def __init__(
        self,
        space: SearchSpace,
        directions: Sequence[Direction],
        *,
        kind: SamplerKind = "tpe",
        seed: int = 0,
        startup_trials: int = DEFAULT_STARTUP_TRIALS,
    ) -> None:
        if not directions:
            raise ValueError("at least one objective direction is needed")
        check_shape(space)
        self.space = space
        self.order = ordered(space)
        self._distributions = {d.name: distribution_for(d) for d in self.order}
        self._choices = {
            d.name: {value_key(choice): choice for choice in d.choices}
            for d in self.order
            if isinstance(d, ChoiceDimension)
        }
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
        for dimension in self.order:
            if not is_active(dimension, point):
                continue
            name = dimension.name
            if isinstance(dimension, ChoiceDimension):
                drawn = trial.suggest_categorical(name, list(self._choices[name]))
                point[name] = self._choices[name][str(drawn)]
            else:
                point[name] = dimension.snap(self._draw(trial, dimension))
        self._trials[trial.number] = trial
        return trial.number, {n: point[n] for n in self.space.names() if n in point}

    def _draw(self, trial: Trial, dimension: RangeDimension) -> float:
        distribution = self._distributions[dimension.name]
        if isinstance(distribution, IntDistribution):
            return trial.suggest_int(
                dimension.name, distribution.low, distribution.high, log=distribution.log
            )
        return trial.suggest_float(
            dimension.name, dimension.low, dimension.high, log=dimension.scale == "log"
        )

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

    def enqueue(self, point: Point) -> bool:
        """Make `point` the next suggestion (False when it lies outside the space)."""
        params = self._params(point)
        if params is None:
            return False
        self.study.enqueue_trial(params)
        return True

    def replay(self, point: Point, outcome: Outcome) -> bool:
        params = self._params(point)
        if params is None or outcome.state == "failed":
            return False
        if outcome.state == "complete" and len(outcome.values) != self.objectives:
            return False
        self.study.add_trial(self._frozen(params, outcome))
        return True

    def _frozen(self, params: dict[str, Any], outcome: Outcome) -> FrozenTrial:
        distributions = {name: self._distributions[name] for name in params}
        if outcome.state == "complete":
            return create_trial(
                params=params, distributions=distributions, values=list(outcome.values)
            )
        partial = outcome.partial
        usable = partial is not None and math.isfinite(partial) and self.objectives == 1
        return create_trial(
            params=params,
            distributions=distributions,
            state=TrialState.PRUNED,
            intermediate_values=(
                {outcome.progress: partial} if usable and partial is not None else {}
            ),
        )

    def _params(self, point: Point) -> dict[str, Any] | None:
        """Optuna's params for a stored point (choices by their key), or None when the point
        does not lie in the space (another space, a changed range)."""
        params: dict[str, Any] = {}
        active: Point = {}
        for dimension in self.order:
            if not is_active(dimension, active):
                continue
            name = dimension.name
            if name not in point:
                return None
            value = point[name]
            if isinstance(dimension, ChoiceDimension):
                key = value_key(value)
                if key not in self._choices[name]:
                    return None
                params[name] = key
            else:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    return None
                if not dimension.low <= value <= dimension.high:
                    return None
                params[name] = round(value) if dimension.integer else float(value)
            active[name] = value
        return params
