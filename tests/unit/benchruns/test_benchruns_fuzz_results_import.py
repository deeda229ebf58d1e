"""Fuzz: a `benchstudio.bench/1` results file, as `POST /api/benchmarks/import` reads it.

The body is JSON-decoded (a `bad_results_file` AppError if not JSON), checked by
`_check_document` (an `AppError` naming the field), then turned into rows, steps, targets and
summaries before anything is stored: that whole pre-database part of `import_results` runs
here. Garbage gives an `AppError`, never another exception.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from benchstudio.benchruns.domain import record_from_row, row_from_record
from benchstudio.benchruns.exchange import _check_document, _import_targets, _RowView, _steps_of
from benchstudio.benchruns.summaries import compute_summaries
from benchstudio.core.errors import AppError
from fuzz_inputs import deep_json, dumps, fuzz_settings, json_values, mutated

RECORD: dict[str, Any] = {
    "request_id": "r1",
    "target": "sim",
    "model": "m",
    "step": "sim@0",
    "context_tokens": 0,
    "run_index": 0,
    "warmup": False,
    "itl_ms": [1.5, 2.0],
    "chunk_count": 3,
    "finish_reason": "stop",
    "error": None,
    "ttft_ms": 10.0,
    "tpot_ms": 1.7,
    "e2e_ms": 14.0,
    "first_byte_ms": 9.0,
    "connect_ms": 0.0,
    "output_tokens_per_s": 500.0,
    "cost_usd": 0.0001,
    "input_tokens": 12,
    "output_tokens": 3,
}
DOCUMENT: dict[str, Any] = {
    "schema": "benchstudio.bench/1",
    "run_id": "run-1",
    "status": "completed",
    "config": {
        "targets": [{"name": "sim", "model": "m", "protocol": "openai", "base_url": "http://h"}],
        "slo": {"ttft_ms": 100.0},
    },
    "summary": {"duration_s": 1.5},
    "steps": [{"name": "sim@0", "target": "sim", "model": "m", "mode": "profile"}],
    "requests": [
        RECORD,
        {
            **RECORD,
            "request_id": "r2",
            "error": {"category": "server", "message": "x", "status": 500},
        },
    ],
    "started_at": "2026-01-01T00:00:00+00:00",
}


def import_until_storage(body: bytes) -> None:
    """`import_benchmark` + `import_results` up to the database write."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return  # the endpoint's "not JSON" AppError
    try:
        records = _check_document(data)
    except AppError:
        return
    config = dict(data.get("config") or {})
    steps = _steps_of(data, records)
    rows = [row_from_record(r) for r in records]
    stored = [record_from_row(_RowView(r)) for r in rows]
    wall_s = float((data.get("summary") or {}).get("duration_s") or 0.0)
    compute_summaries("run", stored, steps, wall_s=wall_s, config=config)
    _import_targets("run", config)


# Known crash, fixed by strict=True in `benchruns/results_file.py`'s `_Lenient` and
# `ImportedSlo` configs (that module is being moved; the fix goes in with the move): a string
# where a number belongs passes the lax check, then `pack_itl` / `_int` fail on it.
# Strict xfail: it turns into a failure once the fix lands, so this marker gets removed.
@pytest.mark.xfail(
    strict=True,
    raises=(TypeError, ValueError, ExceptionGroup),
    reason="lax results_file models",
)
@fuzz_settings(200)
@given(
    st.one_of(mutated(DOCUMENT, max_changes=4), json_values).map(lambda doc: dumps(doc).encode())
    | st.binary(max_size=100)
)
@example(deep_json(5000))
@example(dumps({**DOCUMENT, "requests": [{**RECORD, "itl_ms": ["1.5"]}]}).encode())  # TypeError
@example(dumps({**DOCUMENT, "requests": [{**RECORD, "chunk_count": "0" * 5000}]}).encode())
def test_results_files_import_or_give_an_app_error(body: bytes) -> None:
    import_until_storage(body)
