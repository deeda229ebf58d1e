"""Search strategies behind ask/tell: grid, random, TPE, multi-objective; dedup and resume."""

from __future__ import annotations

import json
import statistics

import pytest
from search_space_fixtures import CONTINUOUS, OPTIMUM, PLANE, TEMPERATURE, peaked, space

from benchstudio.providers.params import resolve_params
from benchstudio.tuning.domain.importance import parameter_importance
from benchstudio.tuning.domain.space import (
    ChoiceDimension,
    Condition,
    Point,
    RangeDimension,
    SearchSpace,
    SpaceError,
)
from benchstudio.tuning.domain.space_grid import iter_grid
from benchstudio.tuning.domain.strategies import (
    FinishedTrial,
    Outcome,
    Strategy,
    StrategySpec,
    build_strategy,
    registry_canonical,
)
from benchstudio.tuning.service import check_space, provider_rules


def _run(strategy: Strategy, trials: int, batch: int = 1) -> list[tuple[Point, float]]:
    seen: list[tuple[Point, float]] = []
    while len(seen) < trials:
        asked = strategy.ask(min(batch, trials - len(seen)))
        if not asked:
            break
        for item in asked:
            value = peaked(item.point)
            strategy.tell(item.trial_id, Outcome.complete(value))
            seen.append((item.point, value))
    return seen


def test_grid_on_a_noiseless_2d_surface_hits_the_exact_optimum() -> None:
    strategy = build_strategy(StrategySpec(kind="grid"), PLANE)
    seen = _run(strategy, 10_000, batch=7)
    assert len(seen) == 21 * 21 and strategy.exhausted
    best_point, best_value = max(seen, key=lambda pair: pair[1])
    assert best_point == OPTIMUM
    assert best_value == pytest.approx(0.95, abs=1e-12)


def test_conditional_dimensions_appear_only_where_they_apply() -> None:
    mode = ChoiceDimension("mode", ("think", "plain"))
    effort = ChoiceDimension("effort", ("low", "high"), Condition("mode", ("think",)))
    conditional = SearchSpace((mode, effort, RangeDimension("temperature", 0.0, 1.0)))
    for kind in ("random", "tpe"):
        strategy = build_strategy(StrategySpec(kind=kind, seed=1), conditional)
        for item in strategy.ask(30):
            assert ("effort" in item.point) == (item.point["mode"] == "think")
            strategy.tell(item.trial_id, Outcome.complete(float(item.point["temperature"])))
    grid = build_strategy(StrategySpec(kind="grid"), SearchSpace((mode, effort)))
    assert [item.point for item in grid.ask(10)] == [
        {"mode": "think", "effort": "low"},
        {"mode": "think", "effort": "high"},
        {"mode": "plain"},
    ]


def test_choices_may_be_any_json_value() -> None:
    formats = ChoiceDimension("response_format", ({"type": "text"}, {"type": "json_object"}))
    choices = SearchSpace((formats, ChoiceDimension("parallel_tool_calls", (True, False))))
    strategy = build_strategy(StrategySpec(kind="tpe", seed=3), choices)
    seen = {json.dumps(item.point, sort_keys=True) for item in strategy.ask(12)}
    assert {json.loads(text)["response_format"]["type"] for text in seen} == {"text", "json_object"}
    assert strategy.merged > 0  # only four distinct points exist


def test_a_sampled_grid_draws_without_replacement_in_a_seeded_order() -> None:
    def drawn(seed: int) -> list[str]:
        spec = StrategySpec(kind="grid", grid_sample=30, seed=seed)
        strategy = build_strategy(spec, PLANE)
        return [json.dumps(p, sort_keys=True) for p, _ in _run(strategy, 100)]

    first = drawn(1)
    full = {json.dumps(p, sort_keys=True) for p in iter_grid(PLANE)}
    assert len(first) == len(set(first)) == 30 and set(first) <= full
    assert drawn(1) == first and drawn(2) != first


