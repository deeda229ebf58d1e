"""Benchmarks through the platform on SQLite and PostgreSQL, the demo provider pointing at an
in-process simulator: stored rows, summaries from core.stats, cancel, export/import, compare,
tenant isolation."""

from __future__ import annotations

import json
from typing import Any

from benchruns_driver import Api, SimulatorThread, fast_settings, running_api

from benchstudio.benchruns.domain import metrics_from_record
from benchstudio.config import Settings
from benchstudio.speed.results import summary_block


def _profile(api: Api, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "targets": [api.demo_target()],
        "runs": 4,
        "warmup": 1,
        "max_tokens": 16,
        "context_tokens": [0, 300],
        **extra,
    }
    return body


def _all_rows(api: Api, run_id: str) -> list[dict[str, Any]]:
    page = api.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=1000")
    rows: list[dict[str, Any]] = page["items"]
    assert len(rows) == page["total"]
    return rows


def test_a_benchmark_stores_every_request_and_summaries_come_from_core_stats(api: Api) -> None:
    api.sign_up("runner@example.com")
    submitted = api.ok("POST", "/api/benchmarks", 202, json=_profile(api, title="first"))
    assert submitted["preview"]["requests"] == 2 * (4 + 1)
    job = api.wait_job(submitted["job_id"])
    assert job["status"] == "done", job
    run_id = submitted["run_id"]
    detail = api.ok("GET", f"/api/benchmarks/{run_id}")
    assert detail["status"] == "completed"
    rows = _all_rows(api, run_id)
    assert len(rows) == 10 and sum(r["warmup"] for r in rows) == 2
    # One read is one chunk: on a busy machine one read may carry the whole short answer.
    assert all(r["error"] is None and r["ttft_ms"] > 0 and r["chunk_count"] >= 1 for r in rows)
    assert all(len(r["itl_ms"]) == r["chunk_count"] - 1 for r in rows)
    assert detail["request_count"] == 8 and detail["error_count"] == 0
    # The cached summary is core.stats over the stored rows, to the digit.
    records = [metrics_from_record(r) for r in rows]
    # Rates over the measured windows: the two tiers ran one after the other.
    measured_s = sum(float(s["wall_s"]) for s in detail["steps"])
    expected = summary_block(records, wall_s=measured_s, run_id=run_id)
    assert detail["summary"] == json.loads(json.dumps(expected))
    step = detail["steps"][1]
    step_records = [m for m, r in zip(records, rows, strict=True) if r["context_tokens"] == 300]
    assert step["summary"] == json.loads(
        json.dumps(
            summary_block(step_records, wall_s=step["wall_s"], run_id=f"{run_id}:{step['name']}")
        )
    )
    events = api.ok("GET", f"/api/jobs/{submitted['job_id']}/events")
    kinds = {e["type"] for e in events}
    assert {"benchmark_result", "benchmark_aggregate", "job_progress", "job_completed"} <= kinds


def test_cancel_keeps_the_requests_already_stored(api: Api) -> None:
    api.sign_up("cancel@example.com")
    body = _profile(api, runs=200, warmup=0, context_tokens=[0], max_tokens=64)
    body["targets"] = [api.demo_target("slow-sim")]
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    run_id, job_id = submitted["run_id"], submitted["job_id"]
    api.wait_rows(run_id, 3)
    api.ok("POST", f"/api/jobs/{job_id}/cancel")
    assert api.wait_job(job_id)["status"] == "cancelled"
    detail = api.ok("GET", f"/api/benchmarks/{run_id}")
    rows = _all_rows(api, run_id)
    assert detail["status"] == "cancelled"
    assert 3 <= len(rows) < 200
    measured = [r for r in rows if r["error"] is None]
    assert detail["summary"]["ttft_ms"]["count"] == len(measured)


def test_export_json_round_trips_through_import_and_csv_has_a_row_per_request(api: Api) -> None:
    api.sign_up("export@example.com")
    body = _profile(api, mode="sweep_concurrency", sweep=[1, 2], num_requests=4, warmup=0)
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    assert api.wait_job(submitted["job_id"])["status"] == "done"
    run_id = submitted["run_id"]
    exported = api.ok("GET", f"/api/benchmarks/{run_id}/export?format=json")
    assert exported["schema"] == "benchstudio.bench/1" and exported["run_id"] == run_id
    assert len(exported["requests"]) == 2 * 2 * 4 and len(exported["steps"]) == 4
    # Connections were opened before each step's window: no request paid a connect.
    assert [r["connect_ms"] for r in exported["requests"]] == [0.0] * 16
    assert {s["name"] for s in exported["steps"]} >= {
        f"{exported['config']['targets'][0]['name']}@300:c=2"
    }
    imported = api.ok("POST", "/api/benchmarks/import", 201, content=json.dumps(exported))
    assert imported["requests"] == 16 and imported["run"]["source"] == "import"
    again = api.ok("GET", f"/api/benchmarks/{imported['run']['id']}/export")
    assert again == exported
    csv_text = api.call("GET", f"/api/benchmarks/{run_id}/export?format=csv").text
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("step,target,model") and len(lines) == 1 + 16
    assert "connect_ms" in lines[0].split(",")


