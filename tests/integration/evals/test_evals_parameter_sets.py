"""Parameter sets on eval targets: the set lies under the run's and the target's explicit
parameters, the applied values are stored with the run's targets, and another user's set is
refused like a missing one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from evals_driver import Api, SimulatorThread, add_provider, app_api

from benchstudio.config import Settings


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    with SimulatorThread() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def test_eval_targets_store_the_applied_set_and_explicit_values_win(
    api: Api, simulator: SimulatorThread
) -> None:
    api.sign_up("eval-sets@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good"])
    params = {"temperature": 0.7, "top_p": 0.4, "seed": 3}
    the_set = api.ok(
        "POST",
        "/api/parameter-sets",
        201,
        json={"name": "Steady", "model_ref_id": models["good"], "params": params},
    )
    target = {
        "provider_id": provider,
        "model_id": models["good"],
        "parameter_set_id": the_set["id"],
        "params": {"seed": 11},
    }
    body = {"suite_id": suite["id"], "targets": [target], "temperature": 0}
    submitted = api.ok("POST", "/api/evals", 202, json=body)
    job = api.wait_job(submitted["job_id"], {"done", "failed", "cancelled"})
    assert job["status"] == "done", job
    stored = api.ok("GET", f"/api/evals/{submitted['run']['id']}")["targets"][0]
    assert stored["parameter_set_id"] == the_set["id"]
    assert stored["parameter_set_name"] == "Steady"
    # temperature (the run's) and seed (the target's) were explicit: only top_p came from the set.
    assert stored["parameter_set_params"] == {"top_p": 0.4}


def test_another_users_set_is_refused_on_an_eval_target(
    api: Api, simulator: SimulatorThread
) -> None:
    api.sign_up("eval-sets-owner@example.com")
    theirs = api.ok("POST", "/api/parameter-sets", 201, json={"name": "A", "params": {}})
    api.sign_up("eval-sets-intruder@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good"])
    target = {"provider_id": provider, "model_id": models["good"], "parameter_set_id": theirs["id"]}
    response = api.call("POST", "/api/evals", json={"suite_id": suite["id"], "targets": [target]})
    assert response.status_code == 404, response.text
    assert response.json()["error"]["message"] == "No such parameter set."
    assert api.ok("GET", "/api/evals")["total"] == 0
