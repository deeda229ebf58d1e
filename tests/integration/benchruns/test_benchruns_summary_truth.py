"""The run page's figures against the truth: every figure of a step's summary block (rates,
percentiles, spread, outliers, error categories) recomputed here from the raw request rows
and joined to the simulator's own timing log; the demo's cost, and re-run titles."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from benchruns_driver import Api, SimulatorThread, fast_settings, running_api

from benchstudio.config import Settings
from benchstudio.simulator import ModelProfile, SimulatorConfig

SWEEP = [1, 4]
PER_POINT = 20


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=2, itl_ms=1, output_tokens=8),
        models=[
            # Every 5th request answers 500: the error breakdown has a category to count.
            ModelProfile(
                name="flaky-sim",
                ttft_ms=3,
                itl_ms=1,
                jitter_ms=2,
                output_tokens=12,
                faults=[{"kind": "server_error", "every": 5}],
            )
        ],
    )
    with SimulatorThread(config) as sim:
        yield sim


@pytest.fixture
def api(settings: Settings, simulator: SimulatorThread) -> Iterator[Api]:
    yield from running_api(fast_settings(settings, simulator.base_url))


def _server_log(simulator: SimulatorThread) -> dict[str, dict[str, Any]]:
    url = simulator.base_url + "/_sim/requests?offset=0&limit=1000"
    with urllib.request.urlopen(url, timeout=30) as response:
        page = json.loads(response.read())
    return {item["request_id"]: item for item in page["items"]}


def _clear_log(simulator: SimulatorThread) -> None:
    request = urllib.request.Request(simulator.base_url + "/_sim/requests", method="DELETE")
    urllib.request.urlopen(request, timeout=30).close()


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q, method="linear")), 4)


def _tukey_outliers(values: list[float]) -> int:
    q1, q3 = np.percentile(np.asarray(values), [25, 75])
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    return sum(1 for v in values if v < low or v > high)


def stats_count(block: dict[str, Any], metric: str) -> int:
    return int(block[metric]["count"])


def _check_block(block: dict[str, Any], rows: list[dict[str, Any]], wall_s: float) -> None:
    """`block` (a step's summary) recomputed from that step's measured rows."""
    measured = [r for r in rows if not r["warmup"]]
    ok = [r for r in measured if r["error"] is None]
    errors = Counter(r["error"]["category"] for r in measured if r["error"] is not None)
    assert block["requests"] == len(measured) and block["successful"] == len(ok)
    assert block["errors_by_category"] == dict(errors) and block["errors"] == sum(errors.values())
    tokens_in = sum(r["input_tokens"] or 0 for r in ok)
    tokens_out = sum(r["output_tokens"] or 0 for r in ok)
    assert block["request_throughput"] == round(len(ok) / wall_s, 4)
    assert block["output_token_throughput"] == round(tokens_out / wall_s, 4)
    assert block["total_token_throughput"] == round((tokens_in + tokens_out) / wall_s, 4)
    for metric in ("ttft_ms", "e2e_ms", "output_tokens_per_s"):
        values = [r[metric] for r in ok if r[metric] is not None]
        assert len(values) == stats_count(block, metric) > 0
        stats = block[metric]
        for name, q in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99)):
            assert stats[name] == _pct(values, q), (metric, name)
        assert stats["min"] == round(min(values), 4) and stats["max"] == round(max(values), 4)
        assert stats["std"] == round(float(np.std(values, ddof=1)), 4)
        assert stats["outlier_count"] == _tukey_outliers(values)
    gaps = [gap for r in ok for gap in r["itl_ms"]]
    for name, q in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99)):
        assert block["itl_ms"][name] == _pct(gaps, q), name
    assert block["itl_ms"]["count"] == len(gaps)


def test_sweep_step_figures_match_the_rows_and_the_servers_log(
    api: Api, simulator: SimulatorThread
) -> None:
    api.sign_up("truth-summary@example.com")
    _clear_log(simulator)
    body = {
        "title": "Flaky sweep",
        "targets": [api.demo_target("flaky-sim")],
        "mode": "sweep_concurrency",
        "sweep": SWEEP,
        "num_requests": PER_POINT,
        "warmup": 0,
        "max_tokens": 32,
        "context_tokens": [0],
    }
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    assert api.wait_job(submitted["job_id"], timeout_s=120)["status"] == "done"
    run_id = submitted["run_id"]
    detail = api.ok("GET", f"/api/benchmarks/{run_id}")
    rows = api.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=1000")["items"]
    log = _server_log(simulator)
    # Each stored request is one the server saw; its 500s are the stored errors.
    assert {r["request_id"] for r in rows} == set(log)
    server_errors = sum(1 for item in log.values() if item["status"] == 500)
    assert server_errors == len(log) // 5 > 0
    assert sum(1 for r in rows if r["error"] is not None) == server_errors
    for row in rows:
        served = log[row["request_id"]]
        if row["error"] is None:
            first = next(e for e in served["events"] if e["kind"] == "content")
            assert row["ttft_ms"] >= (first["t_ns"] - served["request_read_ns"]) / 1e6 - 0.001
    steps = [s for s in detail["steps"] if not s["skipped_reason"]]
    assert sorted(s["concurrency"] for s in steps) == SWEEP
    for step in steps:
        step_rows = [r for r in rows if r["step"] == step["name"]]
        assert len(step_rows) == PER_POINT
        _check_block(step["summary"], step_rows, step["wall_s"])
    whole = detail["summary"]
    assert whole["errors_by_category"] == dict(
        Counter(r["error"]["category"] for r in rows if r["error"] is not None)
    )
    # The demo simulator is free: marked so, and no request carries a price.
    assert [t["is_demo"] for t in detail["targets"]] == [True]
    assert all(r["cost_usd"] in (None, 0) for r in rows)
    assert detail["diagnostics"]["trustworthy"] in (True, False)


def test_profile_tiers_each_summarise_their_own_rows(api: Api) -> None:
    api.sign_up("truth-tiers@example.com")
    body = {
        "targets": [api.demo_target()],
        "runs": 6,
        "warmup": 1,
        "max_tokens": 16,
        "context_tokens": [0, 400, 800],
    }
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    assert api.wait_job(submitted["job_id"], timeout_s=120)["status"] == "done"
    run_id = submitted["run_id"]
    detail = api.ok("GET", f"/api/benchmarks/{run_id}")
    rows = api.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=1000")["items"]
    assert sorted(s["context_tokens"] for s in detail["steps"]) == [0, 400, 800]
    for step in detail["steps"]:
        # Profile records name no step: a tier's rows are those at its context size.
        step_rows = [r for r in rows if r["context_tokens"] == step["context_tokens"]]
        assert len(step_rows) == 6 + 1
        _check_block(step["summary"], step_rows, step["wall_s"])


def test_a_rerun_is_titled_apart_from_its_original(api: Api) -> None:
    api.sign_up("rerun-title@example.com")
    body = {"title": "Nightly", "targets": [api.demo_target()], "runs": 1, "warmup": 0}
    first = api.ok("POST", "/api/benchmarks", 202, json=body)
    assert api.wait_job(first["job_id"])["status"] == "done"
    again = api.ok("POST", f"/api/benchmarks/{first['run_id']}/rerun", 202)
    assert api.wait_job(again["job_id"])["status"] == "done"
    # A re-run of the re-run counts on from the same base title.
    third = api.ok("POST", f"/api/benchmarks/{again['run_id']}/rerun", 202)
    assert api.wait_job(third["job_id"])["status"] == "done"
    titles = {r["id"]: r["title"] for r in api.ok("GET", "/api/benchmarks")["items"]}
    assert titles == {
        first["run_id"]: "Nightly",
        again["run_id"]: "Nightly (re-run 1)",
        third["run_id"]: "Nightly (re-run 2)",
    }
    untitled = api.ok("POST", "/api/benchmarks", 202, json={**body, "title": ""})
    assert api.wait_job(untitled["job_id"])["status"] == "done"
    named = api.ok("POST", f"/api/benchmarks/{untitled['run_id']}/rerun", 202)
    model = api.ok("GET", f"/api/benchmarks/{untitled['run_id']}")["targets"][0]["model_display"]
    assert api.ok("GET", f"/api/benchmarks/{named['run_id']}")["title"] == f"{model} (re-run 1)"
