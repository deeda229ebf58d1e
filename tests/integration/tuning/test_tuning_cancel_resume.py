"""Cancel keeps a tuner run's finished trials and ends its job interrupted; resume continues the
same study: numbering goes on, the baseline and finished points are not run again."""

from __future__ import annotations

import time

from tuning_driver import (
    Api,
    demo_provider,
    run_body,
    wait_job,
)


def _wait_trials(api: Api, job_id: str, at_least: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while len(api.events(job_id, "tuner_trial")) < at_least:
        assert time.monotonic() < deadline, "no trials finished"
        time.sleep(0.05)


def test_cancel_keeps_trials_and_resume_continues_the_study(api: Api) -> None:
    api.sign_up("resume@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    body = run_body(
        suite["id"],
        demo_provider(api),
        strategy={"kind": "tpe", "seed": 3, "startup_trials": 4},
        budget={"max_trials": 10},
        stopping={"prune": False},
        concurrency=1,
    )
    submitted = api.ok("POST", "/api/tuning/runs", 202, json=body)
    run_id, job_id = submitted["run"]["id"], submitted["job_id"]
    _wait_trials(api, job_id, 3)
    going = api.call("DELETE", f"/api/tuning/runs/{run_id}")
    assert going.status_code == 409, going.text
    api.ok("POST", f"/api/jobs/{job_id}/cancel")
    job = wait_job(api, job_id)
    assert job["status"] == "interrupted", job
    first = api.ok("GET", f"/api/tuning/runs/{run_id}")
    assert first["run"]["status"] == "cancelled" and first["run"]["stop_reason"] == "cancelled"
    kept = {t["number"]: t for t in first["trials"] if t["cases"] > 0}
    assert len(kept) >= 3 and kept[0]["kind"] == "baseline_default"

    api.ok("POST", f"/api/jobs/{job_id}/resume")
    job = wait_job(api, job_id)
    assert job["status"] == "done", job
    second = api.ok("GET", f"/api/tuning/runs/{run_id}")
    run, trials = second["run"], second["trials"]
    assert run["status"] == "completed" and run["stop_reason"] == "max_trials"
    by_number = {t["number"]: t for t in trials}
    # Finished trials are kept as they were; new ones are numbered after them.
    for number, trial in kept.items():
        assert by_number[number]["id"] == trial["id"]
        assert by_number[number]["score"] == trial["score"]
    new = [t for t in trials if t["number"] > max(kept)]
    assert new and all(t["kind"] == "search" for t in new)
    assert len(trials) == len({t["number"] for t in trials})
    # The baseline ran once; no finished point's request was sent again.
    assert [t["kind"] for t in trials].count("baseline_default") == 1
    scored = [t["effective"] for t in trials if t["state"] == "complete"]
    assert len(scored) == len({repr(sorted(e.items())) for e in scored})
    assert sum(1 for t in trials if t["cases"] > 0) == 10


def _active_s(api: Api, run_id: str) -> float:
    return float(api.ok("GET", f"/api/tuning/runs/{run_id}")["run"]["active_s"])


def test_max_wall_counts_the_seconds_of_every_session(api: Api) -> None:
    """The wall budget is seconds of running summed over resumes: a resumed run gets what the
    first session left of it, not the whole budget again (nor the pause in between)."""
    api.sign_up("wall@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    wall = 10.0
    body = run_body(
        suite["id"],
        demo_provider(api),
        budget={"max_trials": 500, "max_wall_s": wall},
        stopping={"prune": False},
        concurrency=1,
    )
    submitted = api.ok("POST", "/api/tuning/runs", 202, json=body)
    run_id, job_id = submitted["run"]["id"], submitted["job_id"]
    deadline = time.monotonic() + 60.0
    while _active_s(api, run_id) < wall / 2:  # stored as trials finish
        assert time.monotonic() < deadline, "the run recorded no running time"
        time.sleep(0.1)
    api.ok("POST", f"/api/jobs/{job_id}/cancel")
    assert wait_job(api, job_id)["status"] == "interrupted"
    first = _active_s(api, run_id)
    assert wall / 2 <= first < wall
    time.sleep(1.0)  # a pause: not running time

    api.ok("POST", f"/api/jobs/{job_id}/resume")
    job = wait_job(api, job_id)
    assert job["status"] == "done", job
    run = api.ok("GET", f"/api/tuning/runs/{run_id}")["run"]
    assert run["stop_reason"] == "max_wall"
    # The second session ran for what was left (plus the case in flight at the halt); a
    # whole new budget would have brought the total to first + wall.
    assert wall <= run["active_s"] < first + wall - 1.0