def test_random_search_is_seeded_and_respects_ranges_and_steps() -> None:
    dims = SearchSpace((TEMPERATURE, RangeDimension("top_k", 1, 256, scale="log", integer=True)))

    def points(seed: int) -> list[Point]:
        strategy = build_strategy(StrategySpec(kind="random", seed=seed), dims)
        return [item.point for item in strategy.ask(20)]

    first = points(3)
    assert first == points(3) and first != points(4)
    for point in first:
        temperature = float(point["temperature"])
        assert 0 <= temperature <= 2 and round(temperature * 10, 9) == round(temperature * 10)
        assert isinstance(point["top_k"], int) and 1 <= point["top_k"] <= 256


def test_tpe_concentrates_near_the_optimum_after_its_startup() -> None:
    strategy = build_strategy(StrategySpec(kind="tpe", seed=5), CONTINUOUS)
    values = [value for _, value in _run(strategy, 40, batch=2)]
    assert max(values) >= 0.94
    assert statistics.median(values[25:]) > statistics.median(values[:10]) + 0.1


def test_constant_liar_spreads_a_parallel_batch() -> None:
    strategy = build_strategy(
        StrategySpec(kind="tpe", seed=1, startup_trials=5), space(TEMPERATURE)
    )
    _run(strategy, 12)
    batch = strategy.ask(4)
    assert len({item.fingerprint for item in batch}) == 4


def test_multi_objective_tells_several_values_and_keeps_a_pareto_front() -> None:
    strategy = build_strategy(
        StrategySpec(kind="tpe", seed=2), CONTINUOUS, ("maximize", "minimize")
    )
    for _ in range(25):
        (item,) = strategy.ask(1)
        latency = 100 + 50 * float(item.point["top_p"])  # quality and latency pull apart
        strategy.tell(item.trial_id, Outcome.complete(peaked(item.point), latency))
    sampler = strategy._sampler
    front = sampler.study.best_trials  # type: ignore[attr-defined]
    assert len(front) >= 2
    for trial in front:
        dominated = [
            other
            for other in front
            if other.values[0] >= trial.values[0]
            and other.values[1] <= trial.values[1]
            and other.values != trial.values
        ]
        assert not dominated


def _clamped(point: Point) -> tuple[Point, str]:
    """Like a registry whose temperature maximum is 1: hotter points clamp to 1."""
    effective = {**point, "temperature": min(1.0, float(point["temperature"]))}
    return effective, json.dumps(effective, sort_keys=True)


def test_points_identical_after_clamping_are_merged_and_told_the_earlier_result() -> None:
    dims = space(RangeDimension("temperature", 0.0, 2.0, step=0.5))
    strategy = build_strategy(StrategySpec(kind="grid"), dims, canonical=_clamped)
    asked = strategy.ask(10)
    # 0, 0.5 and 1.0 are evaluated; 1.5 and 2.0 clamp to 1.0, which is still running.
    assert [item.effective["temperature"] for item in asked] == [0.0, 0.5, 1.0]
    assert strategy.merged == 2 and strategy.exhausted
    for item in asked:
        strategy.tell(item.trial_id, Outcome.complete(float(item.effective["temperature"])))
    assert strategy.running == 0


def test_merged_points_reach_the_sampler_with_the_earlier_result() -> None:
    dims = space(RangeDimension("temperature", 0.0, 2.0))
    strategy = build_strategy(StrategySpec(kind="random", seed=4), dims, canonical=_clamped)
    evaluated = 0
    while evaluated < 10:
        for item in strategy.ask(1):
            strategy.tell(item.trial_id, Outcome.complete(1.0 - abs(0.5 - evaluated / 10)))
            evaluated += 1
    study = strategy._sampler.study  # type: ignore[attr-defined]
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    assert strategy.merged >= 1  # about half of [0, 2] clamps to 1.0
    assert len(complete) == evaluated + strategy.merged
    clamped = [t for t in complete if t.params["temperature"] >= 1.0]
    assert len({t.values[0] for t in clamped}) == 1  # all told the one evaluated result


def test_repeats_when_asked_evaluate_duplicates_again() -> None:
    dims = space(RangeDimension("temperature", 0.0, 2.0, step=0.5))
    spec = StrategySpec(kind="grid", reevaluate_duplicates=True)
    strategy = build_strategy(spec, dims, canonical=_clamped)
    assert len(strategy.ask(10)) == 5 and strategy.merged == 0


