"""How the loop shares a calls or cost budget between running trials, and the strategy's
memory of results evaluated outside it (baselines)."""

from __future__ import annotations

import json

from search_space_fixtures import PLANE

from benchstudio.tuning.domain.strategies import Outcome, StrategySpec, build_strategy
from benchstudio.tuning.service.study_budget import BudgetPool


def test_an_unbounded_pool_gives_no_share() -> None:
    pool = BudgetPool(None)
    assert pool.share(running=3, open_slots=1) is None and not pool.spent


def test_before_any_trial_the_free_budget_is_split_between_open_slots() -> None:
    pool = BudgetPool(100.0)
    assert pool.share(running=0, open_slots=4) == 25.0
    pool.reserve(0, 25.0)
    assert pool.free == 75.0
    assert pool.share(running=1, open_slots=3) == 25.0


def test_calls_are_shared_in_whole_numbers_and_at_least_the_expected_use() -> None:
    pool = BudgetPool(100.0, whole=True, floor=10.0)
    assert pool.share(running=0, open_slots=3) == 33.0  # the even split is larger
    pool = BudgetPool(100.0, whole=True, floor=40.0)
    assert pool.share(running=0, open_slots=4) == 60.0  # 1.5 x the expected 40


def test_a_trial_waits_when_too_little_is_left_while_others_run() -> None:
    pool = BudgetPool(50.0, largest=20.0)
    pool.reserve(0, 30.0)
    pool.reserve(1, 15.0)
    assert pool.share(running=2, open_slots=1) == 0.0  # 5 left < 20 expected: wait
    pool.settle(0, 12.0, representative=True)
    pool.settle(1, 15.0, representative=True)
    assert pool.largest == 20.0 and pool.used == 27.0  # the most a trial used so far
    assert pool.share(running=1, open_slots=1) == 23.0  # 23 left > 20 expected: start
    assert pool.share(running=0, open_slots=2) == 23.0  # min(left, 1.5 x 20)
    pool.settle(2, 23.0, representative=False)
    assert pool.spent and pool.share(running=0, open_slots=1) == 0.0


def test_an_expected_use_of_zero_splits_evenly() -> None:
    pool = BudgetPool(1.0, largest=0.0)  # an unpriced model: every trial cost 0
    assert pool.share(running=1, open_slots=2) == 0.5


def test_a_remembered_result_merges_a_later_identical_point() -> None:
    strategy = build_strategy(StrategySpec(kind="grid"), PLANE)
    first = strategy.ask(1)[0]
    strategy.tell(first.trial_id, Outcome.complete(0.5))
    second = {"temperature": 0.0, "top_p": 0.05}  # the grid's next point
    strategy.remember(json.dumps(second, sort_keys=True), Outcome.complete(0.9))
    strategy.remember(json.dumps(first.point, sort_keys=True), Outcome.failed())
    asked = strategy.ask(1)[0]
    assert asked.point == {"temperature": 0.0, "top_p": 0.1} and strategy.merged == 1
