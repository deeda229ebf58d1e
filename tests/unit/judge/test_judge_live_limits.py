"""Live judging's limits: the shared-endpoint cap and the budget admission."""

from __future__ import annotations

from benchstudio.judge.service.judging import ReportPlan
from benchstudio.judge.service.live import shared_cap


def test_shared_endpoint_cap_is_a_quarter_of_the_eval_concurrency_at_least_one() -> None:
    assert [shared_cap(c) for c in (1, 3, 4, 7, 8, 16, 64)] == [1, 1, 1, 1, 2, 4, 16]


def test_budget_admits_until_the_next_case_would_exceed_it() -> None:
    plan = ReportPlan("r", "o", "body", False, budget_usd=1.0)
    assert plan.admit(0.4) and plan.admit(0.4)  # 0.8 reserved
    assert not plan.admit(0.4)
    assert plan.stop_reason is not None and "budget" in plan.stop_reason
    assert not plan.admit(0.0)  # stopped stays stopped


def test_without_a_budget_or_a_price_every_case_is_admitted() -> None:
    plan = ReportPlan("r", "o", "body", False, budget_usd=None)
    assert all(plan.admit(100.0) for _ in range(5))
    priced = ReportPlan("r", "o", "body", False, budget_usd=0.1)
    assert priced.admit(None)