def test_resume_feeds_stored_trials_and_continues_without_redoing_them() -> None:
    dims = CONTINUOUS
    first = build_strategy(StrategySpec(kind="tpe", seed=9), dims)
    stored = [FinishedTrial(point, Outcome.complete(value)) for point, value in _run(first, 15)]
    stored.append(FinishedTrial({"temperature": 0.1, "top_p": 0.1}, Outcome.pruned(0.2, 3)))
    stored.append(FinishedTrial({"temperature": 0.2, "top_p": 0.1}, Outcome.failed()))
    stored.append(FinishedTrial({"temperature": 9.0, "top_p": 0.1}, Outcome.complete(0.5)))

    resumed = build_strategy(StrategySpec(kind="tpe", seed=9), dims)
    assert resumed.resume(stored) == 16  # the failed and the out-of-range one do not fit
    study = resumed._sampler.study  # type: ignore[attr-defined]
    assert len(study.trials) == 16
    assert study.best_value == max(trial.outcome.values[0] for trial in stored[:15])
    more = _run(resumed, 10)
    assert len(study.trials) >= 26
    known = {json.dumps(t.point, sort_keys=True) for t in stored[:16]}
    assert all(json.dumps(p, sort_keys=True) not in known for p, _ in more)


def test_a_resumed_grid_skips_finished_points_and_retries_failed_ones() -> None:
    dims = space(RangeDimension("temperature", 0.0, 1.0, step=0.5))
    strategy = build_strategy(StrategySpec(kind="grid"), dims)
    strategy.resume(
        [
            FinishedTrial({"temperature": 0.0}, Outcome.complete(0.4)),
            FinishedTrial({"temperature": 0.5}, Outcome.failed()),
        ]
    )
    assert [item.point for item in strategy.ask(5)] == [{"temperature": 0.5}, {"temperature": 1.0}]


def test_pruned_and_failed_trials_are_told_to_the_sampler() -> None:
    strategy = build_strategy(StrategySpec(kind="tpe", seed=0), space(TEMPERATURE))
    first, second, third = strategy.ask(3)
    strategy.tell(first.trial_id, Outcome.pruned(0.25, 4))
    strategy.tell(second.trial_id, Outcome.failed())
    strategy.tell(third.trial_id, Outcome.complete(float("nan")))  # not a usable value
    study = strategy._sampler.study  # type: ignore[attr-defined]
    assert [t.state.name for t in study.trials] == ["PRUNED", "FAIL", "FAIL"]
    assert study.trials[0].intermediate_values == {4: 0.25}
    with pytest.raises(KeyError):
        strategy.tell(first.trial_id, Outcome.complete(1.0))


def test_bad_spaces_are_refused() -> None:
    with pytest.raises(SpaceError, match="at least one parameter"):
        build_strategy(StrategySpec(kind="tpe"), SearchSpace(()))
    with pytest.raises(SpaceError, match="impossible range"):
        build_strategy(StrategySpec(kind="random"), space(RangeDimension("x", 2, 1)))
    with pytest.raises(SpaceError, match="needs a step"):
        build_strategy(StrategySpec(kind="grid"), CONTINUOUS)
    with pytest.raises(SpaceError, match="at least one point"):
        build_strategy(StrategySpec(kind="grid", grid_sample=0), PLANE)


def test_registry_canonical_fingerprints_what_the_provider_is_sent() -> None:
    searched = SearchSpace(
        (
            RangeDimension("temperature", 0.0, 3.0, step=0.5),  # clamped to the range 0..2
            RangeDimension("top_k", 1, 64, step=2.0, scale="log", integer=True),
        )
    )
    validated = check_space(searched, "vllm", "Qwen/Qwen3-8B")
    rules = provider_rules("vllm", "Qwen/Qwen3-8B")
    canonical = registry_canonical(validated, rules, base={"max_tokens": 256})
    strategy = build_strategy(StrategySpec(kind="grid"), validated.space, canonical=canonical)
    assert validated.space.names() == ["temperature", "top_k"]
    asked = strategy.ask(100)
    assert len(asked) == 5 * 7 and strategy.exhausted
    for item in asked:
        expected = resolve_params("vllm", "Qwen/Qwen3-8B", {"max_tokens": 256, **item.point})
        assert item.effective == expected.params
        assert item.fingerprint == expected.fingerprint()
    assert len({item.fingerprint for item in asked}) == len(asked)