def test_a_cold_benchmark_reports_the_connect_of_each_tiers_first_request(api: Api) -> None:
    api.sign_up("cold@example.com")
    body = _profile(api, runs=2, warmup=1, context_tokens=[0, 300], cold=True)
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    assert api.wait_job(submitted["job_id"])["status"] == "done"
    detail = api.ok("GET", f"/api/benchmarks/{submitted['run_id']}")
    assert detail["config"]["cold"] is True
    rows = _all_rows(api, submitted["run_id"])
    assert len(rows) == 2 * 3
    # Each tier starts with no open connection: its first request (the warm-up) connects.
    assert all(r["connect_ms"] > 0 for r in rows if r["warmup"])
    assert [r["connect_ms"] for r in rows if not r["warmup"]] == [0.0] * 4


def test_compare_puts_runs_side_by_side_with_a_significance_test(api: Api) -> None:
    api.sign_up("compare@example.com")
    runs = []
    for model in ("benchstudio-sim", "slow-sim"):
        body = _profile(api, runs=6, warmup=0, context_tokens=[0])
        body["targets"] = [api.demo_target(model)]
        submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
        assert api.wait_job(submitted["job_id"])["status"] == "done"
        runs.append(submitted["run_id"])
    result = api.ok("POST", "/api/benchmarks/compare", json={"run_ids": runs})
    assert [r["id"] for r in result["runs"]] == runs
    assert all(len(result["summaries"][run_id]) == 1 for run_id in runs)
    tpot = next(t for t in result["significance"] if t["metric"] == "tpot_ms")
    assert tpot["test"]["count_a"] == 6 and tpot["test"]["count_b"] == 6
    # 1 ms vs 10 ms between tokens: the slow model's TPOT is clearly higher.
    assert tpot["test"]["significant"] and tpot["test"]["median_difference"] > 0
    one = api.call("POST", "/api/benchmarks/compare", json={"run_ids": runs[:1]})
    assert one.status_code == 422


def test_preview_shows_adjustments_and_limits_are_checked_at_submit(
    settings: Settings, simulator: SimulatorThread
) -> None:
    limited = fast_settings(settings, simulator.base_url, default_max_runs_per_benchmark=5)
    for api in running_api(limited):
        api.sign_up("limits@example.com")
        body = _profile(api, params={"top_k": 5, "seed": 7}, runs=2, warmup=0)
        preview = api.ok("POST", "/api/benchmarks/preview", json=body)
        target = preview["targets"][0]
        assert target["effective_params"]["seed"] == 7 and "top_k" not in target["effective_params"]
        assert any(a["param"] == "top_k" and a["action"] == "drop" for a in target["adjustments"])
        assert preview["requests"] == 4 and preview["max_runs_per_benchmark"] == 5
        too_many = api.call("POST", "/api/benchmarks", json=_profile(api, runs=3, warmup=0))
        assert too_many.status_code == 422 and "too_many_runs" in too_many.text
        assert api.ok("GET", "/api/benchmarks")["total"] == 0


def test_spend_cap_refuses_a_benchmark_that_could_exceed_it(
    settings: Settings, simulator: SimulatorThread
) -> None:
    capped = fast_settings(settings, simulator.base_url, default_monthly_spend_cap_usd=0.001)
    for api in running_api(capped):
        api.sign_up("cap@example.com")
        target = api.demo_target()
        model = {
            "provider_id": target["provider_id"],
            "model_id": "priced-sim",
            "input_price": "100",
            "output_price": "1000",
        }
        api.ok("POST", "/api/models", 201, json=model)
        body = _profile(api, runs=2, warmup=0)
        body["targets"] = [{**target, "model_id": "priced-sim"}]
        preview = api.ok("POST", "/api/benchmarks/preview", json=body)
        assert preview["cost_usd"] > 0.001
        refused = api.call("POST", "/api/benchmarks", json=body)
        assert refused.status_code == 403 and "spend_cap_reached" in refused.text


