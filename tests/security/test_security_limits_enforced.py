"""Per-user limits hold on what is actually sent (issue 15 item 6), through the API, the job
runner and the real measuring child, counted at the simulator.

- A duration-mode run plans its requests from a guess (one per stream per second); it used to
  send hundreds past the per-run limit. The limit is now a hard request budget: no mode sends
  more, warm-ups included (stop reason "request limit: …").
- Under a spend cap a run reserves its estimate and stops sending once its in-window charges
  reach it (stop reason "cost cap: …"). The bound: what it is charged ≤ its reservation + the
  requests in flight when it was reached (≤ concurrency), each at most its bound (prompt +
  max_tokens at the model's price). Reservations together stay ≤ cap.
- The month's spend is the ledger's: deleting runs does not lower it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from security_platform import Tenant, create_app, sign_up

from benchstudio.config import Settings
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer

LIMIT = 10
CAP_USD = 0.01
FINAL = ("done", "failed", "cancelled", "interrupted")


class _Simulator:
    """The simulator on a background thread (the TestClient runs its own loop)."""

    def __init__(self) -> None:
        profile = ModelProfile(ttft_ms=2, itl_ms=1, output_tokens=8)
        self._loop = asyncio.new_event_loop()
        self._server = SimulatorServer(SimulatorConfig(default=profile))
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> _Simulator:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._server.start(), self._loop).result(10)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def _call(self, method: str, path: str) -> Any:
        request = urllib.request.Request(self._server.base_url + path, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def clear(self) -> None:
        self._call("DELETE", "/_sim/requests")

    def received(self) -> int:
        return int(self._call("GET", "/_sim/requests?limit=1")["total"])

    @property
    def base_url(self) -> str:
        return self._server.base_url


@pytest.fixture(scope="module")
def simulator() -> Iterator[_Simulator]:
    with _Simulator() as sim:
        yield sim


def _client(settings: Settings, simulator: _Simulator, **limits: Any) -> Iterator[TestClient]:
    values: dict[str, Any] = {
        "demo_simulator_url": simulator.base_url,
        "jobs_heartbeat_s": 0.2,
        "jobs_dispatch_interval_s": 0.05,
        "default_jobs_per_hour": 10_000,
        **limits,
    }
    app = create_app(settings.model_copy(update=values))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def limited(settings: Settings, simulator: _Simulator) -> Iterator[TestClient]:
    yield from _client(settings, simulator, default_max_runs_per_benchmark=LIMIT)


@pytest.fixture
def capped(settings: Settings, simulator: _Simulator) -> Iterator[TestClient]:
    yield from _client(
        settings,
        simulator,
        default_max_runs_per_benchmark=10_000,
        default_monthly_spend_cap_usd=CAP_USD,
    )


def _demo_target(client: TestClient, user: Tenant, model_id: str = "benchstudio-sim") -> Any:
    providers = client.get("/api/providers", headers=user.headers).json()
    demo = next(p for p in providers if p["is_demo"])
    return {"provider_id": demo["id"], "model_id": model_id}


def _priced_target(client: TestClient, user: Tenant) -> Any:
    target = _demo_target(client, user, "priced-sim")
    model = {**target, "input_price": "1", "output_price": "50"}
    created = client.post("/api/models", json=model, headers=user.headers)
    assert created.status_code == 201, created.text
    return target


def _wait(client: TestClient, user: Tenant, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while True:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}", headers=user.headers).json()
        if job["status"] in FINAL:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def _duration_run(target: Any) -> dict[str, Any]:
    # Planned as 2 streams x 3 s x 1 request/s + 1 warm-up = 7; the simulator answers in ~10 ms,
    # so unbounded it would take hundreds.
    return {
        "targets": [target],
        "mode": "concurrency",
        "concurrency": 2,
        "duration_s": 3,
        "warmup": 1,
        "max_tokens": 16,
        "context_tokens": [0],
    }


def _run(client: TestClient, user: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    submitted = client.post("/api/benchmarks", json=body, headers=user.headers)
    assert submitted.status_code == 202, submitted.text
    assert _wait(client, user, submitted.json()["job_id"])["status"] == "done"
    run_id = submitted.json()["run_id"]
    detail: dict[str, Any] = client.get(f"/api/benchmarks/{run_id}", headers=user.headers).json()
    return detail


def _month_spent(client: TestClient, user: Tenant, body: dict[str, Any]) -> float:
    preview = client.post("/api/benchmarks/preview", json=body, headers=user.headers)
    assert preview.status_code == 200, preview.text
    return float(preview.json()["month_spent_usd"])


def test_a_duration_run_never_sends_more_than_the_request_limit(
    limited: TestClient, simulator: _Simulator
) -> None:
    user = sign_up(limited, "duration-limit@example.com")
    body = _duration_run(_demo_target(limited, user))
    simulator.clear()
    detail = _run(limited, user, body)
    assert simulator.received() <= LIMIT
    assert detail["status"] == "stopped", detail
    assert detail["stop_reason"].startswith("request limit")
    rows = limited.get(f"/api/benchmarks/{detail['id']}/requests", headers=user.headers).json()
    assert rows["total"] == simulator.received()  # every request sent is stored


def test_a_spend_cap_stops_sending_within_the_stated_bound(
    capped: TestClient, simulator: _Simulator
) -> None:
    user = sign_up(capped, "cost-cap@example.com")
    body = _duration_run(_priced_target(capped, user))
    preview = capped.post("/api/benchmarks/preview", json=body, headers=user.headers).json()
    reserved = float(preview["cost_usd"])
    assert reserved <= CAP_USD
    # One request's bound: its prompt plus max_tokens at the model's prices (USD per million).
    per_request = (preview["input_tokens"] / preview["requests"] * 1 + 16 * 50) / 1e6
    simulator.clear()
    detail = _run(capped, user, body)
    assert detail["status"] == "stopped" and detail["stop_reason"].startswith("cost cap"), detail
    charged = float(detail["cost_usd"])
    concurrency = 2
    assert charged <= reserved + concurrency * per_request
    assert charged <= CAP_USD
    assert _month_spent(capped, user, body) == pytest.approx(charged, abs=1e-8)
    # Sent requests are the stored ones: nothing escaped the ledger.
    rows = capped.get(f"/api/benchmarks/{detail['id']}/requests", headers=user.headers).json()
    assert rows["total"] == simulator.received()
    # The month now holds `charged`: another run of the same estimate no longer fits.
    again = capped.post("/api/benchmarks", json=body, headers=user.headers)
    if charged + reserved > CAP_USD:
        assert again.status_code == 403 and again.json()["error"]["code"] == "spend_cap_reached"


def test_deleting_runs_keeps_the_months_spend(capped: TestClient) -> None:
    user = sign_up(capped, "delete-spend@example.com")
    body = {
        "targets": [_priced_target(capped, user)],
        "runs": 3,
        "warmup": 1,
        "max_tokens": 16,
        "context_tokens": [0],
    }
    detail = _run(capped, user, body)
    spent = _month_spent(capped, user, body)
    assert spent == pytest.approx(float(detail["cost_usd"]), abs=1e-8) and spent > 0
    deleted = capped.delete(f"/api/benchmarks/{detail['id']}", headers=user.headers)
    assert deleted.status_code == 204, deleted.text
    assert capped.get("/api/benchmarks", headers=user.headers).json()["total"] == 0
    assert _month_spent(capped, user, body) == pytest.approx(spent, abs=1e-8)


def test_an_eval_on_an_unpriced_model_under_a_cap_is_refused(capped: TestClient) -> None:
    user = sign_up(capped, "eval-unpriced@example.com")
    provider = capped.post(
        "/api/providers",
        json={"name": "local", "base_url": "http://127.0.0.1:1/v1"},
        headers=user.headers,
    )
    assert provider.status_code == 201, provider.text
    target = {"provider_id": provider.json()["id"], "model_id": "local-llm"}
    assert capped.post("/api/models", json=target, headers=user.headers).status_code == 201
    suite = capped.post("/api/suites/sample", headers=user.headers)
    assert suite.status_code == 201, suite.text
    body = {"suite_id": suite.json()["id"], "targets": [target]}
    refused = capped.post("/api/evals", json=body, headers=user.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "price_needed"
    assert "local-llm" in refused.json()["error"]["message"]
    assert capped.get("/api/evals", headers=user.headers).json()["total"] == 0
    # The built-in simulator costs nothing: the same suite on it is accepted under the cap.
    demo = {"suite_id": suite.json()["id"], "targets": [_demo_target(capped, user)]}
    accepted = capped.post("/api/evals", json=demo, headers=user.headers)
    assert accepted.status_code in (201, 202), accepted.text