def test_parameter_importance_names_the_parameter_that_moves_the_score() -> None:
    strategy = build_strategy(StrategySpec(kind="random", seed=11), CONTINUOUS)
    finished = []
    for item in strategy.ask(60):
        value = 1.0 - (float(item.point["temperature"]) - 0.3) ** 2  # top_p does nothing
        finished.append(FinishedTrial(item.point, Outcome.complete(value, 100.0)))
    importance = parameter_importance(CONTINUOUS, finished)
    assert list(importance) == ["temperature", "top_p"]
    assert importance["temperature"] > 0.8 and sum(importance.values()) == pytest.approx(1.0)
    assert parameter_importance(CONTINUOUS, finished[:5]) == {}
    flat = [FinishedTrial(t.point, Outcome.complete(0.5)) for t in finished]
    assert parameter_importance(CONTINUOUS, flat) == {}


def test_a_preset_point_is_evaluated_first_and_only_once() -> None:
    preset = {"temperature": 0.7, "top_p": 0.8}
    tpe = build_strategy(StrategySpec(kind="tpe", seed=1), CONTINUOUS)
    assert tpe.enqueue(preset)
    assert not tpe.enqueue({"temperature": 7.0, "top_p": 0.8})  # outside the space
    first, *rest = tpe.ask(3)
    assert first.point == preset and all(item.point != preset for item in rest)

    grid = build_strategy(StrategySpec(kind="grid"), PLANE)
    assert grid.enqueue(preset) and not grid.enqueue({"temperature": 0.75, "top_p": 0.8})
    seen = [point for point, _ in _run(grid, 10_000)]
    assert seen[0] == preset and seen.count(preset) == 1 and len(seen) == 21 * 21


def test_a_sampled_grid_over_too_many_points_is_refused_clearly() -> None:
    fine = SearchSpace(
        tuple(RangeDimension(name, 0.0, 1.0, step=0.05) for name in ("a", "b", "c", "d"))
    )
    with pytest.raises(SpaceError, match="sampled grid draws from at most"):
        build_strategy(StrategySpec(kind="grid", grid_sample=10), fine)


def test_resume_skips_points_the_space_no_longer_knows() -> None:
    validated = check_space(SearchSpace((TEMPERATURE,)), "vllm", "Qwen/Qwen3-8B")
    canonical = registry_canonical(validated, provider_rules("vllm", "Qwen/Qwen3-8B"))
    strategy = build_strategy(StrategySpec(kind="tpe"), validated.space, canonical=canonical)
    stored = [
        FinishedTrial({"temperature": 0.5, "top_k": 40}, Outcome.complete(0.9)),
        FinishedTrial({"temperature": 0.5}, Outcome.complete(0.8)),
    ]
    assert strategy.resume(stored) == 2  # Optuna takes the known parameters of both
    assert strategy.enqueue({"temperature": 0.5})
    assert strategy.ask(1)[0].point != {"temperature": 0.5}  # merged with the stored trial
    assert strategy.merged == 1


def test_importance_report_counts_only_trials_in_the_space() -> None:
    from benchstudio.tuning.domain.importance import importance_report
    from benchstudio.tuning.domain.space import ChoiceDimension, SearchSpace
    from benchstudio.tuning.domain.strategies import FinishedTrial, Outcome

    space = SearchSpace((ChoiceDimension("a", (0, 1, 2, 3)), ChoiceDimension("b", (0, 1, 2))))
    grid = [{"a": a, "b": b} for a in range(4) for b in range(3)]
    baseline = FinishedTrial({}, Outcome.complete(0.9))
    nine = [FinishedTrial(p, Outcome.complete(p["a"] / 4)) for p in grid[:9]]
    found, note = importance_report(space, [baseline, *nine])
    assert found == {} and note is not None and "(9 so far; baselines do not count)" in note
    twelve = [FinishedTrial(p, Outcome.complete(p["a"] / 4)) for p in grid]
    found, note = importance_report(space, [baseline, *twelve])
    assert note is None and max(found, key=lambda name: found[name]) == "a"
    flat = [FinishedTrial(p, Outcome.complete(0.5)) for p in grid]
    found, note = importance_report(space, flat)
    assert found == {} and note is not None and note.startswith("Every trial scored the same")
