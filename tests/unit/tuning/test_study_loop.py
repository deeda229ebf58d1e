"""The study loop against a fake evaluator: baselines, budgets, early stop, pruning, merges,
concurrency, failures and seeds."""

from __future__ import annotations

import asyncio
import threading

import pytest
from study_loop_fakes import BASELINES, COARSE, FakeEvaluator, RecordingSink, make_plan

from benchstudio.tuning.domain.objective import ObjectiveSpec
from benchstudio.tuning.domain.space import RangeDimension, SearchSpace
from benchstudio.tuning.domain.space_grid import grid_count
from benchstudio.tuning.domain.strategies import Asked, Outcome, Strategy, StrategySpec
from benchstudio.tuning.domain.study_state import StoppingRules
from benchstudio.tuning.service.study_loop import run_study
from benchstudio.tuning.service.study_types import StudyBudget, StudyPlan


async def _run(
    plan: StudyPlan, evaluator: FakeEvaluator | None = None, **kwargs: object
) -> tuple[object, FakeEvaluator, RecordingSink]:
    evaluator = evaluator or FakeEvaluator(cases=plan.cases)
    sink = RecordingSink()
    outcome = await run_study(plan, evaluator, sink, **kwargs)  # type: ignore[arg-type]
    return outcome, evaluator, sink


async def test_baselines_run_first_and_once_and_the_vendor_point_merges_with_its_baseline() -> None:
    plan = make_plan(baselines=BASELINES, concurrency=3)
    evaluator, sink = FakeEvaluator(), RecordingSink()
    outcome = await run_study(plan, evaluator, sink)
    kinds = [request.kind for request in evaluator.started]
    assert kinds[:2] == ["baseline_default", "baseline_preset"]
    assert kinds.count("baseline_default") == 1 and kinds.count("baseline_preset") == 1
    # No search trial starts before both baselines finished.
    first_search = sink.events.index(("started", 2))
    assert {("finished", 0), ("finished", 1)} <= set(sink.events[:first_search])
    assert evaluator.started[0].effective == {} and evaluator.started[0].point == {}
    assert evaluator.started[1].effective == {"temperature": 0.25, "top_p": 0.8}
    # The vendor point lies on the grid and sends the baseline's request: it merges.
    assert outcome.merged_points == 1
    searched = [t.point for t in outcome.trials if t.kind == "search"]
    assert BASELINES[1].point not in searched
    assert len(searched) == grid_count(COARSE) - 1
    assert outcome.stop_reason == "space_exhausted"
    assert [t.number for t in outcome.trials] == list(range(len(outcome.trials)))
    assert sorted(sink.finished, key=lambda t: t.number) == outcome.trials


async def test_a_grid_finds_the_best_region_of_the_surface() -> None:
    outcome, _, sink = await _run(make_plan(cases=20))
    best = max(outcome.trials, key=lambda t: t.score.score if t.score else -1.0)
    assert best.point == {"temperature": 0.25, "top_p": 0.8}
    assert best.score is not None and best.score.score == pytest.approx(0.95)
    assert best.score.score_ci95 is not None
    assert sink.progress_seen[-1].best_number == best.number
    assert sink.progress_seen[-1].best_score == pytest.approx(0.95)
    assert sink.progress_seen[-1].trials_done == grid_count(COARSE)
    assert sink.progress_seen[-1].planned_trials == grid_count(COARSE)


async def test_max_trials_counts_the_baselines() -> None:
    plan = make_plan(baselines=BASELINES, budget=StudyBudget(max_trials=5), concurrency=2)
    outcome, evaluator, _ = await _run(plan)
    assert outcome.stop_reason == "max_trials"
    assert len(outcome.trials) == len(evaluator.started) == 5
    assert [t.kind for t in outcome.trials].count("search") == 3


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_max_calls_is_never_exceeded_and_the_last_trial_stops_mid_way(
    concurrency: int,
) -> None:
    plan = make_plan(budget=StudyBudget(max_trials=100, max_calls=45), concurrency=concurrency)
    outcome, _, _ = await _run(plan)
    assert outcome.stop_reason == "max_calls"
    assert outcome.calls_used == sum(t.calls for t in outcome.trials) == 45
    stopped = [t for t in outcome.trials if t.state == "pruned"]
    assert stopped and all(t.partial is not None and t.score is not None for t in stopped)
    assert sum(t.state == "complete" for t in outcome.trials) == 4


