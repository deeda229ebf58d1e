"""A submit warns about cases still holding MCP-drafted `<your value>` placeholders (and runs
anyway); a multi-turn case's drill-down lays out the conversation turn by turn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from evals_driver import Api, SimulatorThread, add_provider, app_api

from benchstudio.config import Settings


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    with SimulatorThread() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _run(api: Api, suite_id: str, provider: str, model: str, **extra: Any) -> dict[str, Any]:
    body = {"suite_id": suite_id, "targets": [{"provider_id": provider, "model_id": model}]}
    return dict(api.ok("POST", "/api/evals", 202, json={**body, **extra}))


def test_placeholder_cases_are_named_in_the_submit_warnings(
    api: Api, simulator: SimulatorThread
) -> None:
    api.sign_up("alice@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good"])
    clean = _run(api, suite["id"], provider, models["good"])
    assert clean["warnings"] == []
    detail = api.ok("GET", f"/api/suites/{suite['id']}")
    cases = detail["suite"]["cases"]
    cases[0]["prompt"] = "Weather for city = <your value>."
    api.ok("PUT", f"/api/suites/{suite['id']}", json=detail["suite"])
    submitted = _run(api, suite["id"], provider, models["good"])
    assert submitted["warnings"] == [
        {
            "code": "placeholders",
            "message": f"1 case still holds <your value> placeholders: {cases[0]['id']}.",
            "case_ids": [cases[0]["id"]],
        }
    ]
    job = api.wait_job(submitted["job_id"], {"done", "failed", "cancelled"})
    assert job["status"] == "done"


def test_multi_turn_drill_down_shows_each_round(api: Api, simulator: SimulatorThread) -> None:
    api.sign_up("bob@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["good"])
    submitted = _run(api, suite["id"], provider, models["good"], system_prompt="Be brief.")
    api.wait_job(submitted["job_id"], {"done", "failed", "cancelled"})
    run_id = submitted["run"]["id"]
    rows = api.ok("GET", f"/api/evals/{run_id}/cases?limit=100")["items"]
    chain = next(r for r in rows if r["case_id"] == "chain-search-then-book")
    detail = api.ok("GET", f"/api/evals/{run_id}/cases/{chain['id']}")
    conversation = detail["conversation"]
    assert conversation["opening"][0] == {"role": "system", "content": "Be brief."}
    assert conversation["opening"][1]["role"] == "user"
    assert "Oslo" in conversation["opening"][1]["content"]
    first, second = conversation["rounds"][0]["calls"], conversation["rounds"][1]["calls"]
    assert [c["name"] for c in first] == ["search_flights"]
    assert first[0]["mock_source"] == "when_arguments"
    assert first[0]["when_arguments"] == {"origin": "OSL"}
    assert first[0]["result"]["flights"][0]["id"] == "SK4711"
    assert (first[0]["expected_index"], first[0]["passed"]) == (0, True)
    assert [c["name"] for c in second] == ["book_flight"]
    assert second[0]["arguments"]["flight_id"] == "SK4711"
    assert second[0]["mock_source"] == "unconditional"
    assert second[0]["result"] == {"status": "confirmed", "reference": "BS-0001"}
    assert conversation["final_answer"] and conversation["rounds"][-1]["calls"] == []
    assert conversation["max_rounds"] == 4
    single = next(r for r in rows if r["case_id"] == "weather-single")
    assert api.ok("GET", f"/api/evals/{run_id}/cases/{single['id']}")["conversation"] is None
