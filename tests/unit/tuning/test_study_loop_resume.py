"""Cancelling and resuming a study: finished trials are kept, numbering and the search
continue, baselines and finished points are not run again."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from study_loop_fakes import BASELINES, COARSE, FakeEvaluator, RecordingSink, make_plan, resumed

from benchstudio.tuning.domain.space_grid import grid_count, iter_grid
from benchstudio.tuning.domain.strategies import FinishedTrial, Strategy, StrategySpec
from benchstudio.tuning.service.study_loop import run_study
from benchstudio.tuning.service.study_types import StudyBudget, TrialRequest


async def test_a_resumed_grid_continues_numbering_and_skips_what_ran() -> None:
    plan = make_plan(baselines=BASELINES, budget=StudyBudget(max_trials=8), concurrency=2)
    first = await run_study(plan, FakeEvaluator(), RecordingSink())
    assert first.stop_reason == "max_trials" and len(first.trials) == 8
    evaluator = FakeEvaluator()
    second = await run_study(
        resumed(plan, first, budget=StudyBudget(max_trials=100)), evaluator, RecordingSink()
    )
    assert [r.number for r in evaluator.started] == list(range(8, 8 + len(evaluator.started)))
    assert all(r.kind == "search" for r in evaluator.started)
    done_before = {t.fingerprint for t in first.trials}
    assert not done_before & {r.fingerprint for r in evaluator.started}
    assert second.stop_reason == "space_exhausted"
    assert [t.number for t in second.trials] == list(range(len(second.trials)))
    searched = sorted(str(t.point) for t in second.trials if t.kind == "search")
    on_grid = sorted(str(p) for p in iter_grid(COARSE) if p != BASELINES[1].point)
    assert searched == on_grid
    assert second.merged_points == 1  # the vendor point, merged once in all
    assert second.calls_used == sum(t.calls for t in second.trials) == 10 * len(second.trials)


async def test_a_resumed_tpe_study_is_told_the_stored_trials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    told: list[list[FinishedTrial]] = []
    resume = Strategy.resume

    def spy(self: Strategy, finished: list[FinishedTrial]) -> int:
        told.append(list(finished))
        return resume(self, finished)

    monkeypatch.setattr(Strategy, "resume", spy)
    plan = make_plan(
        strategy=StrategySpec(kind="tpe", seed=5, startup_trials=3),
        budget=StudyBudget(max_trials=6),
        baselines=BASELINES[:1],
    )
    first = await run_study(plan, FakeEvaluator(), RecordingSink())
    assert not told  # nothing stored yet: nothing to replay
    evaluator = FakeEvaluator()
    second = await run_study(
        resumed(plan, first, budget=StudyBudget(max_trials=10)), evaluator, RecordingSink()
    )
    searched = [t for t in first.trials if t.kind == "search"]
    assert [(f.point, f.outcome.values) for f in told[0]] == [(t.point, t.values) for t in searched]
    assert all(f.outcome.state == "complete" for f in told[0])
    assert len(second.trials) == 10 and second.stop_reason == "max_trials"
    assert [r.number for r in evaluator.started] == [6, 7, 8, 9]
    assert not {t.fingerprint for t in first.trials} & {r.fingerprint for r in evaluator.started}


async def test_cancel_keeps_finished_trials_and_the_running_one_as_pruned() -> None:
    cancel = asyncio.Event()
    cases = 0

    def count(_request: TrialRequest) -> None:
        nonlocal cases
        cases += 1
        if cases == 25:
            cancel.set()

    plan = make_plan(baselines=BASELINES)
    sink = RecordingSink()
    outcome = await run_study(plan, FakeEvaluator(on_case=count), sink, cancel=cancel)
    assert outcome.stop_reason == "cancelled"
    assert [t.state for t in outcome.trials] == ["complete", "complete", "pruned"]
    stopped = outcome.trials[-1]
    assert stopped.score is not None and stopped.score.cases == 5 and stopped.partial is not None
    assert sink.finished == outcome.trials

    evaluator = FakeEvaluator()
    again = await run_study(resumed(plan, outcome), evaluator, RecordingSink())
    assert evaluator.started[0].number == 3 and evaluator.started[0].kind == "search"
    assert stopped.fingerprint not in {r.fingerprint for r in evaluator.started}
    assert again.stop_reason == "space_exhausted"
    assert len(again.trials) == 2 + grid_count(COARSE) - 1


async def test_a_trial_cancelled_before_its_first_case_runs_again_on_resume() -> None:
    cancel = asyncio.Event()

    def cancel_at_first_case(request: TrialRequest) -> None:
        if request.number == 0:
            cancel.set()

    plan = make_plan(concurrency=2)
    evaluator = FakeEvaluator(on_case=cancel_at_first_case, cancel=cancel)
    outcome = await run_study(plan, evaluator, RecordingSink(), cancel=cancel)
    assert outcome.stop_reason == "cancelled"
    kept, empty = outcome.trials
    assert kept.state == "pruned" and kept.score is not None and kept.score.cases == 1
    assert empty.state == "pruned" and empty.score is None and empty.partial is None
    assert empty.error == "stopped before its first case"

    evaluator = FakeEvaluator()
    again = await run_study(resumed(plan, outcome), evaluator, RecordingSink())
    assert evaluator.started[0].number == 2
    assert evaluator.started[0].point == empty.point  # run again first
    assert kept.point not in [r.point for r in evaluator.started]
    assert sum(t.point == empty.point for t in again.trials) == 2
    assert len([t for t in again.trials if t.score is not None]) == grid_count(COARSE)


async def test_a_cancel_before_the_start_runs_nothing() -> None:
    cancel = asyncio.Event()
    cancel.set()
    evaluator = FakeEvaluator()
    outcome = await run_study(
        make_plan(baselines=BASELINES), evaluator, RecordingSink(), cancel=cancel
    )
    assert outcome.stop_reason == "cancelled" and outcome.trials == []
    assert evaluator.started == []


async def test_stored_baselines_are_not_run_again() -> None:
    plan = make_plan(baselines=BASELINES, budget=StudyBudget(max_trials=2))
    first = await run_study(plan, FakeEvaluator(), RecordingSink())
    assert [t.kind for t in first.trials] == ["baseline_default", "baseline_preset"]
    evaluator = FakeEvaluator()
    second = await run_study(
        resumed(plan, first, budget=StudyBudget(max_trials=5)), evaluator, RecordingSink()
    )
    assert [r.kind for r in evaluator.started] == ["search"] * 3
    # The vendor point was not searched yet: it is still enqueued, and merges with its baseline.
    assert second.merged_points == 1
    assert BASELINES[1].point not in [r.point for r in evaluator.started]


async def test_max_wall_counts_the_running_time_of_earlier_sessions() -> None:
    now = [0.0]

    def tick(_request: object) -> None:
        now[0] += 1.0  # every case takes one second

    plan = make_plan(budget=StudyBudget(max_trials=100, max_wall_s=25.0))
    cancel = asyncio.Event()
    sink = RecordingSink()

    def cancel_at_twelve(request: object) -> None:
        tick(request)
        if now[0] >= 12.0:
            cancel.set()

    first = await run_study(
        plan, FakeEvaluator(on_case=cancel_at_twelve), sink, cancel=cancel, clock=lambda: now[0]
    )
    assert first.stop_reason == "cancelled"
    used = sink.progress_seen[-1].active_s
    assert used == pytest.approx(12.0)
    now[0] = 1000.0  # the pause before the resume does not count
    second_sink = RecordingSink()
    second = await run_study(
        resumed(plan, first, active_before_s=used),
        FakeEvaluator(on_case=tick),
        second_sink,
        clock=lambda: now[0],
    )
    assert second.stop_reason == "max_wall"
    assert now[0] - 1000.0 == pytest.approx(25.0 - used)  # the rest of the budget, not 25 s more
    assert second_sink.progress_seen[-1].active_s == pytest.approx(25.0)


async def test_a_run_resumed_past_its_wall_budget_starts_no_trial() -> None:
    plan = make_plan(budget=StudyBudget(max_trials=100, max_wall_s=25.0))
    evaluator = FakeEvaluator()
    outcome = await run_study(replace(plan, active_before_s=25.0), evaluator, RecordingSink())
    assert outcome.stop_reason == "max_wall" and evaluator.started == []
