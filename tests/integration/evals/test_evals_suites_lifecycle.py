"""A suite's life through the API: a blank suite, rename, delete (refused while a run is
going; finished runs still open), and imports that notice an earlier import of the same
content (per owner) unless a copy is asked for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from evals_driver import Api, SimulatorThread, add_provider, app_api

from benchstudio.config import Settings

TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
SUITE_FILE = json.dumps(
    {
        "name": "Weather",
        "tools": [TOOL],
        "cases": [{"id": "a", "prompt": "Weather in Oslo?", "expected_calls": []}],
    }
)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _import(api: Api, text: str, query: str = "") -> Any:
    files = {"file": ("weather.suite.json", text, "application/json")}
    return api.call("POST", f"/api/suites/import{query}", files=files)


def test_blank_suite_is_renamed_then_deleted(api: Api) -> None:
    api.sign_up("alice@example.com")
    blank = api.ok("POST", "/api/suites", 201, json={"name": "Scratch", "description": "tries"})
    assert (blank["case_count"], blank["tool_count"], blank["version"]) == (0, 0, 1)
    renamed = api.ok("PATCH", f"/api/suites/{blank['id']}", json={"name": "Trips"})
    assert renamed["name"] == "Trips" and renamed["suite"]["name"] == "Trips"
    assert renamed["description"] == "tries" and renamed["version"] == 2
    assert [s["name"] for s in api.ok("GET", "/api/suites")["items"]] == ["Trips"]
    api.ok("DELETE", f"/api/suites/{blank['id']}", 204)
    assert api.call("GET", f"/api/suites/{blank['id']}").status_code == 404
    assert api.call("DELETE", f"/api/suites/{blank['id']}").status_code == 404
    assert api.ok("GET", "/api/suites")["total"] == 0


def test_importing_the_same_suite_file_twice_names_the_first(api: Api) -> None:
    api.sign_up("alice@example.com")
    first = _import(api, SUITE_FILE)
    assert first.status_code == 201, first.text
    again = _import(api, SUITE_FILE)
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "duplicate_import"
    assert "'Weather'" in error["message"] and first.json()["id"] in error["message"]
    assert error["details"] == [
        {
            "kind": "suite",
            "id": first.json()["id"],
            "name": "Weather",
            "link": f"/tool-eval/suites/{first.json()['id']}",
        }
    ]
    # Another name, same content: still the same import.
    renamed = json.dumps({**json.loads(SUITE_FILE), "name": "Weather 2"})
    assert _import(api, renamed).status_code == 409
    copy = _import(api, SUITE_FILE, "?duplicate=allow")
    assert copy.status_code == 201 and copy.json()["id"] != first.json()["id"]
    assert api.ok("GET", "/api/suites")["total"] == 2
    # Deleted suites are no longer "imported before".
    for suite_id in (first.json()["id"], copy.json()["id"]):
        api.ok("DELETE", f"/api/suites/{suite_id}", 204)
    assert _import(api, SUITE_FILE).status_code == 201
    other_content = json.dumps({**json.loads(SUITE_FILE), "description": "changed"})
    assert _import(api, other_content).status_code == 201


def test_duplicate_detection_is_per_owner(api: Api) -> None:
    api.sign_up("alice@example.com")
    alice = api.token
    mine = _import(api, SUITE_FILE).json()
    api.sign_up("bob@example.com")
    bob = api.token
    # Bob's first import of the same file is his own, and nothing of Alice's is named.
    theirs = _import(api, SUITE_FILE)
    assert theirs.status_code == 201 and mine["id"] not in theirs.text
    as_bob = api.as_user(bob)
    assert as_bob.call("PATCH", f"/api/suites/{mine['id']}", json={"name": "x"}).status_code == 404
    assert as_bob.call("DELETE", f"/api/suites/{mine['id']}").status_code == 404
    assert api.as_user(alice).ok("GET", f"/api/suites/{mine['id']}")["name"] == "Weather"


def test_bfcl_import_twice_is_noticed(api: Api) -> None:
    api.sign_up("alice@example.com")
    question = {
        "id": "simple_1",
        "question": [[{"role": "user", "content": "Add 1 and 2."}]],
        "function": [{"name": "add", "description": "Add.", "parameters": {"type": "dict"}}],
    }
    files = {"questions": ("q.json", json.dumps(question), "application/json")}
    first = api.ok("POST", "/api/suites/import/bfcl", 201, files=files)
    again = api.call("POST", "/api/suites/import/bfcl", files=files)
    assert again.status_code == 409
    assert again.json()["error"]["details"][0]["id"] == first["suite"]["id"]
    api.ok("POST", "/api/suites/import/bfcl?duplicate=allow", 201, files=files)


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    with SimulatorThread() as sim:
        yield sim


def test_a_suite_with_a_running_eval_is_not_deleted(api: Api, simulator: SimulatorThread) -> None:
    api.sign_up("carol@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, simulator.base_url, ["slow"])
    body = {
        "suite_id": suite["id"],
        "targets": [{"provider_id": provider, "model_id": models["slow"]}],
        "concurrency": 1,
    }
    submitted = api.ok("POST", "/api/evals", 202, json=body)
    job_id, run_id = submitted["job_id"], submitted["run"]["id"]
    refused = api.call("DELETE", f"/api/suites/{suite['id']}")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "suite_in_use"
    assert "cancel" in refused.json()["error"]["message"]
    assert api.call("DELETE", f"/api/evals/{run_id}").status_code == 409
    api.ok("POST", f"/api/jobs/{job_id}/cancel")
    api.wait_job(job_id, {"cancelled", "done", "failed"})
    api.ok("DELETE", f"/api/suites/{suite['id']}", 204)
    # The finished (cancelled) run still opens from the history with its snapshot.
    detail = api.ok("GET", f"/api/evals/{run_id}")
    assert detail["suite_id"] == suite["id"] and detail["suite_version"] == 1
    assert api.ok("GET", "/api/evals")["items"][0]["id"] == run_id
    api.ok("DELETE", f"/api/evals/{run_id}", 204)
    assert api.call("GET", f"/api/evals/{run_id}").status_code == 404