async def test_max_cost_is_never_exceeded() -> None:
    plan = make_plan(budget=StudyBudget(max_trials=100, max_cost_usd=0.35), concurrency=2)
    outcome, _, _ = await _run(plan, FakeEvaluator(cost_per_call=0.01))
    assert outcome.stop_reason == "max_cost"
    assert outcome.cost_usd == pytest.approx(0.35)
    assert outcome.cost_usd == pytest.approx(sum(t.cost_usd for t in outcome.trials))
    assert [t.state for t in outcome.trials] == ["complete"] * 3 + ["pruned"]
    last = outcome.trials[-1]
    assert last.score is not None and last.score.cases == 5


async def test_max_wall_stops_running_trials_at_their_next_case() -> None:
    now = [0.0]

    def tick(_request: object) -> None:
        now[0] += 1.0  # every case takes one second

    plan = make_plan(budget=StudyBudget(max_trials=100, max_wall_s=25.0))
    outcome, _, _ = await _run(plan, FakeEvaluator(on_case=tick), clock=lambda: now[0])
    assert outcome.stop_reason == "max_wall"
    assert [t.state for t in outcome.trials] == ["complete", "complete", "pruned"]
    assert outcome.trials[-1].score is not None and outcome.trials[-1].score.cases == 5
    assert outcome.trials[-1].partial is not None


async def test_early_stop_after_patience_trials_without_improvement() -> None:
    plan = make_plan(baselines=BASELINES[:1], stopping=StoppingRules(patience=3, prune=False))
    outcome, _, _ = await _run(plan)
    scores = [t.score.score for t in outcome.trials if t.score]
    # Baseline 0.5 sets the bar; the grid: 0.4 (one step), 0.7 and 0.9 (better), then three
    # not above 0.9.
    assert scores[:4] == pytest.approx([0.5, 0.4, 0.7, 0.9])
    assert outcome.stop_reason == "early_stop"
    assert len(outcome.trials) == 1 + 3 + 3


async def test_a_baseline_never_counts_towards_patience() -> None:
    plan = make_plan(baselines=BASELINES, stopping=StoppingRules(patience=1, prune=False))
    outcome, _, _ = await _run(plan)
    # The vendor baseline (0.9) beats nothing searched; the first search trial (0.6) is the
    # one step without improvement.
    assert [t.kind for t in outcome.trials] == ["baseline_default", "baseline_preset", "search"]
    assert outcome.stop_reason == "early_stop"


async def test_pruned_trials_keep_their_partial_score_and_cases() -> None:
    plan = make_plan(baselines=BASELINES, stopping=StoppingRules(prune=True))
    outcome, _, _ = await _run(plan)
    pruned = [t for t in outcome.trials if t.state == "pruned"]
    assert pruned and all(t.kind == "search" for t in pruned)
    best = max(t.score.score for t in outcome.trials if t.state == "complete" and t.score)
    for trial in pruned:
        cases = [case.score for repeat in trial.repeats for case in repeat]
        assert 0 < len(cases) < 10 and trial.calls == len(cases)
        assert trial.partial == pytest.approx(sum(cases) / len(cases))
        # Pruned because the rest could not lift it to the best.
        assert (sum(cases) + 10 - len(cases)) / 10 < best
    assert outcome.calls_used < 10 * len(outcome.trials)


async def test_a_multi_objective_study_tells_every_value_and_never_prunes() -> None:
    objective = ObjectiveSpec(minimize=("latency", "cost"))
    plan = make_plan(objective=objective, stopping=StoppingRules(prune=True))
    outcome, _, _ = await _run(plan, FakeEvaluator(cost_per_call=0.001))
    assert all(t.state == "complete" for t in outcome.trials)
    assert all(len(t.values) == 3 for t in outcome.trials)
    assert outcome.trials[0].values[1:] == pytest.approx((104.5, 0.01))


