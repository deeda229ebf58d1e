"""The preview counts exactly what a platform run sends (the simulator's timing log is the
truth): no request for a tier beyond the model's context window, warm-ups as they are sent.
Run-level figures of the stored run are over the measured windows, not the setup."""

from __future__ import annotations

from typing import Any

import pytest
from benchruns_driver import Api, SimulatorThread


def _sent(simulator: SimulatorThread) -> int:
    return len(simulator._server.request_log())


def _small_window_target(api: Api) -> dict[str, str]:
    """The demo provider's `small-window` model, catalogued with its 600-token window."""
    target = api.demo_target("small-window")
    api.ok(
        "POST",
        "/api/models",
        201,
        json={
            "provider_id": target["provider_id"],
            "model_id": "small-window",
            "display_name": "Small window",
            "context_window": 600,
        },
    )
    return target


MODES: list[dict[str, Any]] = [
    {"runs": 3, "warmup": 2, "context_tokens": [0, 300, 2000]},
    {"mode": "concurrency", "concurrency": 2, "num_requests": 5, "warmup": 1},
    {"mode": "sweep_concurrency", "sweep": [1, 3], "num_requests": 4, "warmup": 2},
]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: str(m.get("mode", "profile")))
def test_preview_counts_what_the_run_sends(
    api: Api, simulator: SimulatorThread, mode: dict[str, Any]
) -> None:
    api.sign_up(f"preview-{mode.get('mode', 'profile')}@example.com")
    body: dict[str, Any] = {
        "targets": [_small_window_target(api), api.demo_target()],
        "max_tokens": 16,
        "context_tokens": [0, 2000],
        **mode,
    }
    preview = api.ok("POST", "/api/benchmarks/preview", json=body)
    small, demo = preview["targets"]
    assert list(small["skipped_tiers"]) == ["2000"]
    assert demo["skipped_tiers"] == {}
    before = _sent(simulator)
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    job = api.wait_job(submitted["job_id"])
    assert job["status"] == "done", job
    sent = _sent(simulator) - before
    assert preview["requests"] == sent
    assert submitted["preview"]["requests"] == sent
    detail = api.ok("GET", f"/api/benchmarks/{submitted['run_id']}")
    # Only the demo model sends the 2,000-token tier: the small model sends one tier fewer.
    tiers = len(body["context_tokens"])
    assert small["requests"] * tiers == demo["requests"] * (tiers - 1)
    measured = [s for s in detail["steps"] if not s.get("skipped_reason")]
    window = sum(float(s["wall_s"]) for s in measured)
    diagnostics = detail["diagnostics"]
    assert diagnostics["workers"] == 1
    if mode.get("mode"):  # load steps run one after another: one lane
        assert detail["summary"]["duration_s"] == pytest.approx(window, abs=1e-3)
        assert diagnostics["wall_s"] == pytest.approx(window, abs=1e-3)
