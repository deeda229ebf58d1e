"""Comparative and cross-case judging through the API, end to end against the simulator:
a judge that always picks A gives 100% inconsistency and a 50% win rate; different suite
versions are refused with the reason; a cross-case report needs judged cases, grades from the
figures and checks the cited case ids (the simulator's findings, map and reduce)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from benchstudio.config import Settings
from benchstudio.judge.service import prompt_source
from benchstudio.storage.service_context import ServiceContext


def _evals_driver() -> Any:
    if "evals_driver" in sys.modules:
        return sys.modules["evals_driver"]
    path = Path(__file__).parents[1] / "evals" / "evals_driver.py"
    spec = importlib.util.spec_from_file_location("evals_driver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["evals_driver"] = module
    spec.loader.exec_module(module)
    return module


DRIVER = _evals_driver()
ENDED = {"done", "failed", "cancelled", "interrupted"}
CASES = 8
BODIES = {
    "builtin-judge-compare": (
        "Which transcript is better (judge_comparison)? [sim-judge: favour;position=A]\n"
        "{tools}\n{case_prompt}\n{expected_calls}\nA:\n{transcript_a}\nB:\n{transcript_b}"
    ),
    "builtin-judge-verdict": (
        "Grade the case (judge_verdict). [sim-judge: verdict;verdict=pass;score=4]\n"
        "{tools}\n{case_prompt}\n{expected_calls}\n{transcript}\n{automated_result}"
    ),
    "builtin-judge-report": (
        "Review (judge_report). [sim-judge: report;unknown=no-such-case]\n{figures}\n{chunk}\n"
        "---REDUCE---\nMerge.\n{figures}\n{partials}"
    ),
}


@dataclass(frozen=True)
class _Prompt:
    entry_id: str
    version: int
    body: str


async def _resolve(ctx: ServiceContext, entry_id: str, version: int | None) -> _Prompt:
    from benchstudio.core.errors import NotFoundError

    if entry_id not in BODIES:
        raise NotFoundError("No such prompt.")
    return _Prompt(entry_id, 1, BODIES[entry_id])


@pytest.fixture(scope="module")
def simulator() -> Iterator[Any]:
    with DRIVER.SimulatorThread() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(prompt_source, "_resolver", [_resolve])
    # The app wires the real library at start-up: keep these scripted bodies.
    monkeypatch.setattr("benchstudio.app.register_prompt_source", lambda *_: None)
    yield from DRIVER.app_api(settings)


def _world(api: Any, base_url: str) -> dict[str, Any]:
    api.sign_up("judge-compare@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = DRIVER.add_provider(api, base_url, ["judge"])
    return {"suite": suite["id"], "provider": provider, "judge": models["judge"]}


def _eval(api: Any, world: dict[str, Any], models: list[str]) -> str:
    body = {
        "suite_id": world["suite"],
        "targets": [{"provider_id": world["provider"], "model_id": m} for m in models],
    }
    submitted = api.ok("POST", "/api/evals", 202, json=body)
    assert api.wait_job(submitted["job_id"], ENDED)["status"] == "done"
    return str(submitted["run"]["id"])


def _finish(api: Any, submitted: dict[str, Any]) -> dict[str, Any]:
    job = api.wait_job(submitted["job_id"], ENDED)
    report: dict[str, Any] = api.ok("GET", f"/api/judge/reports/{submitted['report_id']}")
    report["job"] = job
    return report


def test_a_judge_that_always_picks_a_is_inconsistent_on_every_case(
    api: Any, simulator: Any
) -> None:
    world = _world(api, simulator.base_url)
    run = _eval(api, world, ["good", "sloppy"])
    body = {
        "a": {"eval_run_id": run, "target": "good"},
        "b": {"eval_run_id": run, "target": "sloppy"},
        "judge_model_ref_id": world["judge"],
    }
    report = _finish(api, api.ok("POST", "/api/judge/comparisons", 202, json=body))
    assert report["job"]["status"] == "done", report["job"]
    assert report["kind"] == "comparative" and report["status"] == "done"
    assert (report["other_eval_run_id"], report["other_target"]) == (run, "sloppy")
    summary = report["comparative"]
    assert summary["n"] == CASES and summary["ties"] == CASES
    assert summary["win_rate"] == 0.5 and summary["inconsistency_rate"] == 1.0
    assert summary["ci_low"] < 0.5 < summary["ci_high"]
    assert len(summary["flagged"]) == CASES
    pairs = api.ok("GET", f"/api/judge/reports/{report['id']}/pairs")
    assert len(pairs) == CASES
    assert {(p["first_order"], p["second_order"], p["outcome"]) for p in pairs} == {
        ("A", "A", "tie")
    }
    assert all(p["inconsistent"] for p in pairs)
    events = api.events(report["job_id"], "judge_pair")
    assert len(events) == CASES and "good" not in json.dumps(pairs)

    other = DRIVER.Api(api.client).sign_up("someone-else@example.com")
    assert other.call("GET", f"/api/judge/reports/{report['id']}/pairs").status_code == 404


def test_different_suite_versions_are_refused_with_both_named(api: Any, simulator: Any) -> None:
    world = _world(api, simulator.base_url)
    first = _eval(api, world, ["good"])
    content = api.ok("GET", f"/api/suites/{world['suite']}")
    suite = content.get("content") or content["suite"]
    suite["cases"] = suite["cases"][:-1]
    api.ok("PUT", f"/api/suites/{world['suite']}", json=suite)
    second = _eval(api, world, ["good"])
    body = {
        "a": {"eval_run_id": first, "target": "good"},
        "b": {"eval_run_id": second, "target": "good"},
        "judge_model_ref_id": world["judge"],
    }
    refused = api.call("POST", "/api/judge/comparisons", json=body)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "suite_version_mismatch"
    assert "v1" in error["message"] and "v2" in error["message"]
    assert api.ok("GET", "/api/judge/reports") == []


def test_a_cross_case_report_needs_judged_cases_then_grades_and_checks_citations(
    api: Any, simulator: Any
) -> None:
    """The simulator writes the findings (map over chunks, then reduce): a window this small
    holds a few case summaries per chunk, and the report prompt asks it to cite one case it
    was never sent."""
    world = _world(api, simulator.base_url)
    small = {"provider_id": world["provider"], "model_id": "judge", "display_name": "Small judge"}
    small_judge = api.ok("POST", "/api/models", 201, json={**small, "context_window": 2300})
    run = _eval(api, world, ["sloppy"])
    body = {"eval_run_id": run, "target": "sloppy", "judge_model_ref_id": world["judge"]}
    refused = api.call("POST", "/api/judge/reports", json=body)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "judge_cases_first"

    judged = api.ok("POST", "/api/judge/runs", 202, json=body)
    assert api.wait_job(judged["job_id"], ENDED)["status"] == "done"
    cases = api.ok("GET", f"/api/judge/reports/{judged['report_id']}/cases")
    assert len(cases) == CASES
    failed: dict[str, list[str]] = {}
    for case in cases:
        if not case["automated_pass"]:
            failed.setdefault(case["category"], []).append(case["case_id"])
    assert failed, "the sloppy model fails some sample cases"

    before = len(simulator.request_log())
    body["judge_model_ref_id"] = small_judge["id"]
    report = _finish(api, api.ok("POST", "/api/judge/reports", 202, json=body))
    assert report["job"]["status"] == "done", report["job"]
    summary = report["cross_case"]
    # Two map calls or more (one per chunk) and at least one reduce, each answered at once.
    calls = [r for r in simulator.request_log()[before:] if r["model"] == "judge"]
    assert len(calls) >= 3 and all(r["status"] == 200 for r in calls), calls
    passed = CASES - sum(len(ids) for ids in failed.values())
    # The scripted judge gives 4 of 5 everywhere; the grade follows the figures.
    assert summary["pass_rate"] == passed / CASES and summary["mean_score"] == 4.0
    assert len(summary["used_case_ids"]) == CASES
    # The unknown id was dropped and counted; every cited id is a failed case of its category.
    assert summary["dropped_citations"] == 1
    cited: dict[str, list[str]] = {}
    for pattern in summary["failure_patterns"]:
        cited.setdefault(pattern["category"], []).extend(pattern["case_ids"])
    assert {k: sorted(v) for k, v in cited.items()} == {k: sorted(v) for k, v in failed.items()}
    recommended = {i for r in summary["recommendations"] for i in r["case_ids"]}
    assert recommended == {i for ids in failed.values() for i in ids}
    assert all(r["kind"] in ("prompt", "other") for r in summary["recommendations"])
    weak = {w.split(" of ")[0] for w in summary["weaknesses"]}
    assert weak and all(w.startswith("Fails ") for w in weak)
    assert len(summary["strengths"]) + len(summary["weaknesses"]) >= 2
