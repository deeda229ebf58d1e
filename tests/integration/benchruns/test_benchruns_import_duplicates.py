"""Importing results: the same results twice are noticed (per owner) unless a copy is asked
for, and an imported run keeps the title its file carries."""

from __future__ import annotations

import json
from typing import Any

from benchruns_driver import Api


def _doc(run_id: str = "r-1", **extra: Any) -> dict[str, Any]:
    return {
        "schema": "benchstudio.bench/1",
        "run_id": run_id,
        "status": "completed",
        "config": {"targets": [{"name": "a", "model": "a-model", "base_url": "http://x"}]},
        "summary": {"duration_s": 1.0},
        "requests": [
            {
                "ttft_ms": 10.0,
                "e2e_ms": 12.0,
                "output_tokens": 2,
                "target": "a",
                "model": "a-model",
                "context_tokens": 0,
                "run_index": 0,
                "warmup": False,
                "error": None,
            }
        ],
        **extra,
    }


def _import(api: Api, doc: dict[str, Any], query: str = "") -> Any:
    return api.call("POST", f"/api/benchmarks/import{query}", content=json.dumps(doc))


def test_the_same_results_twice_name_the_first_import(api: Api) -> None:
    api.sign_up("dup@example.com")
    first = _import(api, _doc(title="Night run"))
    assert first.status_code == 201, first.text
    run = first.json()["run"]
    assert run["title"] == "Night run"
    again = _import(api, _doc(title="Another title"))
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "duplicate_import" and "'Night run'" in error["message"]
    assert error["details"] == [
        {
            "kind": "benchmark",
            "id": run["id"],
            "name": "Night run",
            "link": f"/benchmarks/{run['id']}",
        }
    ]
    copy = _import(api, _doc(), "?duplicate=allow")
    assert copy.status_code == 201 and copy.json()["run"]["id"] != run["id"]
    assert copy.json()["run"]["title"] == "Imported r-1"
    assert _import(api, _doc(run_id="r-2")).status_code == 201
    # Another user importing the same file gets their own run, and never sees this one's id.
    api.sign_up("other@example.com")
    theirs = _import(api, _doc(title="Night run"))
    assert theirs.status_code == 201 and run["id"] not in theirs.text


def test_an_exported_run_keeps_its_title_through_import(api: Api) -> None:
    api.sign_up("title@example.com")
    run_id = _import(api, _doc(title="Before")).json()["run"]["id"]
    exported = api.ok("GET", f"/api/benchmarks/{run_id}/export?format=json")
    assert exported["title"] == "Before"
    api.ok("DELETE", f"/api/benchmarks/{run_id}", 204)
    imported = api.ok("POST", "/api/benchmarks/import", 201, content=json.dumps(exported))
    assert imported["run"]["title"] == "Before"
