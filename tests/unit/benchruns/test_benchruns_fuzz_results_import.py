"""Fuzz: a `benchstudio.bench/1` results file, as `POST /api/benchmarks/import` reads it.

`domain.results_import.prepare_import` decodes the body, checks it (an `ImportRefused` naming
the field) and turns it into rows, steps and summaries, in the summary worker; the service
then derives targets and stores it. That whole pre-database part runs here. Garbage gives an
`ImportRefused`, never an exception.
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from benchstudio.benchruns.domain.results_import import ImportRefused, prepare_import
from benchstudio.benchruns.schemas import StepOut
from benchstudio.benchruns.service.exchange import _import_targets
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
    """`import_file` up to the database write: what the summary worker does, then targets."""
    prepared = prepare_import(body)
    if isinstance(prepared, ImportRefused):
        assert prepared.code in {"bad_results_file", "too_large"}
        return
    _import_targets("run", dict(prepared.document.get("config") or {}))
    for meta in prepared.steps:  # what the run page reads back: a step it cannot show is a 500
        StepOut(**{k: v for k, v in meta.items() if k in StepOut.model_fields}, summary=None)


@fuzz_settings(200)
@given(
    st.one_of(mutated(DOCUMENT, max_changes=4), json_values).map(lambda doc: dumps(doc).encode())
    | st.binary(max_size=100)
)
@example(deep_json(5000))
@example(dumps({**DOCUMENT, "requests": [{**RECORD, "itl_ms": ["1.5"]}]}).encode())  # TypeError
@example(dumps({**DOCUMENT, "requests": [{**RECORD, "chunk_count": "0" * 5000}]}).encode())
@example(dumps({**DOCUMENT, "steps": [{"name": "sim@0"}]}).encode())  # no target/model/mode
def test_results_files_import_or_give_an_app_error(body: bytes) -> None:
    import_until_storage(body)
