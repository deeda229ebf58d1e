"""A benchmark's prompt template is a benchmark entry of the prompt library: its latest user
prompt is what the run sends, and the run appears in the entry's used-by list (committed with
the run). Judge entries and another user's entries are refused."""

from __future__ import annotations

from benchruns_driver import Api


def test_a_template_run_sends_the_latest_version_and_is_listed_as_a_use(api: Api) -> None:
    api.sign_up("bench-prompts@example.com")
    entry = api.ok(
        "POST",
        "/api/prompts",
        201,
        json={"kind": "benchmark", "name": "Story", "user_prompt": "Tell a story"},
    )
    api.ok("POST", f"/api/prompts/{entry['id']}/versions", 201, json={"user_prompt": "Tell two"})
    body = {
        "title": "with a template",
        "targets": [api.demo_target()],
        "prompt_template_id": entry["id"],
        "runs": 1,
        "warmup": 0,
    }
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    assert api.wait_job(submitted["job_id"])["status"] == "done"
    detail = api.ok("GET", f"/api/benchmarks/{submitted['run_id']}")
    assert detail["config"]["prompt"] == "Tell two"
    [use] = api.ok("GET", f"/api/prompts/{entry['id']}/used-by")
    assert (use["used_by_kind"], use["used_by_id"], use["version"], use["label"]) == (
        "benchmark_run",
        submitted["run_id"],
        2,
        "with a template",
    )
    # A preview resolves the prompt too, but runs nothing and records no use.
    api.ok("POST", "/api/benchmarks/preview", json=body)
    assert len(api.ok("GET", f"/api/prompts/{entry['id']}/used-by")) == 1


def test_judge_entries_and_other_users_entries_are_refused(api: Api) -> None:
    owner = api.sign_up("bench-prompts-owner@example.com")
    theirs = owner.ok(
        "POST", "/api/prompts", 201, json={"kind": "benchmark", "name": "t", "user_prompt": "x"}
    )
    api.sign_up("bench-prompts-other@example.com")
    judge = api.ok("POST", "/api/prompts", 201, json={"kind": "judge", "name": "j", "body": "b"})
    target = [api.demo_target()]
    refused = api.call(
        "POST",
        "/api/benchmarks/preview",
        json={"targets": target, "prompt_template_id": judge["id"]},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "not_a_benchmark_prompt"
    missing = api.call(
        "POST",
        "/api/benchmarks/preview",
        json={"targets": target, "prompt_template_id": theirs["id"]},
    )
    assert missing.status_code == 404, missing.text
