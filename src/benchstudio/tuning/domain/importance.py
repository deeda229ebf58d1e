"""Which parameters matter: PED-ANOVA importance over a study's finished trials (ADR 0013).

The trials (points and quality scores, as stored) are replayed into a throwaway Optuna study
over the search space, whatever strategy produced them (a grid too), and Optuna's
`PedAnovaImportanceEvaluator` says how much each parameter separates the top trials (the best
10% by default) from all of them. Importances add up to 1. With fewer than MIN_TRIALS
complete trials, or when every trial scored the same, there is nothing to explain: {}.
"""

from __future__ import annotations

from collections.abc import Iterable

import optuna

from benchstudio.tuning.domain.space import SearchSpace
from benchstudio.tuning.domain.strategies import Direction, FinishedTrial, Outcome
from benchstudio.tuning.domain.strategies.optuna_sampler import OptunaSampler

MIN_TRIALS = 10


def parameter_importance(
    space: SearchSpace,
    finished: Iterable[FinishedTrial],
    direction: Direction = "maximize",
    *,
    objective: int = 0,
) -> dict[str, float]:
    """Importance of each parameter for objective number `objective` (the quality score in a
    multi-objective study), most important first."""
    sampler = OptunaSampler(space, [direction], kind="random")
    values: set[float] = set()
    for trial in finished:
        outcome = trial.outcome
        if outcome.state != "complete" or len(outcome.values) <= objective:
            continue
        value = outcome.values[objective]
        if sampler.replay(trial.point, Outcome.complete(value)):
            values.add(value)
    complete = sampler.study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    if len(complete) < MIN_TRIALS or len(values) < 2:
        return {}
    evaluator = optuna.importance.PedAnovaImportanceEvaluator()
    found = optuna.importance.get_param_importances(sampler.study, evaluator=evaluator)
    return {name: float(share) for name, share in found.items()}


def importance_report(
    space: SearchSpace, finished: Iterable[FinishedTrial]
) -> tuple[dict[str, float], str | None]:
    """Importance over the complete trials whose points lie in the space (baselines such as
    the provider-default point do not), or, when there is none, why in words: one rule and
    one wording for the API, the web page and the CLI."""
    if len(space.dimensions) < 2:
        return {}, "Importance compares parameters: this run searches only one."
    sampler = OptunaSampler(space, ["maximize"], kind="random")
    scores: set[float] = set()
    in_space = 0
    for trial in finished:
        outcome = trial.outcome
        if outcome.state != "complete" or not outcome.values:
            continue
        if sampler.replay(trial.point, Outcome.complete(outcome.values[0])):
            in_space += 1
            scores.add(outcome.values[0])
    if in_space < MIN_TRIALS:
        return {}, (
            f"Importance needs at least {MIN_TRIALS} complete trials in the search space "
            f"({in_space} so far; baselines do not count)."
        )
    if len(scores) < 2:
        return {}, "Every trial scored the same: no parameter explains a difference."
    evaluator = optuna.importance.PedAnovaImportanceEvaluator()
    found = optuna.importance.get_param_importances(sampler.study, evaluator=evaluator)
    return {name: float(share) for name, share in found.items()}, None
