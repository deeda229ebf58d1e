"""A benchmark interrupted by a server stop resumes: finished steps are kept and skipped,
the unfinished step continues (test_benchruns_resume_kept.py checks what it keeps)."""

from __future__ import annotations

import time

from benchruns_driver import SimulatorThread, fast_settings, running_api, simulator_config

from benchstudio.config import Settings


def test_a_resumed_benchmark_skips_the_steps_it_finished(settings: Settings) -> None:
    with SimulatorThread(simulator_config()) as sim:
        fast = fast_settings(settings, sim.base_url)
        body = {"runs": 6, "warmup": 0, "max_tokens": 64, "context_tokens": [0, 200]}
        for api in running_api(fast):
            api.sign_up("resume@example.com")
            token = api.token
            body["targets"] = [api.demo_target("slow-sim")]
            submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
            run_id, job_id = submitted["run_id"], submitted["job_id"]
            deadline = time.monotonic() + 60
            while not api.ok("GET", f"/api/benchmarks/{run_id}")["steps"]:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            first_step = api.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=100")["items"]
        # The server stopped mid-run: the job is interrupted, its finished step kept.
        for api in running_api(fast):
            api.token = token
            assert api.ok("GET", f"/api/jobs/{job_id}")["status"] == "interrupted"
            assert api.ok("GET", f"/api/benchmarks/{run_id}")["status"] == "interrupted"
            api.ok("POST", f"/api/jobs/{job_id}/resume")
            assert api.wait_job(job_id)["status"] == "done"
            detail = api.ok("GET", f"/api/benchmarks/{run_id}")
            rows = api.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=100")["items"]
    kept = [r for r in first_step if r["context_tokens"] == 0]
    assert len(kept) == 6
    assert [r["request_id"] for r in rows if r["context_tokens"] == 0] == [
        r["request_id"] for r in kept
    ]
    assert len(rows) == 12 and len({r["request_id"] for r in rows}) == 12
    assert [s["name"].split("@")[1] for s in detail["steps"]] == ["0", "200"]
    assert detail["status"] == "completed" and detail["summary"]["requests"] == 12
