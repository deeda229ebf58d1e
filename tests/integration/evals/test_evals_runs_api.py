"""Eval runs through the platform, end to end against the scripted simulator models:
submit → job with per-case events → results stored per case → summaries, drill-down, compare,
export, delete; cancel keeps finished cases; the run keeps its suite snapshot."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from evals_driver import Api, SimulatorThread, add_provider, app_api

from benchstudio.config import Settings
from benchstudio.toolcall.aggregate import compare_runs, summarize_verdicts
from benchstudio.toolcall.verdicts import CaseVerdict

SAMPLE_CASES = 8


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    with SimulatorThread() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _submit(api: Api, suite_id: str, provider: str, models: list[str], **extra: Any) -> Any:
    body = {
        "suite_id": suite_id,
        "targets": [{"provider_id": provider, "model_id": m} for m in models],
        **extra,
    }
    return api.ok("POST", "/api/evals", 202, json=body)


def _all_cases(api: Api, run_id: str) -> list[dict[str, Any]]:
    page = api.ok("GET", f"/api/evals/{run_id}/cases?limit=500")
    assert page["total"] == len(page["items"])
    return list(page["items"])


def _verdicts(api: Api, run_id: str, target: str) -> list[CaseVerdict]:
    rows = [r for r in _all_cases(api, run_id) if r["target"] == target]
    details = [api.ok("GET", f"/api/evals/{run_id}/cases/{r['id']}") for r in rows]
    return [CaseVerdict.model_validate(d["verdict"]) for d in details]


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value))


@pytest.fixture
def finished_run(api: Api, simulator: SimulatorThread) -> dict[str, Any]:
    api.sign_up("alice@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good", "sloppy"])
    submitted = _submit(
        api, suite["id"], provider, [models["good"], "sloppy"], concurrency=3, temperature=0
    )
    job = api.wait_job(submitted["job_id"], {"done", "failed", "cancelled"})
    assert job["status"] == "done", job
    return {"suite": suite, "run_id": submitted["run"]["id"], "job_id": submitted["job_id"]}


def test_eval_job_stores_every_case_and_summarises_them(
    api: Api, finished_run: dict[str, Any]
) -> None:
    run_id = finished_run["run_id"]
    detail = api.ok("GET", f"/api/evals/{run_id}")
    assert detail["status"] == "done" and detail["job"]["status"] == "done"
    assert detail["total_cases"] == detail["finished_cases"] == 2 * SAMPLE_CASES
    assert [t["label"] for t in detail["targets"]] == ["Good", "Sloppy"]
    assert [t["model_id"] for t in detail["targets"]] == ["good", "sloppy"]
    good, sloppy = detail["summaries"]["Good"], detail["summaries"]["Sloppy"]
    assert good["pass_rate"]["successes"] == SAMPLE_CASES
    assert sloppy["pass_rate"]["successes"] == 0
    assert sloppy["error_counts"]["wrong_argument"] >= 1
    assert set(good["by_category"]) == {
        "simple",
        "parallel",
        "multiple",
        "nested",
        "irrelevance",
        "multi_turn",
    }
    # The API's summary is the aggregate of the stored verdicts, to the digit.
    for label in ("Good", "Sloppy"):
        verdicts = _verdicts(api, run_id, label)
        expected = summarize_verdicts(verdicts, model=label, run_id=f"{run_id}:{label}")
        assert detail["summaries"][label] == _jsonable(dataclasses.asdict(expected))
    comparison = detail["comparisons"][0]
    paired = compare_runs(_verdicts(api, run_id, "Good"), _verdicts(api, run_id, "Sloppy"))
    assert comparison["test"] == "mcnemar_exact" and comparison["paired"]
    assert comparison["p_value"] == pytest.approx(paired.p_value)
    assert detail["summary"]["Good"]["passed"] == SAMPLE_CASES


def test_each_case_is_an_event_and_progress_reaches_100(
    api: Api, finished_run: dict[str, Any]
) -> None:
    events = api.events(finished_run["job_id"], "eval_case_result")
    assert len(events) == 2 * SAMPLE_CASES
    assert {(e["target"], e["case_id"]) for e in events} == {
        (r["target"], r["case_id"]) for r in _all_cases(api, finished_run["run_id"])
    }
    assert max(e["finished"] for e in events) == 2 * SAMPLE_CASES
    progress = api.events(finished_run["job_id"], "job_progress")
    assert progress and progress[-1]["percent"] == 100


def test_case_drill_down_explains_each_argument(api: Api, finished_run: dict[str, Any]) -> None:
    run_id = finished_run["run_id"]
    rows = api.ok("GET", f"/api/evals/{run_id}/cases?target=Sloppy&category=simple")["items"]
    weather = next(r for r in rows if r["case_id"] == "weather-single")
    detail = api.ok("GET", f"/api/evals/{run_id}/cases/{weather['id']}")
    assert detail["passed"] is False and detail["error_category"] == "wrong_argument"
    assert detail["exchanges"][0]["request"]["tools"][0] == "get_weather"
    assert detail["actual_calls"][0]["name"] == "get_weather"
    assert detail["expected_calls"][0]["name"] == "get_weather"
    city = next(a for a in detail["argument_checks"][0]["arguments"] if a["name"] == "city")
    assert city["status"] == "failed" and city["actual"] == "Lyon"
    assert "Paris" in json.dumps(city["expected"])
    good = api.ok("GET", f"/api/evals/{run_id}/cases?target=Good&passed=false")
    assert good["total"] == 0


def test_history_search_filters_compare_export_and_delete(
    api: Api, finished_run: dict[str, Any]
) -> None:
    run_id = finished_run["run_id"]
    assert api.ok("GET", "/api/evals?search=SLOPPY")["total"] == 1
    assert api.ok("GET", "/api/evals?search=nothing-like-it")["total"] == 0
    assert api.ok("GET", "/api/evals?status=done&profile=lenient")["total"] == 1
    assert api.ok("GET", "/api/evals?status=failed")["total"] == 0
    compared = api.ok("GET", f"/api/evals/{run_id}/compare?target_a=Good&target_b=Sloppy")
    assert compared[0]["only_a_passed"] == SAMPLE_CASES and compared[0]["significant"]
    ambiguous = api.call("GET", f"/api/evals/{run_id}/compare?other={run_id}&target_a=Nobody")
    assert ambiguous.status_code == 422
    # Another run with only the sloppy model: paired with this run's target of the same name.
    provider = api.ok("GET", f"/api/evals/{run_id}")["targets"][1]["provider_id"]
    again = _submit(api, finished_run["suite"]["id"], provider, ["sloppy"])
    api.wait_job(again["job_id"], {"done"})
    across = api.ok("GET", f"/api/evals/{run_id}/compare?other={again['run']['id']}")
    assert [(c["target_a"], c["target_b"]) for c in across] == [("Sloppy", "Sloppy")]
    assert across[0]["paired"] and across[0]["p_value"] == 1.0
    missing = api.call("GET", f"/api/evals/{run_id}/compare?other=0000000000000000000000")
    assert missing.status_code == 404
    api.ok("DELETE", f"/api/evals/{again['run']['id']}", 204)

    exported = json.loads(api.call("GET", f"/api/evals/{run_id}/export").text)
    assert len(exported["results"]) == 2 * SAMPLE_CASES
    assert exported["suite"]["name"] == finished_run["suite"]["name"]
    detail = api.ok("GET", f"/api/evals/{run_id}")
    assert exported["summaries"] == detail["summaries"]
    text = api.call("GET", f"/api/evals/{run_id}/export?format=csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 * SAMPLE_CASES
    assert sum(r["pass"] == "true" for r in rows) == SAMPLE_CASES

    api.ok("DELETE", f"/api/evals/{run_id}", 204)
    assert api.call("GET", f"/api/evals/{run_id}").status_code == 404
    assert api.ok("GET", "/api/evals")["total"] == 0


def test_a_run_keeps_its_suite_snapshot_after_edits(api: Api, finished_run: dict[str, Any]) -> None:
    suite_id, run_id = finished_run["suite"]["id"], finished_run["run_id"]
    api.ok("DELETE", f"/api/suites/{suite_id}/cases/weather-single")
    api.ok("PATCH", f"/api/suites/{suite_id}", json={"name": "Renamed"})
    api.ok("DELETE", f"/api/suites/{suite_id}", 204)
    detail = api.ok("GET", f"/api/evals/{run_id}")
    assert detail["suite_version"] == 1 and detail["suite_name"] != "Renamed"
    row = next(r for r in _all_cases(api, run_id) if r["case_id"] == "weather-single")
    case = api.ok("GET", f"/api/evals/{run_id}/cases/{row['id']}")
    assert case["case"]["id"] == "weather-single"


def test_cancel_keeps_the_finished_cases(api: Api, simulator: SimulatorThread) -> None:
    api.sign_up("carol@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["slow"])
    submitted = _submit(api, suite["id"], provider, [models["slow"]], concurrency=1)
    job_id, run_id = submitted["job_id"], submitted["run"]["id"]
    while not api.events(job_id, "eval_case_result"):
        assert api.ok("GET", f"/api/jobs/{job_id}")["status"] in {"queued", "running"}
    api.ok("POST", f"/api/jobs/{job_id}/cancel")
    api.wait_job(job_id, {"cancelled", "done", "failed"})
    detail = api.ok("GET", f"/api/evals/{run_id}")
    assert detail["status"] == "cancelled" and detail["job"]["status"] == "cancelled"
    stored = _all_cases(api, run_id)
    assert 1 <= len(stored) < SAMPLE_CASES
    assert detail["finished_cases"] == len(stored)
    assert detail["summaries"]["Slow"]["cases"] == len(stored)
    assert len(api.events(job_id, "eval_case_result")) == len(stored)
    assert api.ok("GET", "/api/evals?status=cancelled")["total"] == 1


def test_submit_checks_suite_targets_and_tool_choice(api: Api, simulator: SimulatorThread) -> None:
    api.sign_up("dave@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good"])
    target = [{"provider_id": provider, "model_id": models["good"]}]
    bad_choice = {"suite_id": suite["id"], "targets": target, "tool_choice": "fly_to_moon"}
    assert api.call("POST", "/api/evals", json=bad_choice).status_code == 422
    no_version = {"suite_id": suite["id"], "suite_version": 9, "targets": target}
    assert api.call("POST", "/api/evals", json=no_version).status_code == 404
    other_provider = {
        "suite_id": suite["id"],
        "targets": [{"provider_id": "0" * 32, "model_id": "good"}],
    }
    assert api.call("POST", "/api/evals", json=other_provider).status_code == 404
    forced = _submit(
        api,
        suite["id"],
        provider,
        [models["good"]],
        tool_choice="get_weather",
        params={"top_p": 0.5},
        profile="strict",
    )
    job = api.wait_job(forced["job_id"], {"done", "failed", "cancelled"})
    assert job["status"] == "done"
    detail = api.ok("GET", f"/api/evals/{forced['run']['id']}")
    assert detail["profile"] == "strict" and detail["settings"]["tool_choice"] == "get_weather"
    row = _all_cases(api, forced["run"]["id"])[0]
    request = api.ok("GET", f"/api/evals/{forced['run']['id']}/cases/{row['id']}")["exchanges"][0]
    assert request["request"]["tool_choice"]["function"]["name"] == "get_weather"
    assert request["request"]["params"].get("top_p") == 0.5


def test_an_ad_hoc_model_id_runs_and_is_stored_with_the_run(
    api: Api, simulator: SimulatorThread
) -> None:
    """A model id the catalog does not list is sent as given, as in benchmarks (issue 17, 2)."""
    api.sign_up("erin@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, _ = add_provider(api, simulator.base_url, ["good"])
    submitted = _submit(api, suite["id"], provider, ["sloppy"])
    job = api.wait_job(submitted["job_id"], {"done", "failed", "cancelled"})
    assert job["status"] == "done", job
    run_id = submitted["run"]["id"]
    detail = api.ok("GET", f"/api/evals/{run_id}")
    [target] = detail["targets"]
    assert target["model_id"] == "sloppy" and target["label"] == "sloppy"
    assert target["ad_hoc"] is True and target["model_ref_id"] is None
    assert detail["summaries"]["sloppy"]["cases"] == SAMPLE_CASES
    assert detail["models"] == ["sloppy"]
    history = api.ok("GET", "/api/evals?search=sloppy")
    assert [r["id"] for r in history["items"]] == [run_id]
    assert history["items"][0]["models"] == ["sloppy"]
