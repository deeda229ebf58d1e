"""Filing rules and tenancy of experiments: another profile is shown apart, a run is in one
experiment at a time (409 `already_filed` unless moved), unfiling, create validation, and
another user's experiment answering 404 everywhere."""

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
)

from benchstudio.config import Settings


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    with SimulatorThread() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _world(api: Any, simulator: Any, email: str) -> dict[str, Any]:
    api.sign_up(email)
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good", "sloppy"])
    return {"suite": suite["id"], "provider": provider, "models": models}


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


def test_another_profile_is_apart_and_filing_moves_only_when_asked(
    api: Api, simulator: SimulatorThread
) -> None:
    world = _world(api, simulator, "alice@example.com")
    suite, provider, models = world["suite"], world["provider"], world["models"]
    first = create_experiment(api, suite, provider, [models["sloppy"]])
    second = create_experiment(api, suite, provider, [models["good"]], name="Second")

    sloppy = finished_run(api, suite, provider, models["sloppy"], first["id"])
    strict = finished_run(api, suite, provider, models["good"], first["id"], profile="strict")
    loose = finished_run(api, suite, provider, models["good"], None)
    assert loose["experiment_id"] is None
    detail = api.ok("GET", f"/api/experiments/{first['id']}")
    apart = result_of(detail, strict["id"])
    assert not apart["on_scale"] and not apart["is_best"]
    assert apart["off_scale_reason"] == "scored with profile strict; this experiment uses lenient"
    assert result_of(detail, sloppy["id"])["is_best"]

    # File the unfiled good run later: it becomes the best.
    filed = api.ok(
        "POST", f"/api/experiments/{first['id']}/runs", json={"kind": "eval", "ref_id": loose["id"]}
    )
    assert result_of(filed, loose["id"])["is_best"]
    assert filed["best_score"] == pytest.approx(pass_rate(loose))
    assert filed["comparison"]["best"]["ref_id"] == loose["id"]
    low, high = filed["comparison"]["ci95"]
    assert low <= filed["comparison"]["difference"] <= high

    # A run is in one experiment: filing it elsewhere is refused unless moved.
    body = {"kind": "eval", "ref_id": loose["id"]}
    error = _error(
        api.call("POST", f"/api/experiments/{second['id']}/runs", json=body), 409, "already_filed"
    )
    assert first["id"] in error["message"]
    moved = api.ok("POST", f"/api/experiments/{second['id']}/runs?move=true", json=body)
    assert [r["ref_id"] for r in moved["results"]] == [loose["id"]]
    back = api.ok("GET", f"/api/experiments/{first['id']}")
    assert loose["id"] not in {r["ref_id"] for r in back["results"]}

    # Unfile: the run is kept, filed under nothing; unfiling what is not here is a 404.
    unfiled = api.ok("DELETE", f"/api/experiments/{second['id']}/runs/eval/{loose['id']}")
    assert unfiled["results"] == [] and unfiled["run_count"] == 0
    assert api.ok("GET", f"/api/evals/{loose['id']}")["experiment_id"] is None
    _error(
        api.call("DELETE", f"/api/experiments/{second['id']}/runs/eval/{loose['id']}"),
        404,
        "not_found",
    )

    # A chosen baseline that is unfiled falls back to the first result.
    api.ok(
        "POST", f"/api/experiments/{first['id']}/runs", json={"kind": "eval", "ref_id": loose["id"]}
    )
    chosen = api.ok(
        "PUT",
        f"/api/experiments/{first['id']}/baseline",
        json={"run_id": loose["id"], "target": "Good"},
    )
    assert chosen["baseline_chosen"]
    fallen = api.ok("DELETE", f"/api/experiments/{first['id']}/runs/eval/{loose['id']}")
    assert not fallen["baseline_chosen"]
    assert result_of(fallen, sloppy["id"])["is_baseline"]


