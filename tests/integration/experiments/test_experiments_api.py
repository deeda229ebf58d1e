"""Experiments end to end on the real app with the scripted simulator: runs filed under an
experiment, the baseline (first, then chosen), the best (never off the scale), re-run best
with the same configuration, filing rules, and delete (runs kept, unfiled)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from experiments_driver import (
    Api,
    SimulatorThread,
    add_provider,
    app_api,
    create_experiment,
    finished_run,
    pass_rate,
    result_of,
    stored_config,
)

from benchstudio.config import Settings


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    with SimulatorThread() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _setup(api: Any, simulator: Any) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    api.sign_up("alice@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good", "sloppy"])
    experiment = create_experiment(api, suite["id"], provider, [models["good"], models["sloppy"]])
    return suite["id"], provider, models, experiment


def test_baseline_is_first_best_is_highest_and_another_version_is_never_best(
    api: Api, simulator: SimulatorThread
) -> None:
    suite_id, provider, models, experiment = _setup(api, simulator)
    exp_id = experiment["id"]
    assert (experiment["suite_version"], experiment["profile"]) == (1, "lenient")
    assert [m["label"] for m in experiment["models"]] == ["Good", "Sloppy"]
    assert experiment["results"] == [] and experiment["comparison"] is None

    sloppy = finished_run(api, suite_id, provider, models["sloppy"], exp_id)
    # The suite gets a version 2; a good run on it is filed here but shown apart.
    api.ok("PATCH", f"/api/suites/{suite_id}", json={"description": "edited"})
    good_v2 = finished_run(api, suite_id, provider, models["good"], exp_id)
    assert good_v2["suite_version"] == 2 and good_v2["experiment_id"] == exp_id
    assert pass_rate(good_v2) > pass_rate(sloppy)

    detail = api.ok("GET", f"/api/experiments/{exp_id}")
    first = result_of(detail, sloppy["id"])
    apart = result_of(detail, good_v2["id"])
    assert first["is_baseline"] and first["is_best"] and first["on_scale"]
    assert first["score"] == pytest.approx(pass_rate(sloppy))
    assert not apart["on_scale"] and not apart["is_best"] and not apart["is_baseline"]
    assert apart["off_scale_reason"] == "suite version 2; this experiment is on version 1"
    assert detail["comparison"] is None  # the baseline is the best

    good = finished_run(api, suite_id, provider, models["good"], exp_id, suite_version=1)
    detail = api.ok("GET", f"/api/experiments/{exp_id}")
    assert [r["ref_id"] for r in detail["results"]] == [sloppy["id"], good_v2["id"], good["id"]]
    assert result_of(detail, sloppy["id"])["is_baseline"]
    assert result_of(detail, good["id"])["is_best"]
    assert (detail["baseline_score"], detail["best_score"]) == (
        pytest.approx(pass_rate(sloppy)),
        pytest.approx(pass_rate(good)),
    )
    comparison = detail["comparison"]
    assert comparison["baseline"]["ref_id"] == sloppy["id"]
    assert comparison["best"]["ref_id"] == good["id"]
    assert comparison["difference"] == pytest.approx(pass_rate(good) - pass_rate(sloppy))
    assert comparison["paired"] and comparison["test"] == "mcnemar_exact"

    # Choosing the better run as the baseline: nothing left to compare.
    chosen = api.ok(
        "PUT",
        f"/api/experiments/{exp_id}/baseline",
        json={"run_id": good["id"], "target": "Good"},
    )
    assert chosen["baseline_chosen"] and chosen["comparison"] is None
    assert result_of(chosen, good["id"])["is_baseline"]
    refused = api.call(
        "PUT",
        f"/api/experiments/{exp_id}/baseline",
        json={"run_id": good_v2["id"], "target": "Good"},
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "off_scale"
    cleared = api.ok("DELETE", f"/api/experiments/{exp_id}/baseline")
    assert not cleared["baseline_chosen"]
    assert result_of(cleared, sloppy["id"])["is_baseline"]

    listed = api.ok("GET", f"/api/evals?experiment_id={exp_id}")
    assert {r["id"] for r in listed["items"]} == {sloppy["id"], good_v2["id"], good["id"]}
    page = api.ok("GET", "/api/experiments")
    assert [(e["id"], e["run_count"]) for e in page["items"]] == [(exp_id, 3)]


def test_rerun_best_repeats_its_configuration_and_delete_unfiles(
    api: Api, simulator: SimulatorThread, settings: Settings
) -> None:
    suite_id, provider, models, experiment = _setup(api, simulator)
    exp_id = experiment["id"]
    conflict = api.call("POST", f"/api/experiments/{exp_id}/rerun-best")
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "no_best"
    best = finished_run(
        api,
        suite_id,
        provider,
        models["good"],
        exp_id,
        target={"system_prompt": "Call the tools you are given.", "params": {"top_p": 0.9}},
        temperature=0,
        max_tokens=512,
        concurrency=2,
        timeout_s=60,
    )
    submitted = api.ok("POST", f"/api/experiments/{exp_id}/rerun-best", 202)
    assert submitted["run"]["experiment_id"] == exp_id
    api.wait_job(submitted["job_id"], {"done"})
    again = api.ok("GET", f"/api/evals/{submitted['run']['id']}")
    assert (again["suite_version"], again["profile"]) == (best["suite_version"], best["profile"])
    # The same configuration as stored: model, its own system prompt and parameters, the
    # parameter set (none here) and the run settings.
    config, original = stored_config(settings, again["id"]), stored_config(settings, best["id"])
    assert config == original
    (target,) = config["targets"]
    assert (target["model_ref_id"], target["system_prompt"], target["params"]) == (
        models["good"],
        "Call the tools you are given.",
        {"top_p": 0.9},
    )
    assert config["settings"]["temperature"] == 0 and config["settings"]["max_tokens"] == 512
    runs = api.ok("GET", f"/api/evals?experiment_id={exp_id}")["items"]
    stored = {r["id"] for r in runs}
    assert stored == {best["id"], again["id"]}

    api.ok("DELETE", f"/api/experiments/{exp_id}", 204)
    assert api.call("GET", f"/api/experiments/{exp_id}").status_code == 404
    for run_id in stored:
        assert api.ok("GET", f"/api/evals/{run_id}")["experiment_id"] is None
