"""Helpers for tuner API tests (imported by module name; a conftest here would shadow the root
one): the eval tests' API driver, the demo simulator (with the tunable model) on its own
thread with no artificial latency, and small steps (a suite, a submitted run, its end)."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import threading
import time
from collections.abc import Iterator
from importlib.resources import as_file
from pathlib import Path
from typing import Any

from benchstudio.cli.demo_simulator import demo_config
from benchstudio.config import Settings
from benchstudio.simulator import SimulatorServer, load_config


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


_DRIVER = _evals_driver()
Api = _DRIVER.Api
app_api = _DRIVER.app_api
MODEL = "benchstudio-sim-tunable"
FINAL = {"done", "failed", "cancelled", "interrupted"}


class DemoSimulator:
    """The demo simulator's models (the tunable one included), served without latency."""

    def __init__(self) -> None:
        with as_file(demo_config()) as path:
            config = load_config(path)
        fast = [
            m.model_copy(update={"ttft_ms": 0, "itl_ms": 0, "prefill_ms_per_1k_tokens": 0})
            for m in config.models
        ]
        self._server = SimulatorServer(config.model_copy(update={"models": fast}))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> DemoSimulator:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._server.start(), self._loop).result(10)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def base_url(self) -> str:
        return self._server.base_url


def tuning_settings(settings: Settings, simulator_url: str) -> Settings:
    return settings.model_copy(
        update={
            "demo_simulator_url": simulator_url,
            "jobs_heartbeat_s": 0.2,
            "jobs_dispatch_interval_s": 0.05,
            "jobs_cancel_grace_s": 10.0,
            "default_jobs_per_hour": 10_000,
            "default_max_runs_per_benchmark": 100_000,
        }
    )


def demo_provider(api: Any) -> str:
    providers = api.ok("GET", "/api/providers")
    return str(next(p for p in providers if p["is_demo"])["id"])


def priced_provider(api: Any, base_url: str, input_price: str, output_price: str) -> str:
    """A user's own provider at the simulator, with the tunable model priced."""
    body = {"name": "Priced sim", "protocol": "openai", "base_url": base_url + "/v1"}
    provider = api.ok("POST", "/api/providers", 201, json=body)
    model = {
        "provider_id": provider["id"],
        "model_id": MODEL,
        "input_price": input_price,
        "output_price": output_price,
    }
    api.ok("POST", "/api/models", 201, json=model)
    return str(provider["id"])


def run_body(suite_id: str, provider_id: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "suite_id": suite_id,
        "target": {"provider_id": provider_id, "model_id": MODEL},
        "space": {
            "dimensions": [
                {"kind": "range", "name": "temperature", "low": 0.0, "high": 1.2},
                {"kind": "range", "name": "top_p", "low": 0.5, "high": 1.0},
            ]
        },
        "strategy": {"kind": "random", "seed": 7},
        "budget": {"max_trials": 4},
    }
    for key, value in extra.items():
        body[key] = {**body[key], **value} if isinstance(body.get(key), dict) else value
    return body


def grid_space(repeats: int = 1) -> dict[str, Any]:
    return {
        "dimensions": [
            {"kind": "choice", "name": "temperature", "choices": [0.3, 0.9]},
            {"kind": "choice", "name": "top_p", "choices": [0.8]},
        ],
        "repeats": repeats,
    }


def wait_job(api: Any, job_id: str, timeout_s: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = api.ok("GET", f"/api/jobs/{job_id}")
        if job["status"] in FINAL:
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}"
        time.sleep(0.05)


def finished(api: Any, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Submit, wait for the job, and return (job, run detail)."""
    submitted = api.ok("POST", "/api/tuning/runs", 202, json=body)
    job = wait_job(api, submitted["job_id"])
    detail = api.ok("GET", f"/api/tuning/runs/{submitted['run']['id']}")
    return job, detail


def simulator_fixture() -> Iterator[DemoSimulator]:
    with DemoSimulator() as sim:
        yield sim
