"""Every tuner budget is enforced while the run goes: trials, model calls, cost (a priced
provider of the user's own at the simulator, charged to the job's spend ledger per case) and
wall-clock time; the run says which one ended it."""

from __future__ import annotations

from typing import Any

import pytest
from tuning_driver import (
    Api,
    DemoSimulator,
    demo_provider,
    finished,
    priced_provider,
    run_body,
)

# The sample suite's multi-turn chain may send up to five calls (its rounds plus one): a case
# starts only when its most calls fit what is left.
MOST_CALLS_PER_CASE = 5


@pytest.fixture
def suite(api: Api) -> dict[str, Any]:
    api.sign_up("budgets@example.com")
    created: dict[str, Any] = api.ok("POST", "/api/suites/sample", 201)
    return created


def test_max_trials_counts_the_baseline(api: Api, suite: dict[str, Any]) -> None:
    body = run_body(suite["id"], demo_provider(api), budget={"max_trials": 3})
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    assert detail["run"]["stop_reason"] == "max_trials"
    assert [t["kind"] for t in detail["trials"]] == ["baseline_default", "search", "search"]


def test_max_calls_stops_mid_trial(api: Api, suite: dict[str, Any]) -> None:
    cases = suite["case_count"]
    limit = 2 * cases + cases // 2  # two and a half trials
    body = run_body(
        suite["id"],
        demo_provider(api),
        budget={"max_trials": 50, "max_calls": limit},
        stopping={"prune": False},
        concurrency=1,
    )
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    run, trials = detail["run"], detail["trials"]
    assert run["stop_reason"] == "max_calls"
    # Cases are admitted before they start: the bound holds, the last refused case did not fit.
    assert limit - MOST_CALLS_PER_CASE < run["calls_used"] <= limit
    assert run["calls_used"] == sum(t["calls"] for t in trials)
    assert trials[-1]["state"] == "pruned" and 0 < trials[-1]["cases"] < cases


def test_max_cost_is_charged_per_case_and_never_exceeded(
    api: Api, suite: dict[str, Any], simulator: DemoSimulator
) -> None:
    """One trial at a time, two cases in flight (the local endpoint's limit). Before cases
    were admitted, the second trial's last cases ran past the cap (9.09 USD for 8.79)."""
    provider = priced_provider(api, simulator.base_url, "1000", "1000")
    body = run_body(suite["id"], provider, budget={"max_trials": 50}, concurrency=1)
    estimate = api.ok("POST", "/api/tuning/estimate", json=body)
    per_trial = estimate["cost_per_trial_usd"]
    assert per_trial > 0
    cap = round(per_trial * 1.5, 6)
    body["budget"]["max_cost_usd"] = cap
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    run, trials = detail["run"], detail["trials"]
    assert run["stop_reason"] == "max_cost"
    assert run["cost_usd"] == pytest.approx(sum(t["cost_usd"] for t in trials))
    assert cap - per_trial < run["cost_usd"] <= cap
    assert trials[-1]["state"] == "pruned"
    # The job's ledger holds the same spend.
    preview = api.ok(
        "POST",
        "/api/benchmarks/preview",
        json={"targets": [{"provider_id": provider, "model_id": "benchstudio-sim-tunable"}]},
    )
    assert preview["month_spent_usd"] == pytest.approx(run["cost_usd"], rel=1e-6)


def test_max_wall_ends_the_study(api: Api, suite: dict[str, Any]) -> None:
    body = run_body(
        suite["id"],
        demo_provider(api),
        budget={"max_trials": 500, "max_wall_s": 10},
        stopping={"prune": False},
    )
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    run = detail["run"]
    assert run["stop_reason"] == "max_wall"
    assert 1 <= run["trials_done"] < 500
    started, ended = run["started_at"], run["finished_at"]
    assert started and ended


def test_trials_in_parallel_stay_within_max_cost(
    api: Api, suite: dict[str, Any], simulator: DemoSimulator
) -> None:
    provider = priced_provider(api, simulator.base_url, "1000", "1000")
    body = run_body(suite["id"], provider, budget={"max_trials": 50}, concurrency=2)
    per_trial = api.ok("POST", "/api/tuning/estimate", json=body)["cost_per_trial_usd"]
    cap = round(per_trial * 2.2, 6)
    body["budget"]["max_cost_usd"] = cap
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    run, trials = detail["run"], detail["trials"]
    assert run["stop_reason"] == "max_cost"
    assert run["cost_usd"] <= cap
    assert run["cost_usd"] == pytest.approx(sum(t["cost_usd"] for t in trials))
