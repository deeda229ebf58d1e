"""Eval exports as the judge reads them: results per target in suite order, the suite version
(server identity, else the snapshot's hash), and the refusal of different versions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchstudio.judge.domain.eval_export import ExportError, read_export, version_mismatch
from benchstudio.toolcall.samples import sample_suite_text

SUITE = json.loads(sample_suite_text())


def _result(target: str, case_id: str, passed: bool = True) -> dict[str, Any]:
    verdict = {
        "case_id": case_id,
        "category": "simple",
        "profile": "lenient",
        "pass": passed,
        "tool_selection_precision": 1.0,
        "tool_selection_recall": 1.0,
        "tool_selection_f1": 1.0,
        "argument_accuracy": 1.0,
        "schema_valid": True,
        "format": "native",
        "irrelevance_correct": None,
        "error_category": None,
    }
    stamp = "2026-12-07T00:00:00Z"
    return {
        "target": target,
        "case_id": case_id,
        "verdict": verdict,
        "exchanges": [],
        "started_at": stamp,
        "finished_at": stamp,
    }


def _export(**extra: Any) -> dict[str, Any]:
    first, second = SUITE["cases"][0]["id"], SUITE["cases"][1]["id"]
    results = [_result("b", second), _result("a", second), _result("a", first, False)]
    return {"run_id": "r1", "suite": SUITE, "results": results, **extra}


def test_results_are_grouped_per_target_in_suite_order() -> None:
    run = read_export(_export(targets=[{"target": {"label": "a"}}, {"target": {"label": "b"}}]))
    assert run.targets == ["a", "b"]
    label, results = run.result("a")
    assert label == "a"
    assert [r.case_id for r in results] == [c["id"] for c in SUITE["cases"][:2]]
    assert not results[0].passed


def test_a_run_with_several_targets_needs_one_named() -> None:
    run = read_export(_export())
    with pytest.raises(ExportError, match="name one"):
        run.result(None)
    with pytest.raises(ExportError, match="no results for target 'z'"):
        run.result("z")


def test_the_server_identity_is_the_suite_version_when_present() -> None:
    run = {"suite_id": "s1", "suite_name": "Weather", "suite_version": 2}
    first = read_export(_export(run=run)).suite_version
    assert (first.key, first.label) == ("s1:2", "Weather v2")
    second = read_export(_export(run={**run, "suite_version": 3})).suite_version
    reason = version_mismatch(first, second)
    assert reason is not None and "Weather v2" in reason and "Weather v3" in reason
    assert version_mismatch(first, first) is None


def test_without_a_server_identity_the_snapshot_hash_decides() -> None:
    same = read_export(_export()).suite_version
    assert same.key.startswith("sha256:") and same == read_export(_export()).suite_version
    edited = json.loads(json.dumps(SUITE))
    edited["cases"] = edited["cases"][:-1]
    other = read_export({**_export(), "suite": edited}).suite_version
    assert version_mismatch(same, other) is not None


def test_a_document_that_is_not_an_export_is_refused() -> None:
    with pytest.raises(ExportError, match="not an eval export"):
        read_export({"results": []})
