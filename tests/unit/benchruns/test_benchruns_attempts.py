"""Superseded rows (a remeasured step's earlier attempt) are kept and marked but count in no
statistic; a step that spans attempts lists them all and its window adds them up."""

from __future__ import annotations

import json
from typing import Any

from benchstudio.benchruns.domain import counted, record_from_row, row_from_record
from benchstudio.benchruns.domain.attempts import CarriedStep, StoredPart, with_attempts
from benchstudio.benchruns.domain.results_import import (
    PreparedImport,
    prepare_import,
    totals_of,
)
from benchstudio.benchruns.domain.summaries import compute_summaries


class _Row:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _record(request_id: str, ttft_ms: float, **extra: Any) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "target": "m",
        "model": "m",
        "context_tokens": 0,
        "step": "m@0:c=1",
        "ttft_ms": ttft_ms,
        "e2e_ms": ttft_ms + 10,
        "output_tokens": 4,
        "cost_usd": 0.5,
        **extra,
    }


def _stored(record: dict[str, Any]) -> dict[str, Any]:
    return record_from_row(_Row(row_from_record(record)))


def test_the_superseded_mark_survives_storage_and_is_absent_otherwise() -> None:
    assert _stored(_record("a", 1.0, superseded=True))["superseded"] is True
    assert "superseded" not in _stored(_record("b", 1.0))  # exports stay the CLI's file


def test_summaries_and_totals_leave_superseded_records_out_but_count_their_cost() -> None:
    records = [_stored(_record(f"r{i}", 10.0 + i)) for i in range(4)]
    planted = [_stored(_record(f"s{i}", 99_999.0, superseded=True)) for i in range(3)]
    steps = [{"name": "m@0:c=1", "target": "m", "wall_s": 2.0}]
    config: dict[str, Any] = {}
    both = compute_summaries("k", records + planted, steps, wall_s=2.0, config=config)
    alone = compute_summaries("k", records, steps, wall_s=2.0, config=config)
    assert both["summary"] == alone["summary"] and both["steps"] == alone["steps"]
    assert both["targets"] == alone["targets"]
    assert both["summary"]["requests"] == 4 and both["summary"]["ttft_ms"]["max"] == 13.0
    assert both["spend"]["cost_usd"] == 3.5  # superseded requests were sent and paid for
    totals = totals_of(records + planted)
    assert totals["requests"] == 4 and totals["cost_usd"] == 3.5
    assert len(counted(records + planted)) == 4


def test_an_imported_file_keeps_superseded_records_marked_and_out_of_its_summary() -> None:
    document = {
        "schema": "benchstudio.bench/1",
        "run_id": "run-1",
        "requests": [_record("a", 10.0), _record("b", 99_999.0, superseded=True)],
    }
    prepared = prepare_import(json.dumps(document).encode())
    assert isinstance(prepared, PreparedImport)
    assert [row["superseded"] for row in prepared.rows] == [False, True]
    assert prepared.summaries["summary"]["requests"] == 1
    assert prepared.totals["requests"] == 1


def test_a_step_over_two_attempts_lists_both_and_adds_the_earlier_window() -> None:
    carried = CarriedStep(
        (
            StoredPart(attempt=1, rows=4, superseded=False, e2e_ms=1500.0),
            StoredPart(attempt=1, rows=1, superseded=True, e2e_ms=0.0),
        )
    )
    meta = {"name": "m@0", "wall_s": 3.0, "diagnostics": {"trustworthy": True}}
    merged = with_attempts(meta, carried, attempt=2, rows=6)
    assert merged["wall_s"] == 4.5
    assert merged["attempts"] == [
        {"attempt": 1, "rows": 4, "superseded": False},
        {"attempt": 1, "rows": 1, "superseded": True},
        {
            "attempt": 2,
            "rows": 6,
            "superseded": False,
            "wall_s": 3.0,
            "diagnostics": {"trustworthy": True},
        },
    ]
