"""Tuner runs in experiments: filed by "apply best" or the experiment's filing route, shown as
results of kind "tuner" at the best trial's pass rate (over its repeats) on the experiment's
scale or apart from it, never the baseline or the best; one experiment at a time, unfiled
with the experiment's deletion, and another user's run or experiment answering 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tuning_library_driver import (
    Api,
    SimulatorThread,
    TrialRow,
    add_provider,
    app_api,
    create_experiment,
    finished_run,
    pass_rate,
    store_tuner_run,
)

from benchstudio.config import Settings


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    with SimulatorThread() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


def _world(api: Api, simulator: SimulatorThread, email: str) -> dict[str, Any]:
    api.sign_up(email)
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good", "sloppy"])
    return {"suite": suite, "provider": provider, "models": models}


def _tuner(api: Api, world: dict[str, Any], best_eval: str | None, **extra: Any) -> Any:
    """A finished tuner run whose best trial's cases are the eval run `best_eval`."""
    return store_tuner_run(
        api,
        suite=world["suite"],
        provider_id=world["provider"],
        model="good",
        model_ref_id=world["models"]["good"],
        trials=[
            TrialRow("baseline_default", "complete", {}, 0.4),
            TrialRow("search", "complete", {"temperature": 0.2}, 0.95, eval_run_id=best_eval),
            TrialRow("search", "complete", {"temperature": 0.9}, 0.6),
        ],
        **extra,
    )


def _tuner_results(detail: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in detail["results"] if r["kind"] == "tuner"]


def test_apply_best_files_the_run_as_a_tuner_result_on_the_scale(
    api: Api, simulator: SimulatorThread
) -> None:
    world = _world(api, simulator, "alice@example.com")
    suite, provider, models = world["suite"]["id"], world["provider"], world["models"]
    experiment = create_experiment(api, suite, provider, [models["sloppy"]])
    baseline = finished_run(api, suite, provider, models["sloppy"], experiment["id"])
    trial_run = finished_run(api, suite, provider, models["good"], None)  # the best trial's cases
    tuner = _tuner(api, world, trial_run["id"])

    applied = api.ok(
        "POST",
        f"/api/tuning/runs/{tuner.id}/apply",
        json={"target": "experiment", "experiment_id": experiment["id"]},
    )
    assert applied == {
        "target": "experiment",
        "parameter_set_id": None,
        "experiment_id": experiment["id"],
        "params": {"temperature": 0.2},
    }
    detail = api.ok("GET", f"/api/experiments/{experiment['id']}")
    assert detail["run_count"] == 2
    (result,) = _tuner_results(detail)
    (summary,) = trial_run["summaries"].values()
    assert result["ref_id"] == tuner.id and result["eval_run_id"] == trial_run["id"]
    assert result["score"] == pytest.approx(pass_rate(trial_run))
    assert (result["passed"], result["total"]) == (
        summary["pass_rate"]["successes"],
        summary["pass_rate"]["total"],
    )
    assert result["label"] == "Tuner: Tune the good model (best: trial 1 of 3 trials)"
    assert result["status"] == "done" and result["target"] is None
    assert result["on_scale"] and result["off_scale_reason"] is None
    # Eval results stay the baseline and the best; a tuner result is shown beside them.
    assert not result["is_baseline"] and not result["is_best"]
    assert detail["baseline_score"] == pytest.approx(pass_rate(baseline))
    listed = api.ok("GET", "/api/experiments")["items"]
    assert [e["run_count"] for e in listed] == [2]


def test_a_tuner_run_on_another_profile_is_shown_apart(
    api: Api, simulator: SimulatorThread
) -> None:
    world = _world(api, simulator, "alice@example.com")
    suite, provider, models = world["suite"]["id"], world["provider"], world["models"]
    experiment = create_experiment(api, suite, provider, [models["good"]])
    strict = finished_run(api, suite, provider, models["good"], None, profile="strict")
    tuner = _tuner(api, world, strict["id"], profile="strict")
    filed = api.ok(
        "POST",
        f"/api/experiments/{experiment['id']}/runs",
        json={"kind": "tuner", "ref_id": tuner.id},
    )
    (result,) = _tuner_results(filed)
    assert not result["on_scale"]
    assert result["off_scale_reason"] == "scored with profile strict; this experiment uses lenient"
    assert result["score"] == pytest.approx(pass_rate(strict))
    assert filed["best_score"] is None and filed["comparison"] is None


def test_a_run_without_a_best_or_its_eval_run_still_shows(
    api: Api, simulator: SimulatorThread
) -> None:
    world = _world(api, simulator, "alice@example.com")
    suite, provider, models = world["suite"]["id"], world["provider"], world["models"]
    experiment = create_experiment(api, suite, provider, [models["good"]])
    running = store_tuner_run(
        api,
        suite=world["suite"],
        provider_id=provider,
        model="good",
        model_ref_id=models["good"],
        trials=[TrialRow("baseline_default", "running", {}, None)],
        status="running",
        experiment_id=experiment["id"],
    )
    # A best trial without a linked eval run: its own score stands in (the objective is the
    # pass rate).
    unlinked = _tuner(api, world, None, name="No eval run", experiment_id=experiment["id"])
    detail = api.ok("GET", f"/api/experiments/{experiment['id']}")
    by_id = {r["ref_id"]: r for r in _tuner_results(detail)}
    assert by_id[running.id]["status"] == "running" and by_id[running.id]["score"] is None
    assert by_id[running.id]["label"] == "Tuner: Tune the good model (0 trials, no best yet)"
    assert by_id[unlinked.id]["score"] == pytest.approx(0.95)
    assert by_id[unlinked.id]["total"] is None and by_id[unlinked.id]["eval_run_id"] is None


