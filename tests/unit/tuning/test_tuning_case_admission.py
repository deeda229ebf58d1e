"""The admission rule of a trial's cases: a case starts only when the spend, the cases in
flight and its own expected use fit the trial's share; else it waits while others run, else
the trial stops."""

from __future__ import annotations

import asyncio

import pytest

from benchstudio.toolcall.live.records import EvalTarget
from benchstudio.toolcall.schemas import TestCase
from benchstudio.tuning.domain.case_admission import COST_MARGIN, CaseBooks, CaseUse, admission
from benchstudio.tuning.service.case_gate import CaseGate
from benchstudio.tuning.service.study_types import TrialRequest


def test_the_rule_starts_waits_or_stops() -> None:
    assert admission(None, 100.0, 100.0, 100.0, 3) == "start"
    assert admission(1.0, 0.4, 0.3, 0.3, 1) == "start"  # exactly the share
    assert admission(1.0, 0.4, 0.3, 0.31, 1) == "wait"
    assert admission(1.0, 0.4, 0.0, 0.61, 0) == "stop"


def test_cases_in_flight_hold_their_expected_cost() -> None:
    books = CaseBooks(max_calls=None, max_cost=1.0)
    guess = CaseUse(1.0, 0.3)
    assert [books.decide(i, guess) for i in range(4)] == ["start", "start", "start", "wait"]
    assert books.in_flight and len(books.in_flight) == 3
    books.settle(0, CaseUse(1.0, 0.1))  # a third of the guess: the fourth expects 0.15
    assert books.decide(3, guess) == "start"
    assert books.spent == CaseUse(1.0, 0.1)
    assert books.spent.cost + sum(u.cost for u in books.in_flight.values()) <= 1.0


def test_a_finished_case_scales_the_guesses_with_the_margin() -> None:
    books = CaseBooks(max_calls=None, max_cost=10.0)
    books.decide("a", CaseUse(1.0, 1.0))
    books.settle("a", CaseUse(1.0, 0.5))  # half the guess
    assert books.expected(CaseUse(1.0, 2.0)) == CaseUse(1.0, 2.0 * 0.5 * COST_MARGIN)
    books.decide("b", CaseUse(1.0, 1.0))
    books.settle("b", CaseUse(1.0, 0.6))  # the highest ratio wins
    assert books.expected(CaseUse(1.0, 1.0)).cost == pytest.approx(0.6 * COST_MARGIN)


def test_cases_under_their_guess_never_raise_it_and_costlier_ones_do() -> None:
    books = CaseBooks(max_calls=None, max_cost=10.0)
    books.decide("a", CaseUse(1.0, 1.0))
    books.settle("a", CaseUse(1.0, 0.9))  # the guess is a ceiling the cases come in under
    assert books.expected(CaseUse(1.0, 2.0)) == CaseUse(1.0, 2.0)
    books.decide("b", CaseUse(1.0, 1.0))
    books.settle("b", CaseUse(1.0, 1.2))  # a case above its guess: the guesses were low
    assert books.expected(CaseUse(1.0, 1.0)).cost == pytest.approx(1.2 * COST_MARGIN)


def test_the_trial_stops_for_good_when_nothing_runs_and_the_case_does_not_fit() -> None:
    books = CaseBooks(max_calls=3.0, max_cost=None)
    assert books.decide("a", CaseUse(2.0, 0.0)) == "start"
    assert books.decide("b", CaseUse(2.0, 0.0)) == "wait"
    books.settle("a", CaseUse(2.0, 0.0))
    assert books.decide("b", CaseUse(2.0, 0.0)) == "stop"
    assert books.refused_by == "calls"
    assert books.decide("c", CaseUse(1.0, 0.0)) == "stop"  # a smaller case does not restart it
    assert books.spent.calls <= 3.0


def test_the_cost_bound_names_itself() -> None:
    books = CaseBooks(max_calls=10.0, max_cost=0.5)
    assert books.decide("a", CaseUse(1.0, 0.6)) == "stop"
    assert books.refused_by == "cost"


async def test_the_gate_wakes_a_waiting_worker_when_a_case_settles() -> None:
    request = TrialRequest(0, "search", {}, {}, "f", (1,), max_calls=None, max_cost_usd=1.0)
    gate = CaseGate(request, {"one": CaseUse(1.0, 0.6), "two": CaseUse(1.0, 0.6)})
    target = EvalTarget(label="repeat 1", model="m", base_url="http://127.0.0.1:1/v1")
    one = TestCase.model_validate({"id": "one", "prompt": "p", "expected_calls": []})
    two = TestCase.model_validate({"id": "two", "prompt": "p", "expected_calls": []})
    assert await gate.admit(target, one)
    waiting = asyncio.create_task(gate.admit(target, two))
    await asyncio.sleep(0)
    assert not waiting.done()
    gate.settle("repeat 1", "one", 1, 0.6)  # 0.6 spent: 0.6 more does not fit, nothing runs
    assert await waiting is False
    assert gate.budget_stop == "max_cost"
