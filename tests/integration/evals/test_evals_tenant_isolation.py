"""Another user's suites, runs and case results answer 404 on every route, like missing ones,
and nothing of theirs shows up in lists, searches, comparisons or new runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


def _alice_world(api: Api, simulator: SimulatorThread) -> dict[str, Any]:
    api.sign_up("alice@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good"])
    body = {"suite_id": suite["id"], "targets": [{"provider_id": provider, "model_id": "good"}]}
    submitted = api.ok("POST", "/api/evals", 202, json=body)
    api.wait_job(submitted["job_id"], {"done"})
    run_id = submitted["run"]["id"]
    case = api.ok("GET", f"/api/evals/{run_id}/cases?limit=1")["items"][0]
    return {
        "token": api.token,
        "suite": suite["id"],
        "provider": provider,
        "model": models["good"],
        "run": run_id,
        "case": case["id"],
    }


def test_every_route_hides_other_users_objects(api: Api, simulator: SimulatorThread) -> None:
    alice = _alice_world(api, simulator)
    bob = api.as_user(api.sign_up("bob@example.com").token)
    s, r, c = alice["suite"], alice["run"], alice["case"]
    sample_case = {
        "id": "new",
        "prompt": "hi",
        "expected_calls": [],
    }
    routes: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/api/suites/{s}", {}),
        ("PUT", f"/api/suites/{s}", {"json": {"name": "mine now"}}),
        ("PATCH", f"/api/suites/{s}", {"json": {"name": "mine now"}}),
        ("DELETE", f"/api/suites/{s}", {}),
        ("GET", f"/api/suites/{s}/versions", {}),
        ("GET", f"/api/suites/{s}/versions/1", {}),
        ("POST", f"/api/suites/{s}/versions/1/restore", {}),
        ("POST", f"/api/suites/{s}/cases", {"json": {"cases": [sample_case]}}),
        ("DELETE", f"/api/suites/{s}/cases/weather-single", {}),
        ("GET", f"/api/suites/{s}/export", {}),
        ("GET", f"/api/evals/{r}", {}),
        ("GET", f"/api/evals/{r}/cases", {}),
        ("GET", f"/api/evals/{r}/cases/{c}", {}),
        ("GET", f"/api/evals/{r}/export", {}),
        ("GET", f"/api/evals/{r}/export?format=csv", {}),
        ("GET", f"/api/evals/{r}/compare", {}),
        ("DELETE", f"/api/evals/{r}", {}),
        (
            "POST",
            "/api/evals",
            {
                "json": {
                    "suite_id": s,
                    "targets": [{"provider_id": alice["provider"], "model_id": alice["model"]}],
                }
            },
        ),
    ]
    for method, path, extra in routes:
        response = bob.call(method, path, **extra)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
        assert response.json()["error"]["code"] == "not_found", (method, path)
    # Bob's own suite cannot be run on Alice's provider or model either.
    own = bob.ok("POST", "/api/suites/sample", 201)
    borrowed = {
        "suite_id": own["id"],
        "targets": [{"provider_id": alice["provider"], "model_id": alice["model"]}],
    }
    assert bob.call("POST", "/api/evals", json=borrowed).status_code == 404
    assert bob.ok("GET", "/api/evals")["total"] == 0
    assert bob.ok("GET", "/api/suites")["total"] == 1
    assert bob.ok("GET", "/api/evals?search=good")["total"] == 0
    # Nothing of Alice's changed.
    alice_api = api.as_user(alice["token"])
    assert alice_api.ok("GET", f"/api/suites/{s}")["version"] == 1
    assert alice_api.ok("GET", f"/api/evals/{r}")["finished_cases"] == 8
