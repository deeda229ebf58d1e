"""Global job slots cannot be filled with jobs that only hold them.

Issue 15 item 7: `demo.units` was public in every mode and took an unbounded `unit_ms`: four
accounts filled all 8 running slots. Now a server offers it only in test mode (or with
`BENCHSTUDIO_DEMO_JOBS` on), and every publicly submittable job type declares bounded
parameters: out-of-bound or unknown ones get a 422 before anything is queued.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from security_platform import create_app, sign_up

from benchstudio.config import Environment, Settings
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE, run_demo_units
from benchstudio.jobs.registry import JobType, no_cost
from platform_settings import make_settings, sqlite_database

BODY = {"type": DEMO_JOB_TYPE, "params": {"units": 1, "unit_ms": 1}}


def _client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def default_server(settings: Settings) -> Iterator[TestClient]:
    """A server as `serve` starts it: dev mode, `demo_jobs` unset."""
    yield from _client(settings.model_copy(update={"env": Environment.DEV, "demo_jobs": None}))


@pytest.fixture
def test_server(settings: Settings) -> Iterator[TestClient]:
    yield from _client(settings)


@pytest.mark.parametrize("env", list(Environment))
def test_demo_jobs_are_on_in_test_mode_only(env: Environment, tmp_path: Path) -> None:
    settings = make_settings(sqlite_database(tmp_path), tmp_path, env=env)
    assert settings.demo_jobs_enabled is (env is Environment.TEST)
    disabled = make_settings(sqlite_database(tmp_path), tmp_path, env=env, demo_jobs=False)
    assert not disabled.demo_jobs_enabled
    enabled = make_settings(sqlite_database(tmp_path), tmp_path, env=env, demo_jobs=True)
    assert enabled.demo_jobs_enabled


def test_a_normal_user_cannot_submit_the_demo_job_on_a_default_server(
    default_server: TestClient,
) -> None:
    user = sign_up(default_server, "slots@example.com")
    response = default_server.post("/api/jobs", json=BODY, headers=user.headers)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "unknown_job_type"
    listed = default_server.get("/api/jobs", headers=user.headers).json()
    assert listed["total"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"units": 1, "unit_ms": 10_000_000},
        {"units": 1, "unit_ms": 101},
        {"units": 1, "unit_ms": -1},
        {"units": 10_001},
        {"units": 0},
        {"units": 1, "fail_at": 10**12},
        {"units": 1, "sleep_s": 3600},
        {"units": "many"},
    ],
)
def test_public_job_params_beyond_their_bounds_are_refused(
    test_server: TestClient, params: dict[str, object]
) -> None:
    user = sign_up(test_server, "bounds@example.com")
    response = test_server.post(
        "/api/jobs", json={"type": DEMO_JOB_TYPE, "params": params}, headers=user.headers
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert any("params" in detail["loc"] for detail in error["details"]), error
    assert test_server.get("/api/jobs", headers=user.headers).json()["total"] == 0


def test_params_within_bounds_are_accepted(test_server: TestClient) -> None:
    user = sign_up(test_server, "within@example.com")
    response = test_server.post("/api/jobs", json=BODY, headers=user.headers)
    assert response.status_code == 202, response.text
    assert response.json()["params"] == {"units": 1, "unit_ms": 1}


def test_a_public_job_type_must_declare_bounded_params() -> None:
    with pytest.raises(ValueError, match="params_model"):
        JobType("example.unbounded", run_demo_units, estimate=no_cost, public_submit=True)
