"""Judging that rides along an eval job: live judging (a report in mode 'live', charged to the
eval's job, stopped by its cancel) and the auto-judge (failed cases of a run below the user's
threshold, never a case judged twice)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from judge_driver import GOLDEN, JUDGE_SUITE, Api, JudgeSimulator, app_api, ensure_prompt_source
from sqlalchemy import select

from benchstudio.config import Settings
from benchstudio.jobs.models import JobSpend
from benchstudio.storage.unit_of_work import read_unit

ENDED = {"done", "failed", "cancelled", "interrupted"}


@pytest.fixture(scope="module")
def simulator() -> Iterator[JudgeSimulator]:
    with JudgeSimulator() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    ensure_prompt_source()
    yield from app_api(settings)


def _world(api: Api, base_url: str, judge_model: str = "judge") -> dict[str, Any]:
    api.sign_up("live-owner@example.com")
    suite = api.ok("POST", "/api/suites", 201, json=JUDGE_SUITE)
    body = {"name": "Sim", "protocol": "openai", "base_url": base_url + "/v1"}
    provider = api.ok("POST", "/api/providers", 201, json=body)
    judge = api.ok(
        "POST",
        "/api/models",
        201,
        json={
            "provider_id": provider["id"],
            "model_id": judge_model,
            "input_price": 1.0,
            "output_price": 2.0,
        },
    )
    return {"suite": suite["id"], "provider": provider["id"], "judge": judge["id"]}


def _submit(api: Api, world: dict[str, Any], model: str, judge: dict[str, Any]) -> Any:
    body = {
        "suite_id": world["suite"],
        "targets": [{"provider_id": world["provider"], "model_id": model}],
        "concurrency": 1,
        "judge": {"judge_model_ref_id": world["judge"], **judge},
    }
    return api.ok("POST", "/api/evals", 202, json=body)


def _reports(api: Api, run_id: str) -> list[dict[str, Any]]:
    return list(api.ok("GET", f"/api/judge/reports?eval_run_id={run_id}"))


def _charged(api: Api, job_id: str) -> float:
    async def read() -> float:
        async with read_unit(api.client.app.state.database) as session:
            row = await session.execute(select(JobSpend).where(JobSpend.job_id == job_id))
            return float(row.scalar_one().charged_usd)

    return float(api.client.portal.call(read))


def test_live_judging_writes_a_live_report_charged_to_the_eval_job(
    api: Api, simulator: JudgeSimulator
) -> None:
    world = _world(api, simulator.base_url)
    submitted = _submit(api, world, "weatherbot", {"live": True})
    job = api.wait_job(submitted["job_id"], ENDED)
    assert job["status"] == "done", job
    (report,) = _reports(api, submitted["run"]["id"])
    assert report["mode"] == "live" and report["status"] == "done"
    assert report["job_id"] == submitted["job_id"]
    rows = {r["case_id"]: r for r in api.ok("GET", f"/api/judge/reports/{report['id']}/cases")}
    assert {c: (r["verdict"], r["score"]) for c, r in rows.items()} == GOLDEN
    detail = api.ok("GET", f"/api/judge/reports/{report['id']}")
    assert detail["cost_usd"] > 0
    assert _charged(api, submitted["job_id"]) == pytest.approx(detail["cost_usd"])
    events = api.events(submitted["job_id"], "judge_case_verdict")
    assert len(events) == 5


def test_cancelling_the_eval_job_stops_live_judging(api: Api, simulator: JudgeSimulator) -> None:
    world = _world(api, simulator.base_url, judge_model="slowjudge")
    submitted = _submit(api, world, "slowbot", {"live": True})
    run_id = submitted["run"]["id"]
    deadline = time.monotonic() + 30
    while not any(r["status"] == "running" for r in _reports(api, run_id)):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    while api.ok("GET", f"/api/evals/{run_id}")["finished_cases"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    started = time.monotonic()
    api.ok("POST", f"/api/jobs/{submitted['job_id']}/cancel")
    job = api.wait_job(submitted["job_id"], ENDED, timeout_s=30)
    assert job["status"] == "cancelled"
    assert time.monotonic() - started < 20  # not the judge's two-minute answer
    (report,) = _reports(api, run_id)
    assert report["status"] == "cancelled" and report["mode"] == "live"


def test_auto_judge_judges_failed_cases_below_the_threshold(
    api: Api, simulator: JudgeSimulator
) -> None:
    world = _world(api, simulator.base_url)
    submitted = _submit(api, world, "weatherbot", {"auto_judge_below": 90})
    assert api.wait_job(submitted["job_id"], ENDED)["status"] == "done"
    run_id = submitted["run"]["id"]
    deadline = time.monotonic() + 30
    while not _reports(api, run_id):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (report,) = _reports(api, run_id)
    assert report["mode"] == "auto" and report["scope"] == "failed"
    assert api.wait_job(report["job_id"], ENDED)["status"] == "done"
    cases = api.ok("GET", f"/api/judge/reports/{report['id']}/cases")
    assert {c["case_id"] for c in cases} == {"oslo", "lima"}  # the run's failed cases


def test_auto_judge_never_judges_a_case_twice(api: Api, simulator: JudgeSimulator) -> None:
    world = _world(api, simulator.base_url)
    submitted = _submit(api, world, "weatherbot", {"live": True, "auto_judge_below": 90})
    assert api.wait_job(submitted["job_id"], ENDED)["status"] == "done"
    time.sleep(1.0)  # past the dispatcher's tick: an auto job would be listed by now
    reports = _reports(api, submitted["run"]["id"])
    # Live judging judged every case, failed ones included: nothing is left for the auto-judge.
    assert [r["mode"] for r in reports] == ["live"]


def test_auto_judge_stays_quiet_above_the_threshold(api: Api, simulator: JudgeSimulator) -> None:
    world = _world(api, simulator.base_url)
    submitted = _submit(api, world, "weatherbot", {"auto_judge_below": 50})
    assert api.wait_job(submitted["job_id"], ENDED)["status"] == "done"
    assert _reports(api, submitted["run"]["id"]) == []
