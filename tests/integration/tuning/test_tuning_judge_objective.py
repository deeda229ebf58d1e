"""A tuner run scored by an LLM judge: each trial run is judged live (one report per repeat),
each trial's score is the mean of its judged cases' scores (1-5 as 0-1), and best vs baseline
compares those judge scores. The demo simulator both answers the cases (its tunable model)
and judges them (scripted verdicts from markers in the case prompts)."""

from __future__ import annotations

from typing import Any

import pytest
from tuning_driver import (
    Api,
    DemoSimulator,
    demo_provider,
    finished,
    grid_space,
    priced_provider,
    run_body,
)

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
# The scripted judge's score for each case (the marker in its prompt).
SCORES = {"Paris": 5, "Oslo": 2, "Rome": 3}
SUITE: dict[str, Any] = {
    "name": "Judged weather",
    "tools": [WEATHER],
    "cases": [
        {
            "id": city.lower(),
            "prompt": f"What's the weather in {city}? [sim-judge: verdict;score={score}]",
            "expected_calls": [
                {"name": "get_weather", "arguments": {"city": {"acceptable": [city]}}}
            ],
        }
        for city, score in SCORES.items()
    ],
}
EXPECTED = sum((score - 1) / 4 for score in SCORES.values()) / len(SCORES)


def test_a_judge_objective_scores_trials_by_the_judges_verdicts(api: Api) -> None:
    api.sign_up("judged@example.com")
    suite = api.ok("POST", "/api/suites", 201, json=SUITE)
    provider = demo_provider(api)
    models = api.ok("GET", "/api/models")
    judge = next(m for m in models if m["model_id"] == "benchstudio-sim")
    body = run_body(
        suite["id"],
        provider,
        space=grid_space(repeats=2),
        strategy={"kind": "grid"},
        objective={"source": "judge", "judge_model_ref_id": judge["id"]},
        budget={"max_trials": 10},
    )
    estimate = api.ok("POST", "/api/tuning/estimate", json=body)
    assert any("judge" in warning for warning in estimate["warnings"])
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    trials = detail["trials"]
    assert len(trials) == 3 and all(t["state"] == "complete" for t in trials)
    for trial in trials:
        assert trial["score"] == pytest.approx(EXPECTED)
        assert trial["repeat_scores"] == pytest.approx([EXPECTED, EXPECTED])
        reports = api.ok("GET", f"/api/judge/reports?eval_run_id={trial['eval_run_id']}")
        assert sorted(r["target"] for r in reports) == ["repeat 1", "repeat 2"]
        assert all(r["mode"] == "live" and r["status"] == "done" for r in reports)
    results = detail["results"]
    assert results["objectives"] == ["judge score"]
    (comparison,) = results["baselines"]
    assert comparison["difference"] == pytest.approx(0.0)
    assert not comparison["significant"]


def test_a_judge_model_of_another_user_is_not_found(api: Api) -> None:
    api.sign_up("owner@example.com")
    judge = next(m for m in api.ok("GET", "/api/models") if m["model_id"] == "benchstudio-sim")
    other = Api(api.client).sign_up("other@example.com")
    suite = other.ok("POST", "/api/suites", 201, json=SUITE)
    body = run_body(
        suite["id"],
        demo_provider(other),
        objective={"source": "judge", "judge_model_ref_id": judge["id"]},
    )
    assert other.call("POST", "/api/tuning/estimate", json=body).status_code == 404
    assert other.call("POST", "/api/tuning/runs", json=body).status_code == 404


def test_a_priced_judge_is_in_the_estimate_and_under_max_cost(
    api: Api, simulator: DemoSimulator
) -> None:
    """The judge's calls are reported apart from max_calls; its cost is part of the cost per
    trial, max_cost_usd bounds the tuned model's and the judge's spend together, and a cost
    objective sees a judged trial's whole cost (the model's calls and the verdicts)."""
    api.sign_up("priced-judge@example.com")
    suite = api.ok("POST", "/api/suites", 201, json=SUITE)
    provider = priced_provider(api, simulator.base_url, "1000", "1000")
    judge = api.ok(
        "POST",
        "/api/models",
        201,
        json={
            "provider_id": provider,
            "model_id": "benchstudio-sim",
            "input_price": "500",
            "output_price": "500",
        },
    )
    body = run_body(
        suite["id"],
        provider,
        objective={"source": "judge", "judge_model_ref_id": judge["id"], "minimize": ["cost"]},
        budget={"max_trials": 50},
        stopping={"prune": False},
        concurrency=1,
    )
    estimate = api.ok("POST", "/api/tuning/estimate", json=body)
    plain = api.ok("POST", "/api/tuning/estimate", json={**body, "objective": {}})
    cases = len(SCORES)
    assert estimate["calls_per_trial"] == plain["calls_per_trial"] == cases
    assert estimate["judge_calls_per_trial"] == cases
    assert plain["judge_calls_per_trial"] is None
    judge_cost = estimate["judge_cost_per_trial_usd"]
    assert judge_cost > 0
    assert estimate["cost_per_trial_usd"] == pytest.approx(plain["cost_per_trial_usd"] + judge_cost)
    cap = round(estimate["cost_per_trial_usd"] * 2.5, 6)
    body["budget"]["max_cost_usd"] = cap
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    run, trials = detail["run"], detail["trials"]
    assert run["stop_reason"] == "max_cost"
    assert run["cost_usd"] <= cap
    complete = [t for t in trials if t["state"] == "complete"]
    assert len(complete) >= 2
    for trial in complete:  # the cost told to the sampler: the trial's cost per repeat
        assert trial["cost_usd"] > 0
        per_repeat = trial["cost_usd"] / len(trial["repeat_scores"])
        assert trial["values"][1] == pytest.approx(per_repeat, rel=1e-6)