def test_create_validates_the_suite_version_and_the_models(
    api: Api, simulator: SimulatorThread
) -> None:
    world = _world(api, simulator, "carol@example.com")
    suite, provider, models = world["suite"], world["provider"], world["models"]
    api.ok("PATCH", f"/api/suites/{suite}", json={"description": "v2"})
    pinned = create_experiment(api, suite, provider, [models["good"]], suite_version=1)
    assert pinned["suite_version"] == 1 and pinned["suite_name"]
    current = create_experiment(api, suite, provider, [models["good"]], profile="strict")
    assert (current["suite_version"], current["profile"]) == (2, "strict")
    body = {"name": "x", "suite_id": suite, "models": [{"provider_id": provider, "model_id": "m"}]}
    _error(
        api.call("POST", "/api/experiments", json={**body, "suite_version": 9}),
        422,
        "unknown_suite_version",
    )
    _error(
        api.call("POST", "/api/experiments", json={**body, "suite_id": "0" * 32}), 404, "not_found"
    )
    other = {**body, "models": [{"provider_id": "0" * 32, "model_id": "m"}]}
    _error(api.call("POST", "/api/experiments", json=other), 404, "not_found")
    renamed = api.ok(
        "PATCH", f"/api/experiments/{pinned['id']}", json={"name": "Pinned", "archived": True}
    )
    assert renamed["name"] == "Pinned" and renamed["archived"]
    listed = api.ok("GET", "/api/experiments")
    assert [e["id"] for e in listed["items"]] == [current["id"]]
    everything = api.ok("GET", "/api/experiments?include_archived=true&q=pinned")
    assert [e["id"] for e in everything["items"]] == [pinned["id"]]


def test_another_users_experiment_is_not_found_everywhere(
    api: Api, simulator: SimulatorThread
) -> None:
    alice_world = _world(api, simulator, "alice2@example.com")
    alice = api.as_user(api.token)
    experiment = create_experiment(
        alice, alice_world["suite"], alice_world["provider"], [alice_world["models"]["good"]]
    )
    exp_id = experiment["id"]
    alice_run = finished_run(
        alice, alice_world["suite"], alice_world["provider"], alice_world["models"]["good"], exp_id
    )
    bob = Api(api.client).sign_up("bob@example.com")
    bob_suite = bob.ok("POST", "/api/suites/sample", 201)
    bob_provider, bob_models = add_provider(bob, simulator.base_url, ["good"])
    for method, path, body in [
        ("GET", f"/api/experiments/{exp_id}", None),
        ("PATCH", f"/api/experiments/{exp_id}", {"name": "mine"}),
        ("DELETE", f"/api/experiments/{exp_id}", None),
        (
            "PUT",
            f"/api/experiments/{exp_id}/baseline",
            {"run_id": alice_run["id"], "target": "Good"},
        ),
        ("DELETE", f"/api/experiments/{exp_id}/baseline", None),
        ("POST", f"/api/experiments/{exp_id}/runs", {"kind": "eval", "ref_id": alice_run["id"]}),
        ("DELETE", f"/api/experiments/{exp_id}/runs/eval/{alice_run['id']}", None),
        ("POST", f"/api/experiments/{exp_id}/rerun-best", None),
    ]:
        _error(bob.call(method, path, json=body), 404, "not_found")
    assert bob.ok("GET", "/api/experiments")["items"] == []
    # Bob cannot file a run under Alice's experiment, at submit or later.
    submit = {
        "suite_id": bob_suite["id"],
        "targets": [{"provider_id": bob_provider, "model_id": bob_models["good"]}],
        "experiment_id": exp_id,
    }
    _error(bob.call("POST", "/api/evals", json=submit), 404, "not_found")
    assert bob.ok("GET", "/api/evals")["total"] == 0  # a refused submit leaves no run
    # ... and Alice cannot file Bob's run under hers.
    bob_run = finished_run(bob, bob_suite["id"], bob_provider, bob_models["good"], None)
    _error(
        alice.call(
            "POST",
            f"/api/experiments/{exp_id}/runs",
            json={"kind": "eval", "ref_id": bob_run["id"]},
        ),
        404,
        "not_found",
    )
    assert alice.ok("GET", f"/api/experiments/{exp_id}")["run_count"] == 1
    assert bob.ok("GET", f"/api/evals?experiment_id={exp_id}")["items"] == []
