"""A platform benchmark through the API and the real measuring child, checked against the
simulator's own timing log (joined by X-Request-Id): c=32, 300 requests, no usage in the
stream (so the tokenizer path runs), with the API's event loop on uvloop as `serve` runs it."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from benchruns_driver import Api, SimulatorThread, fast_settings
from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.simulator import ModelProfile, SimulatorConfig
from benchstudio.simulator.truth_join import join_chunks, token_writes

NS_PER_MS = 1e6
REQUESTS = 300


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=2, itl_ms=1, output_tokens=8),
        models=[
            ModelProfile(
                name="nousage-sim", ttft_ms=3, itl_ms=2, output_tokens=24, quirks=["no_usage"]
            )
        ],
    )
    with SimulatorThread(config) as sim:
        yield sim


@pytest.fixture
def api(sqlite_settings: Settings, simulator: SimulatorThread) -> Iterator[Api]:
    settings = fast_settings(sqlite_settings, simulator.base_url)
    app = create_app(settings)
    # uvloop, as `benchstudio serve` runs: it makes the child's pipe non-blocking.
    options = {"use_uvloop": True}
    with TestClient(app, raise_server_exceptions=False, backend_options=options) as client:
        yield Api(client)


def _sim(simulator: SimulatorThread, method: str, path: str) -> Any:
    request = urllib.request.Request(simulator.base_url + path, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _server_log(simulator: SimulatorThread) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    while True:
        page = _sim(simulator, "GET", f"/_sim/requests?offset={len(found)}&limit=1000")
        found.update((item["request_id"], item) for item in page["items"])
        if len(found) >= page["total"]:
            return found


def test_c32_without_usage_every_request_and_gap_joins_the_servers_log(
    api: Api, simulator: SimulatorThread
) -> None:
    api.sign_up("truth@example.com")
    _sim(simulator, "DELETE", "/_sim/requests")
    body = {
        "targets": [api.demo_target("nousage-sim")],
        "mode": "concurrency",
        "concurrency": 32,
        "num_requests": REQUESTS,
        "warmup": 1,
        "max_tokens": 64,
        "context_tokens": [0],
    }
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    job = api.wait_job(submitted["job_id"], timeout_s=180)
    assert job["status"] == "done", job
    run_id = submitted["run_id"]
    page = api.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=1000")
    rows: list[dict[str, Any]] = page["items"]
    log = _server_log(simulator)
    # Every request sent (the warm-up too) is stored once and joins the server's record.
    assert page["total"] == len(rows) == len(log) == REQUESTS + 1
    assert {row["request_id"] for row in rows} == set(log)
    assert sum(row["warmup"] for row in rows) == 1
    gaps = chunks = merged = 0
    for row in rows:
        served = log[row["request_id"]]
        content = [e for e in served["events"] if e["kind"] == "content"]
        assert row["error"] is None and served["completed"]
        assert len(content) == 24 and all(e["tokens"] == 1 for e in content)
        # One network read is one chunk: a late read carries several writes. Each client chunk
        # must be made of consecutive server writes, on the shared monotonic clock.
        joined = join_chunks(
            served["request_read_ns"], token_writes(served), row["ttft_ms"], row["itl_ms"]
        )
        assert joined is not None, (row, served)
        assert row["chunk_count"] == len(joined.groups)
        # Every write in exactly one chunk: the chunks' tokens add up to the 24 written.
        tokens_at: dict[int, int] = {}
        for event in content:
            tokens_at[event["t_ns"]] = tokens_at.get(event["t_ns"], 0) + event["tokens"]
        assert [w for group in joined.groups for w in group] == sorted(tokens_at)
        assert sum(tokens_at[w] for group in joined.groups for w in group) == 24
        chunks, merged = chunks + row["chunk_count"], merged + joined.merged
        server_ttft_ms = (content[0]["t_ns"] - served["request_read_ns"]) / NS_PER_MS
        assert row["ttft_ms"] >= server_ttft_ms - 0.001  # stored to the microsecond
        assert len(row["itl_ms"]) == row["chunk_count"] - 1
        assert all(gap > 0 for gap in row["itl_ms"])  # no 0 ms gap: one read, one chunk
        gaps += len(row["itl_ms"])
        # No usage in the stream: counted by the tokenizer, at least one token per token written.
        assert row["tokens_estimated"] and row["output_tokens"] >= len(content)
    # Writes 2 ms apart are mostly read one at a time, even at c=32 on a busy machine (about
    # 1 to 4 % of chunks held two writes at load average 10); a client merging reads for no
    # reason would fail here.
    assert merged <= chunks // 4, (merged, chunks)
    detail = api.ok("GET", f"/api/benchmarks/{run_id}")
    assert detail["status"] == "completed" and detail["request_count"] == REQUESTS
    # The export keeps each request's id: the X-Request-Id the server received.
    exported = api.ok("GET", f"/api/benchmarks/{run_id}/export?format=json")
    assert sorted(r["request_id"] for r in exported["requests"]) == sorted(log)
    csv_lines = api.call("GET", f"/api/benchmarks/{run_id}/export?format=csv").text.splitlines()
    column = csv_lines[0].split(",").index("request_id")
    assert sorted(line.split(",")[column] for line in csv_lines[1:]) == sorted(log)


def _priced_target(api: Api, model_id: str, input_price: str, output_price: str) -> dict[str, str]:
    target = api.demo_target()
    model = {
        "provider_id": target["provider_id"],
        "model_id": model_id,
        "input_price": input_price,
        "output_price": output_price,
    }
    api.ok("POST", "/api/models", 201, json=model)
    return {**target, "model_id": model_id}


def test_run_cost_and_monthly_spend_count_the_same_requests_warm_ups_shown_apart(
    api: Api,
) -> None:
    api.sign_up("spend@example.com")
    body = {
        "targets": [_priced_target(api, "priced-sim", "10", "100")],
        "mode": "concurrency",
        "concurrency": 4,
        "num_requests": 12,
        "warmup": 2,
        "max_tokens": 16,
        "context_tokens": [0],
    }
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    assert api.wait_job(submitted["job_id"])["status"] == "done"
    run_id = submitted["run_id"]
    rows = api.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=1000")["items"]
    assert len(rows) == 12 + 2  # load-mode warm-ups are sent and paid for: stored too
    every = sum(r["cost_usd"] for r in rows)
    warm = sum(r["cost_usd"] for r in rows if r["warmup"])
    assert warm > 0
    detail = api.ok("GET", f"/api/benchmarks/{run_id}")
    assert detail["request_count"] == 12
    assert detail["cost_usd"] == pytest.approx(every, abs=1e-7)
    assert detail["spend"]["warmup_cost_usd"] == pytest.approx(warm, abs=1e-7)
    assert detail["spend"]["measured_cost_usd"] == pytest.approx(every - warm, abs=1e-7)
    preview = api.ok("POST", "/api/benchmarks/preview", json=body)
    assert preview["month_spent_usd"] == pytest.approx(every, abs=1e-7)


def test_a_platform_cost_cap_stops_the_run_and_keeps_every_request_it_sent(api: Api) -> None:
    api.sign_up("costcap@example.com")
    # No usage in the stream: each request is charged its bound (max_tokens at 1,000 USD/M).
    target = _priced_target(api, "nousage-sim", "1", "1000")
    body = {
        "targets": [target],
        "mode": "concurrency",
        "concurrency": 2,
        "num_requests": 200,
        "warmup": 0,
        "max_tokens": 32,
        "max_cost": 0.2,
        "context_tokens": [0],
    }
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    assert api.wait_job(submitted["job_id"])["status"] == "done"
    detail = api.ok("GET", f"/api/benchmarks/{submitted['run_id']}")
    assert detail["status"] == "stopped"
    assert detail["stop_reason"].startswith("cost cap")
    # 32 tokens at 1,000 USD/M bound each request at >= 0.032 USD: the cap (0.2) is reached
    # within 7 requests, plus at most the 2 in flight.
    assert 1 <= detail["request_count"] <= 7 + 2
    assert detail["cost_usd"] <= 0.2 + 2 * (32 * 1000 + 100) / 1e6


class _ChildThatMiscounts:
    """Stands in for the measuring child: stores 2 records, then says it finished 3."""

    def __init__(self, job: Any, name: str) -> None:
        self.sent = False

    async def open(self) -> None:
        return None

    async def collect(self, window_s: float) -> Any:
        from benchstudio.benchruns.tasks.child_processes import Received

        self.sent = True
        step = "t@0:c=1"
        records = [
            {"request_id": f"r{i}", "target": "t", "model": "m", "context_tokens": 0, "step": step}
            for i in range(2)
        ]
        meta = {"name": step, "target": "t", "model": "m", "mode": "concurrency"}
        batch = {"records": records, "steps": [{**meta, "context_tokens": 0, "wall_s": 0.1}]}
        done = {"status": "completed", "wall_s": 0.1, "records": 3}
        return Received([("batch", batch), ("done", done)], False)

    def stop(self) -> None:
        return None

    async def reap(self) -> None:
        return None


def test_the_run_is_interrupted_when_fewer_rows_are_stored_than_the_child_finished(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchstudio.benchruns.tasks import handler

    monkeypatch.setattr(handler, "MeasuringChild", _ChildThatMiscounts)
    api.sign_up("miscount@example.com")
    body = {"targets": [api.demo_target()], "runs": 1, "warmup": 0, "context_tokens": [0]}
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    # Resumable: a resume measures the unfinished step again from scratch.
    assert api.wait_job(submitted["job_id"])["status"] == "interrupted"
    detail = api.ok("GET", f"/api/benchmarks/{submitted['run_id']}")
    assert detail["status"] == "interrupted"
    assert "finished 3 requests but 2 were stored" in detail["error"]
