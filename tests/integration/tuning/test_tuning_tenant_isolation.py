"""Every tuner route is the owner's: another user's run, its trial eval runs, suite and provider
answer 404 exactly like missing ones, and lists never show them."""

from __future__ import annotations

from tuning_driver import (
    Api,
    demo_provider,
    finished,
    grid_space,
    run_body,
)


def test_another_users_tuner_run_and_inputs_are_not_found(api: Api) -> None:
    alice = api.sign_up("alice@example.com").as_user(api.token)
    suite = alice.ok("POST", "/api/suites/sample", 201)
    provider = demo_provider(alice)
    body = run_body(suite["id"], provider, space=grid_space(), strategy={"kind": "grid"}, budget={})
    job, detail = finished(alice, body)
    assert job["status"] == "done", job
    run_id = detail["run"]["id"]
    trial_run = detail["trials"][0]["eval_run_id"]

    bob = Api(api.client).sign_up("bob@example.com")
    own_suite = bob.ok("POST", "/api/suites/sample", 201)
    for method, path in (
        ("GET", f"/api/tuning/runs/{run_id}"),
        ("DELETE", f"/api/tuning/runs/{run_id}"),
        ("GET", f"/api/evals/{trial_run}"),
        ("GET", f"/api/evals/{trial_run}/cases"),
    ):
        response = bob.call(method, path)
        assert response.status_code == 404, (method, path, response.text)
    assert bob.ok("GET", "/api/tuning/runs")["total"] == 0
    assert bob.ok("GET", f"/api/evals?tuner_run_id={run_id}")["total"] == 0
    assert bob.ok("GET", "/api/evals?include_trials=true")["total"] == 0
    # Alice's suite or provider in Bob's run: not found, before any job.
    for path in ("/api/tuning/estimate", "/api/tuning/runs"):
        with_her_suite = run_body(suite["id"], demo_provider(bob))
        assert bob.call("POST", path, json=with_her_suite).status_code == 404
        with_her_provider = run_body(own_suite["id"], provider)
        assert bob.call("POST", path, json=with_her_provider).status_code == 404
    # Alice still has everything.
    assert alice.ok("GET", f"/api/tuning/runs/{run_id}")["run"]["id"] == run_id
    assert alice.ok("GET", f"/api/evals?tuner_run_id={run_id}")["total"] == 3
