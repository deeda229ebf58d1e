"""Recovery never deletes what was stored and published: a resumed profile step continues from
its stored requests (only the missing run indices are sent), a resumed load step is measured
again with the earlier attempt's rows kept and marked superseded, out of every statistic."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

from benchruns_driver import Api, SimulatorThread, fast_settings, running_api, simulator_config

from benchstudio.benchruns import repository
from benchstudio.benchruns.domain import metrics_from_record, row_from_record
from benchstudio.config import Settings
from benchstudio.speed.results import summary_block
from benchstudio.storage.unit_of_work import write_unit


def _sent(sim: SimulatorThread, model: str) -> set[str]:
    """Request ids the simulator served for `model` (its timing log)."""
    log = sim._server.request_log()
    return {str(r["request_id"]) for r in log if r.get("model") == model}


def _rows(api: Api, run_id: str) -> list[dict[str, Any]]:
    return list(api.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=500")["items"])


def _published(api: Api, job_id: str) -> set[str]:
    events = api.ok("GET", f"/api/jobs/{job_id}/events")
    return {e["data"]["request_id"] for e in events if e["type"] == "benchmark_result"}


def _interrupt_after(api: Api, body: dict[str, Any], ready: Any) -> tuple[str, str]:
    """Submit, then return once `ready(detail, rows)`: the caller stops the server."""
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    run_id, job_id = submitted["run_id"], submitted["job_id"]
    deadline = time.monotonic() + 60
    while not ready(api.ok("GET", f"/api/benchmarks/{run_id}"), _rows(api, run_id)):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return run_id, job_id


def test_a_resumed_profile_step_measures_only_its_missing_requests(settings: Settings) -> None:
    runs, warmup = 16, 1
    with SimulatorThread(simulator_config()) as sim:
        fast = fast_settings(settings, sim.base_url)
        body = {"runs": runs, "warmup": warmup, "max_tokens": 64, "context_tokens": [0]}
        for api in running_api(fast):
            api.sign_up("kept-profile@example.com")
            token = api.token
            body["targets"] = [api.demo_target("slow-sim")]
            # Stop the server part-way through the one step.
            run_id, job_id = _interrupt_after(api, body, lambda _d, rows: len(rows) >= 3)
        for api in running_api(fast):
            api.token = token
            assert api.ok("GET", f"/api/jobs/{job_id}")["status"] == "interrupted"
            before = _rows(api, run_id)
            published = _published(api, job_id)
            sent_before = _sent(sim, "slow-sim")
            api.ok("POST", f"/api/jobs/{job_id}/resume")
            assert api.wait_job(job_id)["status"] == "done"
            detail = api.ok("GET", f"/api/benchmarks/{run_id}")
            after = _rows(api, run_id)
            published |= _published(api, job_id)
        sent_again = _sent(sim, "slow-sim") - sent_before
    stored = {r["request_id"]: r for r in after}
    # Nothing stored (and published) before the interruption is gone or changed.
    assert 3 <= len(before) < runs + warmup
    for row in before:  # a request the interruption cut short is only marked superseded
        unmarked = {k: v for k, v in stored[row["request_id"]].items() if k != "superseded"}
        assert unmarked == row
        cut_short = (row["error"] or {}).get("category") == "cancelled"
        assert stored[row["request_id"]].get("superseded", False) == cut_short
    assert published <= set(stored)
    # Only the missing run indices were measured: one request each, no duplicates.
    kept = [r for r in before if (r["error"] or {}).get("category") != "cancelled"]
    assert len(sent_again) == runs + warmup - len(kept)
    counted = [r for r in after if not r.get("superseded")]
    assert sorted(r["run_index"] for r in counted) == list(range(-warmup, runs))
    assert {r["request_id"] for r in counted} - {r["request_id"] for r in kept} == sent_again
    assert detail["status"] == "completed" and detail["summary"]["requests"] == runs
    # The step spans two attempts, both listed with what they stored.
    (step,) = detail["steps"]
    attempts = step["attempts"]
    assert [a["attempt"] for a in attempts if not a["superseded"]] == [1, 2]
    assert sum(a["rows"] for a in attempts) == len(after)
    assert attempts[-1]["rows"] == len(sent_again) and attempts[-1]["diagnostics"]
    assert step["wall_s"] > attempts[-1]["wall_s"]  # the earlier part of the window counts


async def _plant_rows(api: Api, run_id: str, step: str, count: int) -> None:
    """Rows an earlier attempt stored (and published) for a step it never finished."""
    records = [
        {
            "request_id": f"planted-{index}",
            "target": step.split("@")[0],
            "model": "slow-sim",
            "context_tokens": 0,
            "step": step,
            "ttft_ms": 99_999.0,
            "e2e_ms": 99_999.0,
            "output_tokens": 1,
        }
        for index in range(count)
    ]
    rows = [{**row_from_record(r), "attempt": 1} for r in records]
    async with write_unit(api.client.app.state.database) as session:  # type: ignore[attr-defined]
        await repository.insert_requests(session, run_id, rows)


def test_a_resumed_load_step_keeps_its_earlier_rows_superseded(settings: Settings) -> None:
    with SimulatorThread(simulator_config()) as sim:
        fast = fast_settings(settings, sim.base_url)
        body = {
            "mode": "sweep_concurrency",
            # The second point is the long one: the server stops well before it could end.
            "sweep": [4, 1],
            "num_requests": 10,
            "warmup": 1,
            "max_tokens": 64,
        }
        for api in running_api(fast):
            api.sign_up("kept-load@example.com")
            token = api.token
            body["targets"] = [api.demo_target("slow-sim")]
            # Stop the server once the first load point has finished (during the second).
            run_id, job_id = _interrupt_after(api, body, lambda d, _rows: bool(d["steps"]))
        for api in running_api(fast):
            api.token = token
            assert api.ok("GET", f"/api/jobs/{job_id}")["status"] == "interrupted"
            (first,) = api.ok("GET", f"/api/benchmarks/{run_id}")["steps"]
            second = first["name"].replace(":c=4", ":c=1")
            api.client.portal.call(_plant_rows, api, run_id, second, 3)  # type: ignore[union-attr]
            api.ok("POST", f"/api/jobs/{job_id}/resume")
            assert api.wait_job(job_id)["status"] == "done"
            detail = api.ok("GET", f"/api/benchmarks/{run_id}")
            rows = _rows(api, run_id)
            export = api.ok("GET", f"/api/benchmarks/{run_id}/export?format=json")
            events = api.ok("GET", f"/api/jobs/{job_id}/events")
            csv_text = api.call("GET", f"/api/benchmarks/{run_id}/export?format=csv").text
    planted = [r for r in rows if r["request_id"].startswith("planted-")]
    assert len(planted) == 3 and all(r.get("superseded") for r in planted)
    # A browser that showed them is told they no longer count.
    (notice,) = [e["data"] for e in events if e["type"] == "benchmark_superseded"]
    assert notice["request_ids"] == [r["request_id"] for r in planted]
    counted = [r for r in rows if not r.get("superseded")]
    assert sum(1 for r in counted if r["step"] == second and not r["warmup"]) == 10
    assert detail["status"] == "completed" and detail["summary"]["requests"] == 20
    assert detail["request_count"] == 20
    # Every figure is core.stats over the rows that count: the planted 99999 ms leave no trace.
    step = next(s for s in detail["steps"] if s["name"] == second)
    step_records = [metrics_from_record(r) for r in counted if r["step"] == second]
    expected = summary_block(step_records, wall_s=step["wall_s"], run_id=f"{run_id}:{second}")
    assert step["summary"] == json.loads(json.dumps(expected))
    assert detail["summary"]["ttft_ms"]["max"] < 99_999.0
    assert [(a["attempt"], a["rows"], a["superseded"]) for a in step["attempts"][:1]] == [
        (1, 3, True)
    ]
    assert step["attempts"][-1]["attempt"] == 2 and not step["attempts"][-1]["superseded"]
    # The export keeps them, marked; its summaries leave them out as well.
    exported = [r for r in export["requests"] if r["request_id"].startswith("planted-")]
    assert len(exported) == 3 and all(r["superseded"] for r in exported)
    assert export["summary"] == detail["summary"]
    marks = {r["request_id"]: r["superseded"] for r in csv.DictReader(io.StringIO(csv_text))}
    assert {rid for rid, mark in marks.items() if mark == "True"} == {
        r["request_id"] for r in planted
    }
    assert len(marks) == len(rows)
