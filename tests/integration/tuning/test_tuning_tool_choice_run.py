"""A searched tool choice on the server path: each trial's eval run carries the point's tool
choice as the request's own setting (not a body parameter), its fingerprint tells the points
apart (none merge), and the demo simulator answers `none` with text (so that trial scores lower)."""

from __future__ import annotations

from typing import Any

from tuning_driver import (
    Api,
    demo_provider,
    finished,
    run_body,
)


def test_each_trial_sends_the_tool_choice_of_its_point(api: Api) -> None:
    api.sign_up("tool-choice@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    space = {
        "dimensions": [{"kind": "choice", "name": "tool_choice", "choices": ["auto", "none"]}],
        "repeats": 1,
    }
    body = run_body(
        suite["id"],
        demo_provider(api),
        space=space,
        strategy={"kind": "grid"},
        budget={"max_trials": 10},
    )
    job, detail = finished(api, body)
    assert job["status"] == "done", job
    trials: list[dict[str, Any]] = detail["trials"]
    searched = [t for t in trials if t["kind"] == "search"]
    assert sorted(t["point"]["tool_choice"] for t in searched) == ["auto", "none"]
    assert detail["run"]["merged_points"] == 0  # an explicit auto is not the default point
    scores: dict[str, float] = {}
    for trial in searched:
        choice = trial["point"]["tool_choice"]
        assert trial["effective"]["tool_choice"] == choice
        settings = api.ok("GET", f"/api/evals/{trial['eval_run_id']}")["settings"]
        assert settings["tool_choice"] == choice
        assert "tool_choice" not in settings["params"]
        scores[choice] = trial["score"]
    assert scores["none"] < scores["auto"]
