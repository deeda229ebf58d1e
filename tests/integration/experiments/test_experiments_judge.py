"""Judge reports in experiments: a report started on a filed eval run inherits its experiment
(unless the request names one), shows the judge pass rate and is never baseline or best; it
can be unfiled and filed again, and deleting the experiment unfiles it."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchstudio.config import Settings


def _judge_driver() -> Any:
    """The judge tests' driver (scripted judge simulator, suite and golden verdicts)."""
    if "judge_driver" in sys.modules:
        return sys.modules["judge_driver"]
    path = Path(__file__).parents[1] / "judge" / "judge_driver.py"
    spec = importlib.util.spec_from_file_location("judge_driver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["judge_driver"] = module
    spec.loader.exec_module(module)
    return module


DRIVER = _judge_driver()
ENDED = {"done", "failed", "cancelled", "interrupted"}


@pytest.fixture(scope="module")
def simulator() -> Iterator[Any]:
    with DRIVER.JudgeSimulator() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings) -> Iterator[Any]:
    DRIVER.ensure_prompt_source()
    yield from DRIVER.app_api(settings)


def _wait(api: Any, submitted: dict[str, Any]) -> None:
    job = api.wait_job(submitted["job_id"], ENDED)
    assert job["status"] == "done", job


def test_a_judge_report_inherits_the_runs_experiment_and_is_never_best(
    api: Any, simulator: Any
) -> None:
    api.sign_up("judge-owner@example.com")
    suite = api.ok("POST", "/api/suites", 201, json=DRIVER.JUDGE_SUITE)
    body = {"name": "Sim", "protocol": "openai", "base_url": simulator.base_url + "/v1"}
    provider = api.ok("POST", "/api/providers", 201, json=body)["id"]
    judge = api.ok("POST", "/api/models", 201, json={"provider_id": provider, "model_id": "judge"})
    models = [{"provider_id": provider, "model_id": "weatherbot"}]
    experiment = api.ok(
        "POST",
        "/api/experiments",
        201,
        json={"name": "Weather", "suite_id": suite["id"], "models": models},
    )
    other = api.ok(
        "POST",
        "/api/experiments",
        201,
        json={"name": "Other", "suite_id": suite["id"], "models": models},
    )
    exp_id = experiment["id"]
    submitted = api.ok(
        "POST",
        "/api/evals",
        202,
        json={"suite_id": suite["id"], "targets": models, "experiment_id": exp_id},
    )
    _wait(api, submitted)
    run_id = submitted["run"]["id"]
    judge_in = {
        "eval_run_id": run_id,
        "target": "weatherbot",
        "judge_model_ref_id": judge["id"],
        "prompt_entry_id": DRIVER.VERDICT_PROMPT_ID,
    }
    judged = api.ok("POST", "/api/judge/runs", 202, json=judge_in)
    _wait(api, judged)
    report = api.ok("GET", f"/api/judge/reports/{judged['report_id']}")
    assert report["experiment_id"] == exp_id
    summary = report["cases_summary"]
    assert (summary["pass_count"], summary["judged"]) == (2, 4)

    detail = api.ok("GET", f"/api/experiments/{exp_id}")
    assert detail["run_count"] == 2
    (point,) = [r for r in detail["results"] if r["kind"] == "judge"]
    assert point["ref_id"] == report["id"] and point["eval_run_id"] == run_id
    assert point["score"] == pytest.approx(0.5) and (point["passed"], point["total"]) == (2, 4)
    assert point["on_scale"] and not point["is_best"] and not point["is_baseline"]
    assert point["label"] == "Judge: weatherbot (judge)"
    (evaluated,) = [r for r in detail["results"] if r["kind"] == "eval"]
    assert evaluated["is_best"] and evaluated["is_baseline"]
    assert detail["best_score"] == evaluated["score"]  # the judge's rate is not the best
    # Eval results come first: the report finished after the run.
    assert [r["kind"] for r in detail["results"]] == ["eval", "judge"]

    # A request may name another experiment of the caller's (never someone else's).
    named = api.ok("POST", "/api/judge/runs", 202, json={**judge_in, "experiment_id": other["id"]})
    _wait(api, named)
    assert api.ok("GET", f"/api/judge/reports/{named['report_id']}")["experiment_id"] == other["id"]
    listed = api.ok("GET", f"/api/judge/reports?experiment_id={other['id']}")
    assert [r["id"] for r in listed] == [named["report_id"]]
    missing = api.call("POST", "/api/judge/runs", json={**judge_in, "experiment_id": "0" * 32})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"

    # Unfile and file again; deleting the experiment unfiles it (the report is kept).
    base = f"/api/experiments/{exp_id}"
    unfiled = api.ok("DELETE", f"{base}/runs/judge/{report['id']}")
    assert [r["kind"] for r in unfiled["results"]] == ["eval"]
    refiled = api.ok("POST", f"{base}/runs", json={"kind": "judge", "ref_id": report["id"]})
    assert {r["ref_id"] for r in refiled["results"]} == {run_id, report["id"]}
    refused = api.call("POST", f"{base}/runs", json={"kind": "judge", "ref_id": named["report_id"]})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "already_filed"
    api.ok("DELETE", base, 204)
    assert api.ok("GET", f"/api/judge/reports/{report['id']}")["experiment_id"] is None
    assert api.ok("GET", f"/api/evals/{run_id}")["experiment_id"] is None