def test_history_search_filters_pagination_rerun_and_delete(api: Api) -> None:
    api.sign_up("history@example.com")
    first = api.ok("POST", "/api/benchmarks", 202, json=_profile(api, runs=1, warmup=0))
    second_body = _profile(api, runs=1, warmup=0, title="slow one")
    second_body["targets"] = [api.demo_target("slow-sim")]
    second = api.ok("POST", "/api/benchmarks", 202, json=second_body)
    for submitted in (first, second):
        assert api.wait_job(submitted["job_id"])["status"] == "done"
    page = api.ok("GET", "/api/benchmarks?limit=1")
    assert page["total"] == 2 and [r["id"] for r in page["items"]] == [second["run_id"]]
    assert page["items"][0]["headline"]["ttft_ms_p50"] is not None
    found = api.ok("GET", "/api/benchmarks?q=SLOW-SIM")["items"]
    assert [r["id"] for r in found] == [second["run_id"]]
    by_model = api.ok("GET", "/api/benchmarks?model=benchstudio-sim")["items"]
    assert [r["id"] for r in by_model] == [first["run_id"]]
    provider = api.demo_target()["provider_id"]
    assert api.ok("GET", f"/api/benchmarks?provider_id={provider}&status=completed")["total"] == 2
    assert api.ok("GET", "/api/benchmarks?status=failed")["total"] == 0
    assert api.ok("GET", "/api/benchmarks?since=2999-01-01T00:00:00Z")["total"] == 0
    rerun = api.ok("POST", f"/api/benchmarks/{first['run_id']}/rerun", 202)
    assert rerun["run_id"] != first["run_id"]
    assert api.wait_job(rerun["job_id"])["status"] == "done"
    # Paging: totals count every run, whether the page is full, short, or the last one.
    first_page = api.ok("GET", "/api/benchmarks?limit=2")
    assert first_page["total"] == 3 and len(first_page["items"]) == 2
    last_page = api.ok("GET", "/api/benchmarks?limit=2&offset=2")
    assert last_page["total"] == 3 and len(last_page["items"]) == 1
    assert api.ok("GET", "/api/benchmarks?limit=5")["total"] == 3
    every_row = _all_rows(api, first["run_id"])
    some = api.ok("GET", f"/api/benchmarks/{first['run_id']}/requests?limit=1&offset=1")
    assert some["total"] == len(every_row) >= 2 and some["items"] == every_row[1:2]
    full = api.ok("GET", f"/api/benchmarks/{first['run_id']}/requests?limit=1")
    assert full["total"] == len(every_row) and full["items"] == every_row[:1]
    api.ok("DELETE", f"/api/benchmarks/{first['run_id']}", 204)
    assert api.call("GET", f"/api/benchmarks/{first['run_id']}").status_code == 404
    assert api.ok("GET", "/api/benchmarks")["total"] == 2


def test_another_user_sees_none_of_my_runs(api: Api) -> None:
    api.sign_up("alice@example.com")
    alice_token = api.token
    alice_target = api.demo_target()
    submitted = api.ok("POST", "/api/benchmarks", 202, json=_profile(api, runs=1, warmup=0))
    assert api.wait_job(submitted["job_id"])["status"] == "done"
    run_id = submitted["run_id"]
    api.sign_up("bob@example.com")
    mine = api.ok("POST", "/api/benchmarks", 202, json=_profile(api, runs=1, warmup=0))
    api.wait_job(mine["job_id"])
    for method, path, body in (
        ("GET", f"/api/benchmarks/{run_id}", None),
        ("GET", f"/api/benchmarks/{run_id}/requests", None),
        ("GET", f"/api/benchmarks/{run_id}/export?format=json", None),
        ("GET", f"/api/benchmarks/{run_id}/export?format=csv", None),
        ("POST", f"/api/benchmarks/{run_id}/rerun", None),
        ("DELETE", f"/api/benchmarks/{run_id}", None),
        ("POST", "/api/benchmarks/compare", {"run_ids": [run_id, mine["run_id"]]}),
        ("POST", "/api/benchmarks", {"targets": [alice_target]}),
        ("POST", "/api/benchmarks/preview", {"targets": [alice_target]}),
    ):
        response = api.call(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
    assert [r["id"] for r in api.ok("GET", "/api/benchmarks")["items"]] == [mine["run_id"]]
    api.token = alice_token
    assert api.ok("GET", f"/api/benchmarks/{run_id}")["id"] == run_id


def test_a_measuring_child_that_dies_interrupts_the_job_and_keeps_its_rows(api: Api) -> None:
    import psutil

    api.sign_up("crash@example.com")
    body = _profile(api, runs=500, warmup=0, context_tokens=[0], max_tokens=64)
    body["targets"] = [api.demo_target("slow-sim")]
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    api.wait_rows(submitted["run_id"], 2)
    # Measuring children are forked by the multiprocessing fork server (itself our child).
    children = [
        p
        for p in psutil.Process().children(recursive=True)
        if "forkserver" in " ".join(p.parent().cmdline())
    ]
    assert children
    for child in children:
        child.kill()
    job = api.wait_job(submitted["job_id"])
    assert job["status"] == "interrupted" and "measuring process" in job["error"]
    detail = api.ok("GET", f"/api/benchmarks/{submitted['run_id']}")
    assert detail["status"] == "interrupted" and detail["request_count"] >= 2