def test_one_experiment_at_a_time_unfiling_and_deletion(
    api: Api, simulator: SimulatorThread
) -> None:
    world = _world(api, simulator, "alice@example.com")
    suite, provider, models = world["suite"]["id"], world["provider"], world["models"]
    first = create_experiment(api, suite, provider, [models["good"]])
    second = create_experiment(api, suite, provider, [models["good"]], name="Second")
    trial_run = finished_run(api, suite, provider, models["good"], None)
    tuner = _tuner(api, world, trial_run["id"])
    body = {"kind": "tuner", "ref_id": tuner.id}
    api.ok("POST", f"/api/experiments/{first['id']}/runs", json=body)
    error = _error(
        api.call("POST", f"/api/experiments/{second['id']}/runs", json=body), 409, "already_filed"
    )
    assert first["id"] in error["message"]
    api.ok("POST", f"/api/experiments/{first['id']}/runs", json=body)  # again here: fine
    moved = api.ok(
        "POST", f"/api/experiments/{second['id']}/runs", params={"move": "true"}, json=body
    )
    assert [r["ref_id"] for r in _tuner_results(moved)] == [tuner.id]
    assert _tuner_results(api.ok("GET", f"/api/experiments/{first['id']}")) == []
    # Apply best into an experiment moves it there (the caller picked it).
    api.ok(
        "POST",
        f"/api/tuning/runs/{tuner.id}/apply",
        json={"target": "experiment", "experiment_id": first["id"]},
    )
    assert [
        r["ref_id"] for r in _tuner_results(api.ok("GET", f"/api/experiments/{first['id']}"))
    ] == [tuner.id]

    # Unfiling: only where it is filed.
    _error(
        api.call("DELETE", f"/api/experiments/{second['id']}/runs/tuner/{tuner.id}"),
        404,
        "not_found",
    )
    unfiled = api.ok("DELETE", f"/api/experiments/{first['id']}/runs/tuner/{tuner.id}")
    assert _tuner_results(unfiled) == [] and unfiled["run_count"] == 0

    # Deleting an experiment unfiles its tuner runs (they are kept: filing elsewhere works).
    api.ok("POST", f"/api/experiments/{first['id']}/runs", json=body)
    api.ok("DELETE", f"/api/experiments/{first['id']}", 204)
    refiled = api.ok("POST", f"/api/experiments/{second['id']}/runs", json=body)
    assert [r["ref_id"] for r in _tuner_results(refiled)] == [tuner.id]


def test_another_users_run_or_experiment_answers_404(api: Api, simulator: SimulatorThread) -> None:
    world = _world(api, simulator, "alice@example.com")
    alice = api.token
    suite, provider, models = world["suite"]["id"], world["provider"], world["models"]
    mine = create_experiment(api, suite, provider, [models["good"]])
    tuner = _tuner(api, world, None)

    bob = api.sign_up("bob@example.com")
    bob_world = {"suite": bob.ok("POST", "/api/suites/sample", 201)}
    bob_provider, bob_models = add_provider(bob, simulator.base_url, ["good"])
    bobs_experiment = create_experiment(
        bob, bob_world["suite"]["id"], bob_provider, [bob_models["good"]]
    )
    bobs_tuner = store_tuner_run(
        bob,
        suite=bob_world["suite"],
        provider_id=bob_provider,
        model="good",
        model_ref_id=bob_models["good"],
        trials=[TrialRow("search", "complete", {"temperature": 0.1}, 0.5)],
    )
    # Bob files Alice's run into his experiment; Bob files his run into Alice's experiment.
    _error(
        bob.call(
            "POST",
            f"/api/experiments/{bobs_experiment['id']}/runs",
            json={"kind": "tuner", "ref_id": tuner.id},
        ),
        404,
        "not_found",
    )
    for body in (
        {"target": "experiment", "experiment_id": mine["id"]},
        {"target": "experiment", "experiment_id": bobs_experiment["id"]},
    ):
        run_id = bobs_tuner.id if body["experiment_id"] == mine["id"] else tuner.id
        response = bob.call("POST", f"/api/tuning/runs/{run_id}/apply", json=body)
        _error(response, 404, "not_found")
    _error(
        bob.call("DELETE", f"/api/experiments/{mine['id']}/runs/tuner/{tuner.id}"),
        404,
        "not_found",
    )
    assert _tuner_results(bob.ok("GET", f"/api/experiments/{bobs_experiment['id']}")) == []
    alice_view = api.as_user(alice).ok("GET", f"/api/experiments/{mine['id']}")
    assert _tuner_results(alice_view) == [] and alice_view["run_count"] == 0
