"""Tuner runs end to end on the demo simulator's tunable model: submit → `tune` job → trial
rows and one hidden eval run per trial (a target per repeat) → results; the estimate's figures;
the trial runs hidden from eval history unless asked for; delete removes them."""

from __future__ import annotations

from typing import Any

import pytest
from tuning_driver import (
    Api,
    demo_provider,
    finished,
    grid_space,
    run_body,
)

from benchstudio.tuning.service.study_types import FAIL_FAST_CASES


@pytest.fixture
def setup(api: Api) -> dict[str, Any]:
    api.sign_up("tuner@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    return {"suite": suite, "provider": demo_provider(api), "cases": suite["case_count"]}


def test_estimate_figures_follow_the_suite_space_and_budget(
    api: Api, setup: dict[str, Any]
) -> None:
    body = run_body(
        setup["suite"]["id"],
        setup["provider"],
        space=grid_space(repeats=3),
        strategy={"kind": "grid"},
        budget={"max_trials": 20, "max_calls": 10_000},
    )
    estimate = api.ok("POST", "/api/tuning/estimate", json=body)
    cases = setup["cases"]
    assert estimate["cases"] == cases and estimate["repeats"] == 3
    assert estimate["calls_per_trial"] == cases * 3
    assert [b["kind"] for b in estimate["baselines"]] == ["baseline_default"]
    assert estimate["space"]["grid_size"] == 2
    # The grid's two points plus the baseline, fewer than the trial budget.
    assert estimate["planned_trials"] == 3 and estimate["limiting"].startswith("the space")
    assert estimate["max_calls"] == 3 * cases * 3
    assert estimate["cost_per_trial_usd"] == 0.0 and estimate["max_cost_usd"] == 0.0
    by_calls = api.ok(
        "POST",
        "/api/tuning/estimate",
        json={**body, "budget": {"max_trials": 20, "max_calls": 2 * cases * 3 + 1}},
    )
    assert by_calls["planned_trials"] == 2 and by_calls["limiting"].startswith("max_calls")


def test_a_grid_run_stores_every_trial_as_a_hidden_eval_run(
    api: Api, setup: dict[str, Any]
) -> None:
    body = run_body(
        setup["suite"]["id"],
        setup["provider"],
        space=grid_space(repeats=2),
        strategy={"kind": "grid"},
        budget={"max_trials": 10},
    )
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    run, trials = detail["run"], detail["trials"]
    assert run["status"] == "completed" and run["stop_reason"] == "space_exhausted"
    assert [t["number"] for t in trials] == [0, 1, 2]
    assert trials[0]["kind"] == "baseline_default" and trials[0]["point"] == {}
    assert {t["kind"] for t in trials[1:]} == {"search"}
    assert all(t["state"] == "complete" for t in trials)
    cases = setup["cases"]
    assert run["trials_done"] == 3
    assert all(t["cases"] == 2 * cases and len(t["repeat_scores"]) == 2 for t in trials)
    assert run["calls_used"] == sum(t["calls"] for t in trials) >= 3 * 2 * cases
    assert run["cost_usd"] == 0.0  # the demo simulator is free
    # Each trial is an eval run of the tuner run: one target per repeat, seeded.
    eval_ids = [t["eval_run_id"] for t in trials]
    assert all(eval_ids)
    for trial in trials:
        eval_run = api.ok("GET", f"/api/evals/{trial['eval_run_id']}")
        assert eval_run["tuner_run_id"] == run["id"]
        assert [t["label"] for t in eval_run["targets"]] == ["repeat 1", "repeat 2"]
        assert eval_run["finished_cases"] == 2 * cases
        params = eval_run["settings"]["params"]
        assert params.get("top_p") == trial["point"].get("top_p")
        assert eval_run["settings"]["temperature"] == trial["point"].get("temperature")
    # Hidden from eval history unless asked for.
    assert api.ok("GET", "/api/evals")["total"] == 0
    with_trials = api.ok("GET", "/api/evals?include_trials=true")
    assert sorted(r["id"] for r in with_trials["items"]) == sorted(eval_ids)
    of_run = api.ok("GET", f"/api/evals?tuner_run_id={run['id']}")
    assert of_run["total"] == 3
    # Events: each trial started and finished, the latter carrying the stored trial.
    events = api.ok("GET", f"/api/jobs/{run['job_id']}/events")
    started = [e["data"] for e in events if e["type"] == "tuner_trial_started"]
    done = [e["data"]["trial"] for e in events if e["type"] == "tuner_trial"]
    assert sorted(e["number"] for e in started) == [0, 1, 2]
    assert sorted(t["id"] for t in done) == sorted(t["id"] for t in trials)
    # Results: the best point, compared with the provider defaults.
    results = detail["results"]
    top = max(t["score"] for t in trials)
    (best,) = [t for t in trials if t["id"] == results["best_trial_id"]]
    assert best["score"] == results["best_score"] == top  # ties go to lower cost, latency
    assert results["best_point"] == best["point"]
    assert results["best_score_ci95"] is not None
    (comparison,) = results["baselines"]
    assert comparison["baseline_trial_id"] == trials[0]["id"]
    assert comparison["summary"]
    assert results["importance"] == [] and results["importance_note"]
    # The list shows it with its best score.
    page = api.ok("GET", "/api/tuning/runs")
    assert page["total"] == 1 and page["items"][0]["best_score"] == best["score"]
    assert api.ok("GET", "/api/tuning/runs?status=running")["total"] == 0
    assert api.ok("GET", "/api/tuning/runs?q=nothing-like-it")["total"] == 0
    # A trial run goes with its tuner run only.
    refused = api.call("DELETE", f"/api/evals/{eval_ids[0]}")
    assert refused.status_code == 409 and "tuner" in refused.text
    # Delete: the run, its trials and their eval runs.
    api.ok("DELETE", f"/api/tuning/runs/{run['id']}", 204)
    assert api.call("GET", f"/api/tuning/runs/{run['id']}").status_code == 404
    assert api.ok("GET", "/api/evals?include_trials=true")["total"] == 0
    assert api.call("GET", f"/api/evals/{eval_ids[0]}").status_code == 404


def test_a_vendor_preset_runs_as_a_second_baseline_and_minimising_latency_gives_a_front(
    api: Api, setup: dict[str, Any]
) -> None:
    body = run_body(
        setup["suite"]["id"],
        setup["provider"],
        vendor_preset_id="llama-3",
        objective={"minimize": ["latency"]},
        budget={"max_trials": 4},
    )
    estimate = api.ok("POST", "/api/tuning/estimate", json=body)
    assert [b["kind"] for b in estimate["baselines"]] == ["baseline_default", "baseline_preset"]
    assert any("llama" in w.lower() for w in estimate["warnings"])  # meant for other models
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    trials, results = detail["trials"], detail["results"]
    assert [t["kind"] for t in trials[:2]] == ["baseline_default", "baseline_preset"]
    assert trials[1]["point"] == estimate["baselines"][1]["point"]
    assert results["objectives"] == ["pass rate", "latency"]
    assert all(len(t["values"]) == 2 for t in trials if t["state"] == "complete")
    front = results["pareto_trial_ids"]
    assert front and {t["id"] for t in trials if t["pareto"]} == set(front)
    assert {c["baseline_kind"] for c in results["baselines"]} <= {
        "baseline_default",
        "baseline_preset",
    }


def _refused(api: Api, body: dict[str, Any], words: str) -> None:
    for path in ("/api/tuning/estimate", "/api/tuning/runs"):
        response = api.call("POST", path, json=body)
        assert response.status_code == 422, response.text
        assert words in response.json()["error"]["message"], response.text


def test_runs_that_cannot_run_are_refused_before_any_job(api: Api, setup: dict[str, Any]) -> None:
    suite, provider = setup["suite"]["id"], setup["provider"]
    _refused(api, run_body(suite, provider, space={"dimensions": []}), "space")
    impossible = {"dimensions": [{"kind": "range", "name": "top_p", "low": 0.9, "high": 0.2}]}
    _refused(api, run_body(suite, provider, space=impossible), "top_p")
    calls = setup["cases"]
    _refused(api, run_body(suite, provider, budget={"max_calls": calls - 1}), "below one trial")
    _refused(api, run_body(suite, provider, budget={"max_trials": 1}), "leaves no trial")
    _refused(api, run_body(suite, provider, vendor_preset_id="no-such-preset"), "vendor preset")
    assert api.ok("GET", "/api/tuning/runs")["total"] == 0
    assert api.ok("GET", "/api/jobs")["total"] == 0


def test_a_dead_endpoint_fails_each_trial_after_its_first_cases(api: Api) -> None:
    """Nothing listens at the provider's address: each trial stops once its first cases all
    failed at the endpoint (the rest would only fail too) and says so, instead of sending
    every case through its retries."""
    api.sign_up("dead-endpoint@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    assert suite["case_count"] > FAIL_FAST_CASES
    body = {"name": "Down", "protocol": "openai", "base_url": "http://127.0.0.1:1/v1"}
    provider = api.ok("POST", "/api/providers", 201, json=body)["id"]
    run = run_body(
        suite["id"], provider, space=grid_space(), strategy={"kind": "grid"}, concurrency=1
    )
    run["budget"] = {"max_trials": 2}
    job, detail = finished(api, run)
    assert job["status"] == "done", job
    trials = detail["trials"]
    assert [t["state"] for t in trials] == ["failed", "failed"]
    for trial in trials:
        assert trial["cases"] == FAIL_FAST_CASES
        assert trial["error"] == f"its first {FAIL_FAST_CASES} cases failed at the endpoint"
