"""The library on a run the tune job made: apply best saves exactly the results' best point,
and a run submitted into an experiment shows there at its best trial's pass rate."""

from __future__ import annotations

import pytest
from tuning_driver import (
    MODEL,
    Api,
    demo_provider,
    finished,
    grid_space,
    run_body,
)


def test_a_finished_run_applies_its_best_and_shows_in_its_experiment(api: Api) -> None:
    api.sign_up("alice@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider = demo_provider(api)
    experiment = api.ok(
        "POST",
        "/api/experiments",
        201,
        json={
            "name": "Tuning the demo model",
            "suite_id": suite["id"],
            "models": [{"provider_id": provider, "model_id": MODEL}],
        },
    )
    body = run_body(
        suite["id"],
        provider,
        space=grid_space(repeats=2),
        strategy={"kind": "grid"},
        budget={"max_trials": 3},
        experiment_id=experiment["id"],
    )
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    run, trials, results = detail["run"], detail["trials"], detail["results"]
    assert run["experiment_id"] == experiment["id"] and len(trials) == 3
    best = next(t for t in trials if t["id"] == results["best_trial_id"])

    applied = api.ok(
        "POST", f"/api/tuning/runs/{run['id']}/apply", json={"target": "parameter_set"}
    )
    expected = {k: v for k, v in results["best_effective"].items() if k != "seed"}
    assert (
        applied["params"] == expected == {k: v for k, v in best["effective"].items() if k != "seed"}
    )
    saved = api.ok("GET", f"/api/parameter-sets/{applied['parameter_set_id']}")
    assert saved["params"] == expected
    assert saved["model_ref_id"] == run["target"]["model_ref_id"]
    assert saved["name"] == f"{run['name']} · trial {best['number']}"

    view = api.ok("GET", f"/api/experiments/{experiment['id']}")
    (result,) = [r for r in view["results"] if r["kind"] == "tuner"]
    trial_run = api.ok("GET", f"/api/evals/{best['eval_run_id']}")
    passed = sum(s["pass_rate"]["successes"] for s in trial_run["summaries"].values())
    total = sum(s["pass_rate"]["total"] for s in trial_run["summaries"].values())
    assert len(trial_run["summaries"]) == 2 and total == trial_run["total_cases"]
    assert (result["passed"], result["total"]) == (passed, total)
    assert result["score"] == pytest.approx(passed / total)
    assert result["score"] == pytest.approx(best["score"])  # equal repeats: the same mean
    assert result["eval_run_id"] == best["eval_run_id"] and result["on_scale"]
    assert result["ref_id"] == run["id"] and result["status"] == "done"
    listed = api.ok("GET", f"/api/tuning/runs?experiment_id={experiment['id']}")
    assert [r["id"] for r in listed["items"]] == [run["id"]]
