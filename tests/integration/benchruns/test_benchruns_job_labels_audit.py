"""A benchmark's job carries the run's title and a link to its page, not an internal id; and
deleting the run is audited with the caller's address (issue 17 bugs 13 and 14)."""

from __future__ import annotations

from benchruns_driver import Api


def test_a_benchmark_job_is_named_by_its_run_and_deleting_the_run_is_audited(api: Api) -> None:
    api.sign_up("labels@example.com")  # the first user: an admin, who can read the audit log
    body = {
        "targets": [api.demo_target()],
        "runs": 1,
        "warmup": 0,
        "max_tokens": 8,
        "context_tokens": [0],
        "title": "Nightly latency",
    }
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    run_id, job_id = submitted["run_id"], submitted["job_id"]
    assert api.wait_job(job_id)["status"] == "done"
    job = api.ok("GET", f"/api/jobs/{job_id}")
    assert job["title"] == "Nightly latency"
    assert job["link"] == f"/benchmarks/{run_id}"
    listed = api.ok("GET", "/api/jobs")["items"]
    assert [j["title"] for j in listed if j["id"] == job_id] == ["Nightly latency"]

    api.ok("DELETE", f"/api/benchmarks/{run_id}", 204)
    events = api.ok("GET", f"/api/admin/audit?action=benchmark.deleted&target={run_id}")["items"]
    assert len(events) == 1 and events[0]["ip"], events
    # The run is gone: its job keeps a readable name, without a link to a missing page.
    gone = api.ok("GET", f"/api/jobs/{job_id}")
    assert gone["title"] == "Benchmark" and gone["link"] is None
