"""A finished run whose suite was deleted: its detail says so (`suite_exists`, owner-scoped),
and its drill-down, compare and export still work from the run's own snapshot."""

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


def test_a_run_of_a_deleted_suite_says_so_and_still_opens(
    api: Api, simulator: SimulatorThread
) -> None:
    api.sign_up("dana@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good", "sloppy"])
    body = {
        "suite_id": suite["id"],
        "targets": [{"provider_id": provider, "model_id": m} for m in models.values()],
    }
    submitted = api.ok("POST", "/api/evals", 202, json=body)
    run_id = submitted["run"]["id"]
    api.wait_job(submitted["job_id"], {"done"})
    assert api.ok("GET", f"/api/evals/{run_id}")["suite_exists"] is True

    api.ok("DELETE", f"/api/suites/{suite['id']}", 204)
    detail = api.ok("GET", f"/api/evals/{run_id}")
    assert detail["suite_exists"] is False
    assert detail["suite_name"] == "Weather and travel (sample)"
    cases = api.ok("GET", f"/api/evals/{run_id}/cases?limit=500")["items"]
    assert len(cases) == 16
    drilled = api.ok("GET", f"/api/evals/{run_id}/cases/{cases[0]['id']}")
    assert (
        drilled["case_id"] == cases[0]["case_id"] and drilled["case"]["id"] == cases[0]["case_id"]
    )
    compared = api.ok("GET", f"/api/evals/{run_id}/compare?target_a=Good&target_b=Sloppy")
    assert compared[0]["target_a"] == "Good" and compared[0]["target_b"] == "Sloppy"
    assert api.call("GET", f"/api/evals/{run_id}/export?format=json").status_code == 200

    # Another user's suite of the same id is never consulted: their view of the run is a 404.
    api.sign_up("erin@example.com")
    assert api.call("GET", f"/api/evals/{run_id}").status_code == 404