async def test_points_sending_the_same_request_merge_on_a_coarse_grid() -> None:
    # With temperature fixed by the target, Anthropic drops top_p: three points, one request.
    space = SearchSpace(
        (
            RangeDimension("top_p", 0.8, 1.0, step=0.1),
            RangeDimension("top_k", 10, 20, step=10, integer=True),
        )
    )
    plan = make_plan(
        space,
        provider="anthropic",
        model="claude-haiku-4-5",
        base_params={"temperature": 0.3},
    )
    outcome, evaluator, sink = await _run(plan)
    assert len(evaluator.started) == 2  # one per top_k value
    assert outcome.merged_points == 4
    assert sink.progress_seen[-1].merged_points == 4
    assert {t.fingerprint for t in outcome.trials} == {r.fingerprint for r in evaluator.started}


async def test_concurrency_never_exceeds_the_plan() -> None:
    plan = make_plan(baselines=BASELINES, concurrency=3)
    outcome, evaluator, sink = await _run(plan, FakeEvaluator(delay=0.001))
    assert evaluator.most_in_flight == 3
    assert max(p.trials_running for p in sink.progress_seen) <= 3
    assert outcome.stop_reason == "space_exhausted"


async def test_failed_trials_are_kept_as_failed_and_the_study_goes_on() -> None:
    evaluator = FakeEvaluator(fail_when=lambda point: point.get("temperature") == 0.5)
    outcome, _, _ = await _run(make_plan(), evaluator)
    failed = [t for t in outcome.trials if t.state == "failed"]
    assert len(failed) == 5 and all(t.score is None and t.error for t in failed)
    assert outcome.stop_reason == "space_exhausted"
    assert len(outcome.trials) == grid_count(COARSE)


async def test_each_repeat_gets_a_fixed_seed_of_its_own() -> None:
    plan = make_plan(repeats=3, budget=StudyBudget(max_trials=4))
    _, first, _ = await _run(plan)
    _, second, _ = await _run(plan)
    seeds = [request.seeds for request in first.started]
    assert seeds == [request.seeds for request in second.started]
    assert all(len(set(s)) == 3 for s in seeds)
    assert len({seed for s in seeds for seed in s}) == 12
    assert all(0 <= seed < 2**31 for s in seeds for seed in s)


async def test_tpe_asks_and_tells_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: set[str] = set()
    ask, tell = Strategy.ask, Strategy.tell

    def spy_ask(self: Strategy, count: int) -> list[Asked]:
        threads.add(threading.current_thread().name)
        return ask(self, count)

    def spy_tell(self: Strategy, trial_id: int, outcome: Outcome) -> None:
        threads.add(threading.current_thread().name)
        tell(self, trial_id, outcome)

    monkeypatch.setattr(Strategy, "ask", spy_ask)
    monkeypatch.setattr(Strategy, "tell", spy_tell)
    plan = make_plan(
        strategy=StrategySpec(kind="tpe", seed=3, startup_trials=4),
        budget=StudyBudget(max_trials=12),
        concurrency=2,
    )
    outcome, _, _ = await _run(plan)
    assert outcome.stop_reason == "max_trials" and len(outcome.trials) == 12
    assert len({t.fingerprint for t in outcome.trials}) == 12
    assert threads and threading.main_thread().name not in threads


async def test_an_evaluator_error_ends_the_study_and_cancels_running_trials() -> None:
    class Broken(FakeEvaluator):
        async def evaluate(self, request, prune):  # type: ignore[no-untyped-def]
            if request.number == 1:
                raise RuntimeError("database gone")
            await asyncio.sleep(10)
            raise AssertionError("not cancelled")

    with pytest.raises(RuntimeError, match="database gone"):
        await _run(make_plan(concurrency=2), Broken())
